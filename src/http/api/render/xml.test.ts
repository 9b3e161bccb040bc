import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { XMLValidator } from 'fast-xml-parser';
import { escapeXmlAttribute, escapeXmlText, renderXml, singularize } from './xml.ts';
import { Decimal } from './values.ts';
import type { ApiObject } from './values.ts';

const user: ApiObject = {
  id: 7,
  login: 'jdoe',
  active: true,
  'ccw-user': false,
  'approval-limit': new Decimal('1500.25'),
  middlename: null,
  'created-at': new Date('2016-10-07T06:56:43.123Z'),
  'default-currency': { code: 'USD' },
  manager: { id: 3, login: 'boss' },
  roles: [
    { id: 1, name: 'Buyer' },
    { id: 2, name: 'Admin' },
  ],
};

describe('renderXml', () => {
  it('renders a record with every value type', () => {
    assert.equal(
      renderXml(user, 'user'),
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<user>',
        '  <id type="integer">7</id>',
        '  <login>jdoe</login>',
        '  <active type="boolean">true</active>',
        '  <ccw-user type="boolean">false</ccw-user>',
        '  <approval-limit type="decimal">1500.25</approval-limit>',
        '  <middlename nil="true"/>',
        '  <created-at type="dateTime">2016-10-07T06:56:43+00:00</created-at>',
        '  <default-currency>',
        '    <code>USD</code>',
        '  </default-currency>',
        '  <manager>',
        '    <id type="integer">3</id>',
        '    <login>boss</login>',
        '  </manager>',
        '  <roles type="array">',
        '    <role>',
        '      <id type="integer">1</id>',
        '      <name>Buyer</name>',
        '    </role>',
        '    <role>',
        '      <id type="integer">2</id>',
        '      <name>Admin</name>',
        '    </role>',
        '  </roles>',
        '</user>',
        '',
      ].join('\n'),
    );
  });

  it('renders a list under the plural with singular items', () => {
    assert.equal(
      renderXml([{ id: 1 }, { id: 2 }], 'users'),
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<users type="array">',
        '  <user>',
        '    <id type="integer">1</id>',
        '  </user>',
        '  <user>',
        '    <id type="integer">2</id>',
        '  </user>',
        '</users>',
        '',
      ].join('\n'),
    );
  });

  it('renders an empty list, empty record and empty string', () => {
    assert.equal(renderXml([], 'users'), '<?xml version="1.0" encoding="UTF-8"?>\n<users type="array"/>\n');
    assert.equal(renderXml({ manager: {}, note: '' }, 'user').split('\n').slice(2, 4).join('\n'), '  <manager/>\n  <note></note>');
  });

  it('renders nested arrays and arrays of scalars', () => {
    assert.equal(
      renderXml({ 'upload-errors': [['a'], []], addresses: [null, 1.5] }, 'data-file-source'),
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<data-file-source>',
        '  <upload-errors type="array">',
        '    <upload-error type="array">',
        '      <upload-error>a</upload-error>',
        '    </upload-error>',
        '    <upload-error type="array"/>',
        '  </upload-errors>',
        '  <addresses type="array">',
        '    <address nil="true"/>',
        '    <address type="float">1.5</address>',
        '  </addresses>',
        '</data-file-source>',
        '',
      ].join('\n'),
    );
  });

  it('escapes markup and replaces characters XML cannot carry', () => {
    const xml = renderXml({ note: `a<b>&"c'\u0001\u0000\t\r\n\uFFFF\uD800z😀` }, 'user');
    assert.equal(xml.split('\n')[2], `  <note>a&lt;b&gt;&amp;"c'\uFFFD\uFFFD\t&#13;`);
    assert.ok(xml.includes(`\n\uFFFD\uFFFDz😀</note>`));
    assert.equal(XMLValidator.validate(xml), true);
  });

  it('escapes attribute values', () => {
    assert.equal(escapeXmlAttribute(`<&"'\t\n\r\u0002>`), '&lt;&amp;&quot;&apos;&#9;&#10;&#13;\uFFFD&gt;');
    assert.equal(escapeXmlText('Email can\'t be "blank" & <b>'), 'Email can\'t be "blank" &amp; &lt;b&gt;');
  });

  it('renders non-finite numbers as nil and refuses bad element names', () => {
    assert.ok(renderXml({ n: Number.NaN }, 'x').includes('<n nil="true"/>'));
    assert.throws(() => renderXml({ 'a b': 1 }, 'x'), /not a valid XML element name/);
    assert.throws(() => renderXml({ '<x>': 1 }, 'x'), TypeError);
  });
});

describe('singularize', () => {
  const cases: Array<[string, string]> = [
    ['roles', 'role'],
    ['users', 'user'],
    ['values', 'value'],
    ['addresses', 'address'],
    ['entries', 'entry'],
    ['upload-errors', 'upload-error'],
    ['lookup-values', 'lookup-value'],
    ['account-types', 'account-type'],
    ['data-file-sources', 'data-file-source'],
    ['lookup_values', 'lookup_value'],
    ['statuses', 'status'],
    ['boxes', 'box'],
    ['matches', 'match'],
    ['people', 'person'],
    ['children', 'child'],
    ['series', 'series'],
    ['heroes', 'hero'],
    ['analyses', 'analysis'],
    ['address', 'address'],
    ['status', 'status'],
    ['errors', 'error'],
    ['categories', 'category'],
    ['archives', 'archive'],
    ['shelves', 'shelf'],
  ];
  for (const [plural, singular] of cases) {
    it(`${plural} -> ${singular}`, () => assert.equal(singularize(plural), singular));
  }
});
