import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueryError } from '../../../shared/errors.ts';
import { applyFields, applyReturnObject, parseFields, parseReturnObject } from './shape.ts';
import { Decimal } from './values.ts';
import type { ApiObject } from './values.ts';

const createdAt = new Date('2016-10-07T06:56:43Z');
const user: ApiObject = {
  id: 7,
  login: 'jdoe',
  email: 'jdoe@example.com',
  'employee-number': 'E-7',
  active: true,
  'approval-limit': new Decimal('10.00'),
  'created-at': createdAt,
  aliases: ['jd', 'jdo'],
  'default-currency': { id: 1, code: 'USD', 'decimal-places': 2 },
  manager: { id: 3, login: 'boss', email: 'boss@example.com', active: true, manager: { id: 1, login: 'ceo' } },
  roles: [
    { id: 1, name: 'Buyer', description: 'Buys' },
    { id: 2, name: 'Admin', description: 'Runs' },
  ],
  'account-type': null,
};

function assertQueryError(run: () => unknown, parameter: string, message: RegExp): void {
  assert.throws(run, (error: unknown) => error instanceof QueryError && error.parameter === parameter && message.test(error.message));
}

describe('parseFields', () => {
  it('reads names and nested associations', () => {
    const selection = parseFields(' ["id", "login",{"manager":["id","login"]},{"roles":["name"], "default_currency":["code"]}] ');
    assert.deepEqual(
      selection,
      new Map<string, unknown>([
        ['id', true],
        ['login', true],
        ['manager', new Map([['id', true], ['login', true]])],
        ['roles', new Map([['name', true]])],
        ['default-currency', new Map([['code', true]])],
      ]),
    );
  });

  it('names the position of malformed JSON', () => {
    assertQueryError(() => parseFields('["id",x]'), 'fields', /^fields: expected an element name or .* at position 6, found "x"$/);
    assertQueryError(() => parseFields('["id" "login"]'), 'fields', /expected ',' or '\]' at position 6, found a string/);
    assertQueryError(() => parseFields('["id",'), 'fields', /at position 6, found the end of input/);
    assertQueryError(() => parseFields('["id'), 'fields', /unterminated string starting at position 1/);
    assertQueryError(() => parseFields('[{"manager" ["id"]}]'), 'fields', /expected ':' at position 12/);
    assertQueryError(() => parseFields('["id"] x'), 'fields', /expected the end of the list at position 7/);
    assertQueryError(() => parseFields('["a\\q"]'), 'fields', /invalid escape .* at position 1/);
  });

  it('names what is wrong with the shape', () => {
    assertQueryError(() => parseFields('{"id":1}'), 'fields', /expected a JSON array of element names at position 0, found an object/);
    assertQueryError(() => parseFields('["id",5]'), 'fields', /found a number/);
    assertQueryError(() => parseFields('[null]'), 'fields', /found null/);
    assertQueryError(() => parseFields('[["id"]]'), 'fields', /found an array/);
    assertQueryError(() => parseFields('[]'), 'fields', /the list at position 0 names no elements/);
    assertQueryError(() => parseFields('[{}]'), 'fields', /the object at position 1 names no association/);
    assertQueryError(() => parseFields('[{"manager":"id"}]'), 'fields', /expected a JSON array .* at position 12, found a string/);
    assertQueryError(() => parseFields('["id","id"]'), 'fields', /"id" at position 6 is listed twice/);
    assertQueryError(() => parseFields('["drop table"]'), 'fields', /"drop table" at position 1 is not an element name/);
  });

  it('bounds size and depth', () => {
    assertQueryError(() => parseFields(`["${'a'.repeat(5000)}"]`), 'fields', /longer than 4096 characters/);
    const deep = (levels: number): string => '[{"a":'.repeat(levels) + '["id"]' + '}]'.repeat(levels);
    assert.doesNotThrow(() => parseFields(deep(4)));
    assertQueryError(() => parseFields(deep(5)), 'fields', /deeper than 5 levels/);
    const many = JSON.stringify(Array.from({ length: 501 }, (_, i) => `f${i}`));
    assertQueryError(() => parseFields(many), 'fields', /more than 500 elements/);
  });
});

describe('applyFields', () => {
  const selection = parseFields('["id","login",{"manager":["id","login",{"manager":["login"]}]},{"roles":["name"]},"aliases","missing"]');

  it('keeps the listed elements of a record, nested for associations and arrays', () => {
    assert.deepEqual(applyFields(user, selection), {
      id: 7,
      login: 'jdoe',
      aliases: ['jd', 'jdo'],
      manager: { id: 3, login: 'boss', manager: { login: 'ceo' } },
      roles: [{ name: 'Buyer' }, { name: 'Admin' }],
    });
  });

  it('applies to each record of a list and leaves nulls alone', () => {
    assert.deepEqual(applyFields([user, { id: 8, login: 'x', manager: null }], parseFields('["id",{"manager":["id"]}]')), [
      { id: 7, manager: { id: 3 } },
      { id: 8, manager: null },
    ]);
  });
});

describe('return_object', () => {
  it('parses the four modes and refuses anything else', () => {
    assert.equal(parseReturnObject(undefined), 'full');
    for (const mode of ['full', 'limited', 'shallow', 'none'] as const) {
      assert.equal(parseReturnObject(mode), mode);
    }
    assertQueryError(() => parseReturnObject('deep'), 'return_object', /must be one of full, limited, shallow, none; got "deep"/);
    assertQueryError(() => parseReturnObject(''), 'return_object', /must be one of/);
    assertQueryError(() => parseReturnObject('none', { allowNone: false }), 'return_object', /only accepted on POST and PUT/);
  });

  it('limited keeps ids only', () => {
    assert.deepEqual(applyReturnObject(user, 'limited'), { id: 7 });
    assert.deepEqual(applyReturnObject([user, { id: 8, login: 'x' }], 'limited'), [{ id: 7 }, { id: 8 }]);
  });

  it('shallow keeps own attributes and only the keys of associations', () => {
    assert.deepEqual(applyReturnObject(user, 'shallow'), {
      id: 7,
      login: 'jdoe',
      email: 'jdoe@example.com',
      'employee-number': 'E-7',
      active: true,
      'approval-limit': new Decimal('10.00'),
      'created-at': createdAt,
      aliases: ['jd', 'jdo'],
      'default-currency': { id: 1, code: 'USD' },
      manager: { id: 3, login: 'boss', email: 'boss@example.com' },
      roles: [
        { id: 1, name: 'Buyer' },
        { id: 2, name: 'Admin' },
      ],
      'account-type': null,
    });
  });

  it('full leaves the value as it is', () => {
    assert.equal(applyReturnObject(user, 'full'), user);
  });
});
