import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { buildUser, startTestApi, type TestApi } from '../support/api.ts';

interface UserJson {
  id: number;
  login: string;
  email: string;
  active: boolean;
  manager: { login: string } | null;
  roles: Array<{ name: string }>;
  'default-currency': { code: string } | null;
  'approval-limit': { amount: string; currency: { code: string } } | null;
  'created-by': string;
}

/** The messages of a JSON errors document, one per line, so patterns read as the client would see them. */
function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as { errors?: Record<string, string[]> };
    return parsed.errors ? Object.values(parsed.errors).flat().join('\n') : body;
  } catch {
    return body;
  }
}

for (const dialect of dialects()) {
  describe(`users API on ${dialect.name}`, { skip: dialect.skip }, () => {
    let api: TestApi;
    before(async () => {
      api = await startTestApi(dialect);
    });
    after(async () => api?.close());

    const post = (body: unknown) => api.call({ method: 'POST', url: '/api/users', payload: body as Record<string, unknown> });

    it('creates a user with roles, currency, approval limit and manager, and reads it back by id', async () => {
      const boss = await post(buildUser({ login: 'boss', email: 'boss@example.com' }));
      assert.equal(boss.statusCode, 201, boss.body);
      const res = await post(
        buildUser({
          login: 'jdoe',
          email: 'jdoe@example.com',
          roles: [{ name: 'Buyer' }, { name: 'User' }],
          'default-currency': { code: 'eur' },
          'approval-limit': { amount: '2500.00', currency: { code: 'USD' } },
          manager: { login: 'boss' },
          'ccw-user': true,
        }),
      );
      assert.equal(res.statusCode, 201, res.body);
      const created = api.json<UserJson>(res);
      const got = api.json<UserJson>(await api.call({ method: 'GET', url: `/api/users/${created.id}` }));
      assert.equal(got.login, 'jdoe');
      assert.equal(got.manager?.login, 'boss');
      assert.deepEqual(got.roles.map((r) => r.name).sort(), ['Buyer', 'User']);
      assert.deepEqual(got['default-currency'], { code: 'EUR' });
      assert.deepEqual(got['approval-limit'], { amount: '2500.00', currency: { code: 'USD' } });
      assert.equal(got['created-by'], 'api:api-key:workgate-admin');
    });

    it('renders XML with types and nil, and accepts an XML body', async () => {
      const res = await api.call({
        method: 'POST',
        url: '/api/users',
        headers: { 'content-type': 'application/xml', accept: 'application/xml' },
        payload:
          '<?xml version="1.0"?><user><login>xmluser</login><email>xml@example.com</email><firstname>X</firstname>' +
          '<lastname>Ml</lastname><active type="boolean">true</active><manager nil="true"/>' +
          '<roles type="array"><role><name>Buyer</name></role></roles></user>',
      });
      assert.equal(res.statusCode, 201, res.body);
      assert.match(res.headers['content-type'] as string, /application\/xml/);
      assert.match(res.body, /<user>\n {2}<id type="integer">\d+<\/id>/);
      assert.match(res.body, /<active type="boolean">true<\/active>/);
      assert.match(res.body, /<manager nil="true"\/>/);
      assert.match(res.body, /<roles type="array">\s*<role>\s*<id type="integer">\d+<\/id>\s*<name>Buyer<\/name>/);
      assert.match(res.body, /<created-at type="dateTime">\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00<\/created-at>/);
    });

    it('lists as a top-level JSON array and an XML users array; an empty XML list is 404 with the errors document', async () => {
      const json = await api.call({ method: 'GET', url: '/api/users?login=jdoe' });
      assert.equal(json.statusCode, 200);
      assert.equal(api.json<UserJson[]>(json).length, 1);
      const xml = await api.call({ method: 'GET', url: '/api/users?login=jdoe', headers: { accept: 'application/xml' } });
      assert.match(xml.body, /<users type="array">\s*<user>/);
      const none = await api.call({ method: 'GET', url: '/api/users?login=nobody', headers: { accept: 'application/xml' } });
      assert.equal(none.statusCode, 404);
      assert.match(none.body, /<errors>\s*<error>No results match your search criteria.<\/error>\s*<\/errors>/);
      const emptyJson = await api.call({ method: 'GET', url: '/api/users?login=nobody' });
      assert.equal(emptyJson.statusCode, 200);
      assert.equal(emptyJson.body, '[]');
    });

    it('filters through associations, status, and the query operators', async () => {
      const ids = async (query: string) => api.json<UserJson[]>(await api.call({ method: 'GET', url: `/api/users?${query}` })).map((u) => u.login);
      assert.deepEqual(await ids('manager[login]=boss'), ['jdoe']);
      assert.deepEqual(await ids('roles[name]=Buyer&order_by=login'), ['jdoe', 'xmluser']);
      assert.deepEqual(await ids('default_currency[code]=EUR'), ['jdoe']);
      assert.deepEqual(await ids('login[in]=boss,jdoe&order_by=login&dir=desc'), ['jdoe', 'boss']);
      assert.deepEqual(await ids('email[ends_with]=EXAMPLE.COM&login[starts_with]=XM'), ['xmluser']);
      assert.deepEqual(await ids('status=active&login=boss'), ['boss']);
      assert.deepEqual(await ids('status=inactive'), []);
      assert.deepEqual(await ids('created_at[gt_or_eq]=2000-01-01&login=boss'), ['boss']);
      assert.deepEqual(await ids('updated-at[lt]=2000-01-01T00:00:00-07:00'), []);
      assert.deepEqual(await ids('order_by=id&limit=1&offset=1'), ['jdoe']);
    });

    it('treats SQL-looking filter values as plain text', async () => {
      const res = await api.call({ method: 'GET', url: `/api/users?login=${encodeURIComponent("x' OR '1'='1")}` });
      assert.equal(res.statusCode, 200);
      assert.equal(res.body, '[]');
      const dropped = await api.call({ method: 'GET', url: `/api/users?login[contains]=${encodeURIComponent("'; drop table core_users; --")}` });
      assert.equal(dropped.statusCode, 200);
      assert.ok(api.json<UserJson[]>(await api.call({ method: 'GET', url: '/api/users' })).length >= 3, 'users are still there');
    });

    it('shapes with return_object and fields', async () => {
      const limited = api.json<object[]>(await api.call({ method: 'GET', url: '/api/users?login=jdoe&return_object=limited' }));
      assert.deepEqual(Object.keys(limited[0]!), ['id']);
      const fields = encodeURIComponent('["login",{"manager":["login"]},{"roles":["name"]}]');
      const picked = api.json<object[]>(await api.call({ method: 'GET', url: `/api/users?login=jdoe&fields=${fields}` }));
      assert.deepEqual(picked[0], { login: 'jdoe', manager: { login: 'boss' }, roles: [{ name: 'Buyer' }, { name: 'User' }] });
      const shallow = api.json<Array<{ manager: object }>>(await api.call({ method: 'GET', url: '/api/users?login=jdoe&return_object=shallow' }));
      assert.deepEqual(Object.keys(shallow[0]!.manager).sort(), ['email', 'employee-number', 'id', 'login']);
      const none = await post({ ...buildUser(), 'return_object': undefined });
      assert.equal(none.statusCode, 201);
      const silent = await api.call({ method: 'POST', url: '/api/users?return_object=none', payload: buildUser() });
      assert.equal(silent.statusCode, 201);
      assert.equal(silent.body, '');
    });

    it('updates partially, deactivates with active=false, and marks exported on its own', async () => {
      const user = api.json<UserJson>(await post(buildUser({ login: 'partial' })));
      const res = await api.call({ method: 'PUT', url: `/api/users/${user.id}`, payload: { firstname: 'Changed', active: false } });
      assert.equal(res.statusCode, 200, res.body);
      const updated = api.json<UserJson & { firstname: string; lastname: string }>(res);
      assert.equal(updated.firstname, 'Changed');
      assert.equal(updated.active, false);
      assert.equal(updated.lastname, (user as UserJson & { lastname: string }).lastname);
      const exported = await api.call({ method: 'PUT', url: `/api/users/${user.id}?exported=true`, payload: { firstname: 'Ignored' } });
      assert.equal(api.json<{ exported: boolean; firstname: string }>(exported).exported, true);
      assert.equal(api.json<{ firstname: string }>(exported).firstname, 'Changed');
      const unexported = api.json<UserJson[]>(await api.call({ method: 'GET', url: '/api/users?exported=false&login=partial' }));
      assert.equal(unexported.length, 0);
    });

    describe('bad input', () => {
      const expectError = async (request: Parameters<TestApi['call']>[0], status: number, pattern: RegExp) => {
        const res = await api.call(request);
        assert.equal(res.statusCode, status, res.body);
        assert.match(errorText(res.body), pattern);
        return res;
      };

      it('unknown attribute or operator is a 400 naming it', async () => {
        await expectError({ method: 'GET', url: '/api/users?colour=red' }, 400, /colour.*unknown attribute "colour"/);
        await expectError({ method: 'GET', url: '/api/users?login[like]=x' }, 400, /login\[like\].*unknown operator "like"/);
      });

      it('an operator not allowed for the type is a 400', async () => {
        await expectError({ method: 'GET', url: '/api/users?created_at[contains]=2020' }, 400, /created_at\[contains\].*cannot be used on datetime/);
      });

      it('malformed datetime and number are 400s', async () => {
        await expectError({ method: 'GET', url: '/api/users?updated_at[gt]=2020-13-45' }, 400, /updated_at\[gt\].*ISO 8601/);
        await expectError({ method: 'GET', url: '/api/users?id=abc' }, 400, /id.*integer/);
        await expectError({ method: 'GET', url: '/api/users?limit=-1' }, 400, /limit/);
      });

      it('fields that is not valid JSON is a 400 with the position', async () => {
        await expectError({ method: 'GET', url: `/api/users?fields=${encodeURIComponent('["id",')}` }, 400, /fields.*position \d+/);
      });

      it('malformed JSON and XML bodies are 400s saying where', async () => {
        await expectError(
          { method: 'POST', url: '/api/users', headers: { 'content-type': 'application/json' }, payload: '{"login": "x",}' },
          400,
          /malformed JSON body.*position \d+/,
        );
        await expectError(
          { method: 'POST', url: '/api/users', headers: { 'content-type': 'application/xml' }, payload: '<user>\n<login>x</user>' },
          400,
          /line 2, column \d+/,
        );
      });

      it('a body over 1 MB is 413', async () => {
        const huge = JSON.stringify({ login: 'x'.repeat(1024 * 1024 + 10) });
        await expectError({ method: 'POST', url: '/api/users', headers: { 'content-type': 'application/json' }, payload: huge }, 413, /larger than/);
      });

      it('a wrong content type is 415', async () => {
        await expectError({ method: 'POST', url: '/api/users', headers: { 'content-type': 'text/csv' }, payload: 'a,b' }, 415, /application\/json/);
      });

      it('a duplicate login or email is a 422 naming the field', async () => {
        const res = await expectError({ method: 'POST', url: '/api/users', payload: buildUser({ login: 'jdoe' }) }, 422, /^Login has already been taken$/);
        assert.equal(res.body, '{"errors":{"user":["Login has already been taken"]}}');
        await expectError({ method: 'POST', url: '/api/users', payload: buildUser({ email: 'jdoe@example.com' }) }, 422, /Email has already been taken/);
      });

      it('every missing or invalid field is reported at once', async () => {
        const res = await expectError(
          { method: 'POST', url: '/api/users', payload: { login: 'z', email: 'not-an-email', 'default-currency': { code: 'XXQ' } } },
          422,
          /Login is too short/,
        );
        const messages = api.json<{ errors: { user: string[] } }>(res).errors.user;
        assert.ok(messages.some((m) => /Email "not-an-email" is not a valid email/.test(m)));
        assert.ok(messages.some((m) => /First name can't be blank/.test(m)));
        assert.ok(messages.some((m) => /Default currency "XXQ" is not an ISO 4217/.test(m)));
      });

      it('an unknown manager or role is a 422 naming it', async () => {
        await expectError({ method: 'POST', url: '/api/users', payload: buildUser({ manager: { login: 'ghost' } }) }, 422, /Manager with login "ghost" does not exist/);
        await expectError({ method: 'POST', url: '/api/users', payload: buildUser({ roles: [{ name: 'Wizard' }] }) }, 422, /Role "Wizard" does not exist/);
      });

      it('a manager cycle or self-manager is refused naming the chain', async () => {
        const boss = api.json<UserJson[]>(await api.call({ method: 'GET', url: '/api/users?login=boss' }))[0]!;
        await expectError({ method: 'PUT', url: `/api/users/${boss.id}`, payload: { manager: { login: 'jdoe' } } }, 422, /would create a cycle: boss -> jdoe -> boss/);
        await expectError({ method: 'PUT', url: `/api/users/${boss.id}`, payload: { manager: { login: 'boss' } } }, 422, /cannot be their own manager/);
      });

      it('ids that do not exist are 404s', async () => {
        await expectError({ method: 'GET', url: '/api/users/999999' }, 404, /user id 999999 not found/);
        await expectError({ method: 'PUT', url: '/api/users/999999', payload: { firstname: 'x' } }, 404, /not found/);
      });

      it('a PUT that tries to change id is refused', async () => {
        const boss = api.json<UserJson[]>(await api.call({ method: 'GET', url: '/api/users?login=boss' }))[0]!;
        await expectError({ method: 'PUT', url: `/api/users/${boss.id}`, payload: { id: boss.id + 1, firstname: 'x' } }, 422, /Id cannot be changed/);
      });

      it('an unknown element in a body is refused naming it; echoed read-only elements are ignored', async () => {
        await expectError({ method: 'POST', url: '/api/users', payload: buildUser({ shoe_size: 44 }) }, 400, /unknown element "shoe_size"/);
        const echoed = await api.call({ method: 'POST', url: '/api/users', payload: buildUser({ fullname: 'Ignored', 'created-at': '2001-01-01' }) });
        assert.equal(echoed.statusCode, 201, echoed.body);
      });

      it('DELETE answers 405', async () => {
        const res = await expectError({ method: 'DELETE', url: '/api/users/1' }, 405, /PUT active=false/);
        assert.equal(res.headers.allow, 'GET, POST, PUT');
      });

      it('an Accept allowing neither JSON nor XML is 406', async () => {
        await expectError({ method: 'GET', url: '/api/users', headers: { accept: 'text/html' } }, 406, /Accept/);
      });
    });
  });
}
