import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { accountQuerySchema, lookupValueQuerySchema, userQuerySchema } from '../../../core/query-schemas.ts';
import { QueryError } from '../../../shared/errors.ts';
import { defaultListQuery, operators, type Condition, type FieldType, type Operator, type QuerySchema } from '../../../query/types.ts';
import { parseListQuery, type ParseListQueryOptions } from './parse-list-query.ts';
import { parseIsoDatetime } from './query-values.ts';

/** A schema with one field of every type, a decimal that can be filtered and one that cannot. */
const widgetSchema: QuerySchema = {
  resource: 'widget',
  table: 'widgets',
  fields: {
    id: { type: 'integer', column: 'id' },
    name: { type: 'string', column: 'name' },
    enabled: { type: 'boolean', column: 'enabled' },
    'made-at': { type: 'datetime', column: 'made_at' },
    price: { type: 'decimal', column: 'price' },
    secret: { type: 'string', column: 'secret', filterable: false },
  },
  associations: {},
};

function parse(query: string, schema: QuerySchema = userQuerySchema, options?: ParseListQueryOptions) {
  return parseListQuery(new URLSearchParams(query), schema, options);
}

function params(entries: [string, string][]): URLSearchParams {
  return new URLSearchParams(entries);
}

/** Asserts a QueryError naming `parameter` whose message matches `message`. */
function rejects(query: string | URLSearchParams, parameter: string, message: RegExp | string, schema: QuerySchema = userQuerySchema) {
  const search = typeof query === 'string' ? new URLSearchParams(query) : query;
  assert.throws(
    () => parseListQuery(search, schema),
    (error: unknown) => {
      assert.ok(error instanceof QueryError, `QueryError expected, got ${String(error)}`);
      assert.equal(error.parameter, parameter);
      assert.equal(error.code, 'bad_query');
      assert.equal(error.status, 400);
      if (typeof message === 'string') assert.equal(error.message, `${parameter}: ${message}`);
      else assert.match(error.message, message);
      return true;
    },
  );
}

function onlyCondition(query: string, schema: QuerySchema = userQuerySchema): Condition {
  const conditions = parse(query, schema).conditions;
  const [condition] = conditions;
  assert.ok(condition && conditions.length === 1, `one condition expected, got ${conditions.length}`);
  return condition;
}

describe('parseListQuery: defaults and reserved arguments', () => {
  it('gives the default query for no arguments', () => {
    assert.deepEqual(parse(''), defaultListQuery());
    assert.deepEqual(parse(''), { conditions: [], limit: 50, offset: 0, orderBy: 'id', dir: 'asc' });
  });

  it('reads limit, offset, order_by and dir', () => {
    assert.deepEqual(parse('limit=10&offset=20&order_by=lastname&dir=desc'), {
      conditions: [],
      limit: 10,
      offset: 20,
      orderBy: 'lastname',
      dir: 'desc',
    });
    assert.equal(parse('limit=0').limit, 0);
    assert.equal(parse('dir=DESC').dir, 'desc');
    assert.equal(parse('dir=Asc').dir, 'asc');
  });

  it('clamps a limit above 50 to 50, as the platform does', () => {
    assert.equal(parse('limit=51').limit, 50);
    assert.equal(parse('limit=500').limit, 50);
    assert.equal(parse('limit=99999999999999999999999').limit, 50);
    assert.equal(parse('limit=50').limit, 50);
  });

  it('refuses a malformed limit or offset', () => {
    rejects('limit=-1', 'limit', '"-1" is not a non-negative integer');
    rejects('limit=abc', 'limit', '"abc" is not a non-negative integer');
    rejects('limit=1.5', 'limit', '"1.5" is not a non-negative integer');
    rejects('limit=', 'limit', '"" is not a non-negative integer');
    rejects('offset=-5', 'offset', '"-5" is not a non-negative integer');
    rejects('offset=x', 'offset', '"x" is not a non-negative integer');
    rejects('offset=99999999999999999999', 'offset', '"99999999999999999999" is too large');
  });

  it('accepts order_by in dashes or underscores and normalises it', () => {
    assert.equal(parse('order_by=created_at').orderBy, 'created-at');
    assert.equal(parse('order-by=employee-number').orderBy, 'employee-number');
    assert.equal(parse('order_by=id').orderBy, 'id');
  });

  it('refuses ordering by anything but an own filterable field', () => {
    rejects('order_by=foo', 'order_by', /^order_by: cannot order by "foo"; use one of id, login, email, /);
    rejects('order_by=manager', 'order_by', /cannot order by "manager"/);
    rejects('order-by=approval_limit', 'order-by', /cannot order by "approval_limit"/);
    rejects('dir=up', 'dir', '"up" is not a direction; use asc or desc');
  });

  it('refuses a reserved argument given twice', () => {
    rejects('limit=5&limit=6', 'limit', 'given more than once; give it once');
    rejects('order_by=login&order-by=email', 'order-by', 'given more than once; give it once');
  });

  it('ignores the arguments the caller handles, in either spelling', () => {
    const options = { ignore: ['return_object', 'fields', 'parent_value'] };
    const query = parse('return_object=limited&fields=["id"]&parent-value[name]=x&login=a', userQuerySchema, options);
    assert.deepEqual(query.conditions, [{ path: [], field: 'login', operator: 'eq', values: ['a'] }]);
    rejects('return_object=limited', 'return_object', /unknown attribute "return_object" for user/);
  });
});

describe('parseListQuery: attributes and operators', () => {
  it('reads attr=value as eq and attr[op]=value with the operator', () => {
    assert.deepEqual(onlyCondition('login=jdoe'), { path: [], field: 'login', operator: 'eq', values: ['jdoe'] });
    assert.deepEqual(onlyCondition('lastname[starts_with]=Sm'), { path: [], field: 'lastname', operator: 'starts_with', values: ['Sm'] });
    assert.deepEqual(onlyCondition('login[eq]=jdoe'), { path: [], field: 'login', operator: 'eq', values: ['jdoe'] });
  });

  it('accepts dashes and underscores in attribute, association and operator names', () => {
    const expected = { path: [], field: 'employee-number', operator: 'not_eq', values: ['E1'] };
    assert.deepEqual(onlyCondition('employee_number[not_eq]=E1'), expected);
    assert.deepEqual(onlyCondition('employee-number[not-eq]=E1'), expected);
    assert.deepEqual(onlyCondition('updated_at[gt]=2020-01-01'), onlyCondition('updated-at[gt]=2020-01-01'));
    assert.deepEqual(onlyCondition('default_currency[code]=USD'), { path: ['default-currency'], field: 'code', operator: 'eq', values: ['USD'] });
    assert.deepEqual(onlyCondition('lastname[starts-with]=a'), onlyCondition('lastname[starts_with]=a'));
    assert.deepEqual(onlyCondition('account_type[name][in]=SAP100,SAP200', accountQuerySchema), {
      path: ['account-type'],
      field: 'name',
      operator: 'in',
      values: ['SAP100', 'SAP200'],
    });
  });

  it('walks associations: one, many, embedded, nested', () => {
    assert.deepEqual(onlyCondition('manager[login]=jdoe'), { path: ['manager'], field: 'login', operator: 'eq', values: ['jdoe'] });
    assert.deepEqual(onlyCondition('roles[name]=Buyer'), { path: ['roles'], field: 'name', operator: 'eq', values: ['Buyer'] });
    assert.deepEqual(onlyCondition('manager[manager][login]=x'), { path: ['manager', 'manager'], field: 'login', operator: 'eq', values: ['x'] });
    assert.deepEqual(onlyCondition('manager[default_currency][code][in]=USD,EUR'), {
      path: ['manager', 'default-currency'],
      field: 'code',
      operator: 'in',
      values: ['USD', 'EUR'],
    });
    assert.deepEqual(onlyCondition('manager[id]=7'), { path: ['manager'], field: 'id', operator: 'eq', values: [7] });
    assert.deepEqual(onlyCondition('parent[lookup][name]=Department', lookupValueQuerySchema), {
      path: ['parent', 'lookup'],
      field: 'name',
      operator: 'eq',
      values: ['Department'],
    });
  });

  it('allows three associations deep and refuses a fourth', () => {
    assert.deepEqual(onlyCondition('manager[manager][manager][login]=x').path, ['manager', 'manager', 'manager']);
    rejects('manager[manager][manager][manager][login]=x', 'manager[manager][manager][manager][login]', 'goes through more than 3 associations');
  });

  it('repeating an argument adds another condition', () => {
    const query = parse('roles[name]=Buyer&roles[name]=Admin&updated_at[gt_or_eq]=2020-01-01&updated_at[lt]=2020-02-01');
    assert.deepEqual(
      query.conditions.map((c) => [c.field, c.operator, c.values[0]]),
      [
        ['name', 'eq', 'Buyer'],
        ['name', 'eq', 'Admin'],
        ['updated-at', 'gt_or_eq', '2020-01-01T00:00:00.000Z'],
        ['updated-at', 'lt', '2020-02-01T00:00:00.000Z'],
      ],
    );
  });

  it('maps the status alias to a condition on active', () => {
    assert.deepEqual(onlyCondition('status=active'), { path: [], field: 'active', operator: 'eq', values: [true] });
    assert.deepEqual(onlyCondition('status=inactive'), { path: [], field: 'active', operator: 'eq', values: [false] });
    assert.deepEqual(onlyCondition('status=Inactive'), { path: [], field: 'active', operator: 'eq', values: [false] });
    rejects('status=gone', 'status', 'unknown value "gone"; use status=active or status=inactive');
    rejects('status[eq]=active', 'status[eq]', 'takes no operator; use status=active or status=inactive');
    rejects('status=active', 'status', /unknown attribute "status" for account; known: id, name, code,/, accountQuerySchema);
  });
});

const sampleValues: Record<FieldType, string> = {
  integer: '42',
  string: 'abc',
  boolean: 'true',
  datetime: '2010-03-25T18:38:00-07:00',
  decimal: '12.50',
};
const typedSamples: Record<FieldType, unknown> = {
  integer: 42,
  string: 'abc',
  boolean: true,
  datetime: '2010-03-26T01:38:00.000Z',
  decimal: '12.50',
};
const fieldOfType: Record<FieldType, string> = { integer: 'id', string: 'name', boolean: 'enabled', datetime: 'made-at', decimal: 'price' };
const refused: Record<FieldType, Operator[]> = {
  string: [],
  integer: ['contains', 'starts_with', 'ends_with'],
  decimal: ['contains', 'starts_with', 'ends_with'],
  boolean: ['contains', 'starts_with', 'ends_with'],
  datetime: ['contains', 'starts_with', 'ends_with', 'blank'],
};

describe('parseListQuery: every operator on every type', () => {
  for (const type of Object.keys(fieldOfType) as FieldType[]) {
    const field = fieldOfType[type];
    for (const operator of operators) {
      const key = `${field}[${operator}]`;
      if (refused[type].includes(operator)) {
        it(`refuses ${operator} on ${type}`, () => {
          const message = new RegExp(`^${escapeRegExp(key)}: operator "${operator}" cannot be used on ${type} attribute "${field}"; use one of eq, `);
          rejects(params([[key, sampleValues[type]]]), key, message, widgetSchema);
        });
        continue;
      }
      it(`reads ${operator} on ${type}`, () => {
        const value = operator === 'blank' ? 'false' : operator === 'in' || operator === 'not_in' ? `${sampleValues[type]},${sampleValues[type]}` : sampleValues[type];
        const expected = operator === 'blank' ? [false] : operator === 'in' || operator === 'not_in' ? [typedSamples[type], typedSamples[type]] : [typedSamples[type]];
        const query = parseListQuery(params([[key, value]]), widgetSchema);
        assert.deepEqual(query.conditions, [{ path: [], field, operator, values: expected }]);
      });
    }
  }

  it('names the exact parameter for an operator refused on datetime', () => {
    rejects('created_at[contains]=2020', 'created_at[contains]', /^created_at\[contains\]: operator "contains" cannot be used on datetime attribute "created-at"; use one of eq, gt, lt, gt_or_eq, lt_or_eq, not_eq, in, not_in$/);
    rejects('updated-at[blank]=true', 'updated-at[blank]', /operator "blank" cannot be used on datetime attribute "updated-at"/);
  });

  it('refuses an unknown operator and lists the allowed ones', () => {
    rejects('login[like]=a', 'login[like]', 'unknown operator "like"; use one of eq, contains, starts_with, ends_with, gt, lt, gt_or_eq, lt_or_eq, not_eq, in, not_in, blank');
    rejects('id[contains_not]=1', 'id[contains_not]', 'unknown operator "contains_not"; use one of eq, gt, lt, gt_or_eq, lt_or_eq, not_eq, in, not_in, blank');
    rejects('login[]=a', 'login[]', /unknown operator ""/);
    rejects('login[eq][eq]=a', 'login[eq][eq]', 'too many brackets after attribute "login"; use login[operator]=value');
  });
});

describe('parseListQuery: values', () => {
  it('types integers', () => {
    assert.deepEqual(onlyCondition('id=-12').values, [-12]);
    assert.deepEqual(onlyCondition('id=007').values, [7]);
    rejects('id=1.5', 'id', '"1.5" is not an integer');
    rejects('id=abc', 'id', '"abc" is not an integer');
    rejects('id=', 'id', '"" is not an integer');
    rejects('id=9007199254740993', 'id', '"9007199254740993" is out of range for an integer');
    rejects('manager[id]=x', 'manager[id]', '"x" is not an integer');
  });

  it('types booleans: true/false, 1/0, yes/no in any case', () => {
    for (const word of ['true', 'TRUE', '1', 'yes', 'Yes']) assert.deepEqual(onlyCondition(`active=${word}`).values, [true]);
    for (const word of ['false', 'False', '0', 'no', 'NO']) assert.deepEqual(onlyCondition(`ccw_user=${word}`).values, [false]);
    rejects('active=maybe', 'active', '"maybe" is not a boolean; use true or false');
    rejects('active=', 'active', '"" is not a boolean; use true or false');
  });

  it('keeps decimals as strings and refuses other number forms', () => {
    assert.deepEqual(onlyCondition('price=12.50', widgetSchema).values, ['12.50']);
    assert.deepEqual(onlyCondition('price=-3', widgetSchema).values, ['-3']);
    for (const bad of ['1e5', '.5', '5.', '1,5', 'NaN']) rejects(`price=${bad}`, 'price', /is not a decimal number/, widgetSchema);
  });

  it('keeps strings verbatim, SQL-looking or not, up to 1000 characters', () => {
    const tricky = "' or 1=1; drop table core_users; --";
    assert.deepEqual(onlyCondition(`login=${encodeURIComponent(tricky)}`).values, [tricky]);
    assert.deepEqual(onlyCondition('login=%20a%20b%20').values, [' a b ']);
    assert.deepEqual(onlyCondition('login=').values, ['']);
    assert.deepEqual(onlyCondition(`login=${'x'.repeat(1000)}`).values, ['x'.repeat(1000)]);
    rejects(`login=${'x'.repeat(1001)}`, 'login', 'value is 1001 characters long; at most 1000 are allowed');
    rejects('login=a%00b', 'login', 'the NUL character is not allowed in a value');
  });

  it('reads in/not_in as comma-separated typed lists and refuses empty items', () => {
    assert.deepEqual(onlyCondition('id[in]=1,2,3').values, [1, 2, 3]);
    assert.deepEqual(onlyCondition('login[not_in]=a').values, ['a']);
    assert.deepEqual(onlyCondition('active[in]=true,no').values, [true, false]);
    rejects('id[in]=1,,2', 'id[in]', 'list has an empty item; give comma-separated values, e.g. a,b');
    rejects('login[in]=a,', 'login[in]', /empty item/);
    rejects('login[not_in]=', 'login[not_in]', /empty item/);
    rejects('id[in]=1,x', 'id[in]', '"x" is not an integer');
    const many = Array.from({ length: 101 }, (_, i) => i).join(',');
    rejects(`id[in]=${many}`, 'id[in]', 'list has 101 items; at most 100 are allowed');
  });

  it('reads blank as a boolean', () => {
    assert.deepEqual(onlyCondition('middlename[blank]=true').values, [true]);
    assert.deepEqual(onlyCondition('middlename[blank]=0').values, [false]);
    rejects('middlename[blank]=empty', 'middlename[blank]', '"empty" is not a boolean; use true or false');
  });
});

describe('parseListQuery: datetimes', () => {
  const cases: [string, string][] = [
    ['2010-03-25T18:38:00-07:00', '2010-03-26T01:38:00.000Z'],
    ['2010-03-25T18:38-07:00', '2010-03-26T01:38:00.000Z'],
    ['2010-03-25T18:38:00Z', '2010-03-25T18:38:00.000Z'],
    ['2010-03-25T18:38:00.5Z', '2010-03-25T18:38:00.500Z'],
    ['2010-03-25T18:38:00.123456789+02:00', '2010-03-25T16:38:00.123Z'],
    ['2010-03-25T18:38:00+0530', '2010-03-25T13:08:00.000Z'],
    ['2010-03-25t18:38:00z', '2010-03-25T18:38:00.000Z'],
    ['2010-03-25', '2010-03-25T00:00:00.000Z'],
    ['2020-02-29', '2020-02-29T00:00:00.000Z'],
    ['2010-01-01T00:30:00+01:00', '2009-12-31T23:30:00.000Z'],
  ];
  for (const [written, iso] of cases) {
    it(`normalises ${written} to ${iso}`, () => {
      assert.equal(parseIsoDatetime(written), iso);
      assert.deepEqual(onlyCondition(`created_at[gt]=${encodeURIComponent(written)}`).values, [iso]);
    });
  }

  it('reads an unencoded + (which arrives as a space) as a positive offset', () => {
    assert.deepEqual(onlyCondition('created_at=2010-03-25T18:38:00+02:00').values, ['2010-03-25T16:38:00.000Z']);
  });

  it('refuses what is not an ISO 8601 datetime', () => {
    const bad = ['2020-13-45', '2021-02-29', '2020-04-31', '2020-01-01T24:00:00Z', '2020-01-01T10:60Z', '2020-01-01T10:00:61Z', '2020-01-01T10:00:00',
      '2020-01-01T10:00:00+25:00', '2020-1-1', '20200101', 'yesterday', '', '0000-01-01', '2020-01-01 10:00:00Z'];
    for (const value of bad) {
      assert.equal(parseIsoDatetime(value), undefined, value);
      rejects(params([['created-at', value]]), 'created-at', new RegExp(`^created-at: ${escapeRegExp(JSON.stringify(value))} is not an ISO 8601 datetime`));
    }
  });
});

describe('parseListQuery: unknown names and bounds', () => {
  it('refuses an unknown attribute and lists the known ones', () => {
    rejects('foo=1', 'foo', /^foo: unknown attribute "foo" for user; known: id, login, email, firstname, lastname, middlename, mention-name, employee-number, active, /);
    rejects('foo=1', 'foo', /, exported, created-at, updated-at, created-by, updated-by, manager, roles, default-currency, status$/);
    rejects('manager[foo]=1', 'manager[foo]', /^manager\[foo\]: unknown attribute "foo" for user; known: id, login/);
    rejects('roles[title]=x', 'roles[title]', 'unknown attribute "title" for role; known: id, name, description, predefined, created-at, updated-at, created-by, updated-by');
    rejects('default_currency[name]=x', 'default_currency[name]', 'unknown attribute "name" for default-currency; known: code');
    rejects('Login=x', 'Login', /unknown attribute "Login"/);
  });

  it('refuses an association named without an attribute', () => {
    rejects('manager=5', 'manager', '"manager" is an association; name one of its attributes, e.g. manager[login]');
    rejects('default_currency=USD', 'default_currency', '"default_currency" is an association; name one of its attributes, e.g. default_currency[code]');
    rejects('account_type[currency]=USD', 'account_type[currency]', /"currency" is an association/, accountQuerySchema);
  });

  it('refuses attributes that cannot be filtered', () => {
    rejects('approval_limit=5', 'approval_limit', 'attribute "approval-limit" cannot be used in a query');
    rejects('secret[blank]=true', 'secret[blank]', 'attribute "secret" cannot be used in a query', widgetSchema);
  });

  it('refuses malformed argument names', () => {
    for (const key of ['login[eq', 'login]', 'login[eq]x', '[eq]', 'a[b[c]]']) {
      rejects(params([[key, 'x']]), key, /malformed argument name/);
    }
  });

  it('refuses names over 200 characters', () => {
    const key = `a${'b'.repeat(200)}`;
    rejects(params([[key, 'x']]), key.slice(0, 200), 'argument name is longer than 200 characters');
  });

  it('allows 50 conditions and refuses the 51st by name', () => {
    const fifty = Array.from({ length: 50 }, (_, i): [string, string] => ['id[not_eq]', String(i)]);
    assert.equal(parseListQuery(params(fifty), userQuerySchema).conditions.length, 50);
    rejects(params([...fifty, ['login', 'x']]), 'login', 'too many conditions; at most 50 per query');
    assert.equal(parseListQuery(params([...fifty, ['limit', '5'], ['offset', '1']]), userQuerySchema).limit, 5);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
