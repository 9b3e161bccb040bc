import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AppError } from '../../../shared/errors.ts';
import { parseXmlBody } from './xml-body.ts';
import { renderXml } from './xml.ts';
import { Decimal } from './values.ts';

function assertBadRequest(xml: string, message: RegExp): void {
  assert.throws(
    () => parseXmlBody(xml),
    (error: unknown) => error instanceof AppError && error.code === 'bad_request' && message.test(error.message),
  );
}

describe('parseXmlBody', () => {
  it('reads a user with a roles array and a nil manager', () => {
    const xml = `<?xml version="1.0" encoding="UTF-8"?>
<user>
  <login>jdoe</login>
  <employee-number>E-7</employee-number>
  <active type="boolean">true</active>
  <ccw-user type="boolean">0</ccw-user>
  <approval-limit type="decimal">1500.25</approval-limit>
  <manager nil="true"/>
  <default-currency><code>USD</code></default-currency>
  <roles type="array">
    <role><name>Buyer</name></role>
    <role><id type="integer">2</id></role>
  </roles>
  <age type="integer"></age>
  <middlename></middlename>
  <note><![CDATA[a <b> & c]]> &amp; &lt;d&gt; &#65;&#x42;</note>
</user>`;
    assert.deepEqual(parseXmlBody(xml), {
      login: 'jdoe',
      'employee-number': 'E-7',
      active: true,
      'ccw-user': false,
      'approval-limit': '1500.25',
      manager: null,
      'default-currency': { code: 'USD' },
      roles: [{ name: 'Buyer' }, { id: 2 }],
      age: null,
      middlename: '',
      note: 'a <b> & c & <d> AB',
    });
  });

  it('reads back what renderXml writes', () => {
    const xml = renderXml(
      {
        id: 7,
        login: 'a<&"\'b',
        active: false,
        limit: new Decimal('-3.5'),
        manager: null,
        roles: [{ name: 'Buyer' }],
        tags: [],
        at: new Date(Date.UTC(2016, 9, 7, 6, 56, 43)),
      },
      'user',
    );
    assert.deepEqual(parseXmlBody(xml, { root: 'user' }), {
      id: 7,
      login: 'a<&"\'b',
      active: false,
      limit: '-3.5',
      manager: null,
      roles: [{ name: 'Buyer' }],
      tags: [],
      at: '2016-10-07T06:56:43+00:00',
    });
  });

  it('names line and column of a malformed document', () => {
    assertBadRequest('<user>\n  <login>jdoe</logn>\n</user>', /^malformed XML at line 2, column 14: Expected closing tag 'login'/);
    assertBadRequest('<user>\n  <a>x & y</a></user>', /^malformed XML at line 2, column 8:/);
    assertBadRequest('', /^malformed XML at line 1/);
  });

  it('refuses DOCTYPE and entity declarations', () => {
    const laughs = '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>\n<user>&lol2;</user>';
    assertBadRequest(laughs, /^DOCTYPE declarations are not accepted at line 2, column 1$/);
    assertBadRequest('<!DOCTYPE user SYSTEM "file:///etc/passwd"><user/>', /DOCTYPE/);
    assertBadRequest('<user><a>&nbsp;</a></user>', /undefined entity &nbsp; in element <a>/);
    assertBadRequest('<user><a>&#1;</a></user>', /character reference &#1; .* is not an XML character/);
  });

  it('refuses control characters, naming where', () => {
    assertBadRequest('<user>\n<a>x\u0001</a></user>', /^character U\+0001 is not allowed in XML at line 2, column 5$/);
  });

  it('bounds depth and element count', () => {
    const nest = (levels: number): string => '<a>'.repeat(levels) + 'x' + '</a>'.repeat(levels);
    assert.doesNotThrow(() => parseXmlBody(nest(10)));
    assertBadRequest(nest(11), /deeper than 10 levels/);
    assertBadRequest(nest(100_000), /deeper than 10 levels/);
    const items = (count: number): string => `<user><tags type="array">${'<tag/>'.repeat(count)}</tags></user>`;
    assert.equal((parseXmlBody(items(9_998))['tags'] as unknown[]).length, 9_998);
    assertBadRequest(items(9_999), /more than 10000 elements/);
  });

  it('refuses shapes that are not one record', () => {
    assertBadRequest('<user/><user/>', /exactly one root element, found 2/);
    assertBadRequest('<users type="array"><user/></users>', /must be one record/);
    assertBadRequest('<user>text</user>', /must hold the record's elements/);
    assertBadRequest('<user><login>a</login><login>b</login></user>', /<login> appears twice in <user>/);
    assertBadRequest('<user><a>t<b/></a></user>', /<a> mixes text with elements/);
    assertBadRequest('<user><id type="integer">7x</id></user>', /<id> is not a valid integer: "7x"/);
    assertBadRequest('<user><ok type="boolean">yes</ok></user>', /not a valid boolean/);
    assertBadRequest('<user><id type="integer"><x/></id></user>', /<id> of type "integer" holds elements/);
    assertBadRequest('<user><x type="yaml">--- 1</x></user>', /unsupported type "yaml"/);
    assertBadRequest('<user><__proto__>1</__proto__></user>', /cannot be read/);
    assert.throws(() => parseXmlBody('<account/>', { root: 'user' }), /expected the root element <user>, found <account>/);
    assert.deepEqual(parseXmlBody('<account_type/>', { root: 'account-type' }), {});
  });
});
