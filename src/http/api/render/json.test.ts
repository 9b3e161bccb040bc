import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderJson, toJsonValue } from './json.ts';
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
  roles: [{ id: 1, name: 'Buyer' }],
};

describe('renderJson', () => {
  it('renders a record with every value type', () => {
    assert.equal(
      renderJson(user),
      '{"id":7,"login":"jdoe","active":true,"ccw-user":false,"approval-limit":"1500.25","middlename":null,' +
        '"created-at":"2016-10-07T06:56:43+00:00","default-currency":{"code":"USD"},' +
        '"manager":{"id":3,"login":"boss"},"roles":[{"id":1,"name":"Buyer"}]}',
    );
  });

  it('renders a list as a top-level array and an empty list as []', () => {
    assert.equal(renderJson([{ id: 1 }, { id: 2 }]), '[{"id":1},{"id":2}]');
    assert.equal(renderJson([]), '[]');
  });

  it('renders nested arrays and escapes strings', () => {
    assert.equal(renderJson({ values: [[1, 2], []], note: '<&"\'\u0001' }), '{"values":[[1,2],[]],"note":"<&\\"\'\\u0001"}');
  });

  it('renders non-finite numbers as null and refuses invalid dates', () => {
    assert.equal(renderJson({ a: Number.NaN, b: Infinity, c: 1.5 }), '{"a":null,"b":null,"c":1.5}');
    assert.throws(() => renderJson({ at: new Date('nope') }), TypeError);
  });

  it('keeps an own __proto__ element as data', () => {
    const record = JSON.parse('{"__proto__":"x"}') as ApiObject;
    assert.equal(renderJson(record), '{"__proto__":"x"}');
  });

  it('keeps an object-valued __proto__ element in place without touching any prototype', () => {
    const text = '{"a":1,"__proto__":{"polluted":true},"c":[{"__proto__":null}]}';
    const tree = toJsonValue(JSON.parse(text) as ApiObject) as Record<string, unknown>;
    assert.equal(JSON.stringify(tree), text);
    assert.equal(Object.getPrototypeOf(tree), Object.prototype);
    assert.equal((tree as { polluted?: unknown }).polluted, undefined);
    assert.equal(({} as { polluted?: unknown }).polluted, undefined);
  });
});
