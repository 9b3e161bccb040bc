import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { dialects } from '../support/databases.ts';
import { TestBrowser, formAction, formField, type Page } from './support/browser.ts';
import { makeKeyPair, startSamlIdp, type KeyPair, type ResponseOptions, type SamlIdp } from './support/saml-idp.ts';
import { people, seedPeople, startSsoWorkgate, type SsoWorkgate } from './support/workgate.ts';

const name = 'corp-saml';
const keys: KeyPair = makeKeyPair('test-idp');
const otherKeys: KeyPair = makeKeyPair('someone-else');

const decode = (response: string) => Buffer.from(response, 'base64').toString('utf8');
const encode = (xml: string) => Buffer.from(xml, 'utf8').toString('base64');

for (const dialect of dialects()) {
  describe(`SAML 2.0 sign-in against a samlify IdP on ${dialect.name}`, { skip: dialect.skip }, () => {
    let wg: SsoWorkgate;
    let idp: SamlIdp;

    before(async () => {
      wg = await startSsoWorkgate(dialect);
      await seedPeople(wg.h);
      idp = await startSamlIdp({ spMetadataUrl: `${wg.url}/auth/${name}/metadata`, keys });
      const added = await wg.api('/api/admin/sso/providers', { method: 'POST', body: { name, kind: 'saml', 'metadata-url': `${idp.url}/metadata` } });
      assert.equal(added.status, 201, added.text);
    });

    after(async () => {
      await wg?.close();
      await idp?.close();
    });

    const acs = () => `${wg.url}/auth/${name}/acs`;

    async function lastAudit(): Promise<{ event: string; reason: string | null }> {
      const [event] = await wg.sso.audit.list({ limit: 1 });
      return event!;
    }

    async function me(browser: TestBrowser): Promise<{ status: number; body: Record<string, unknown> }> {
      const page = await browser.request(`${wg.url}/api/me`);
      return { status: page.status, body: page.status === 200 ? (JSON.parse(page.body) as Record<string, unknown>) : {} };
    }

    /** The whole way through the IdP's login page and its auto-posting form; the last Workgate answer. */
    async function signIn(browser: TestBrowser, subject: string, returnTo: string): Promise<Page> {
      const start = await browser.follow(`${wg.url}/auth/${name}/login?return_to=${encodeURIComponent(returnTo)}`);
      assert.ok(start.page.url.startsWith(`${idp.url}/sso?SAMLRequest=`), 'the AuthnRequest goes to the IdP by HTTP-Redirect');
      const form = start.page.body;
      const posted = await browser.request(`${idp.url}/sso/login`, { form: { request_id: formField(form, 'request_id')!, relay_state: formField(form, 'relay_state')!, login: subject } });
      assert.equal(formAction(posted.body), acs());
      const { trail } = await browser.follow(acs(), { form: { SAMLResponse: formField(posted.body, 'SAMLResponse')!, RelayState: formField(posted.body, 'RelayState')! } });
      return trail.filter((p) => p.url.startsWith(`${wg.url}/auth/`)).at(-1)!;
    }

    /** Starts a sign-in, then posts a response built by the test instead of the IdP's login page. */
    async function postCrafted(browser: TestBrowser, build: (request: { id: string }) => Promise<string>): Promise<{ page: Page; post: Record<string, string> }> {
      const start = await browser.request(`${wg.url}/auth/${name}/login?return_to=/workforce`);
      const request = await idp.readRequest(start.location!);
      const post = { SAMLResponse: await build(request), RelayState: request.relayState };
      const { trail } = await browser.follow(acs(), { form: post });
      return { page: trail.filter((p) => p.url.startsWith(`${wg.url}/auth/`)).at(-1)!, post };
    }

    const valid = (request: { id: string }, overrides: Partial<ResponseOptions> = {}) => idp.response({ requestId: request.id, nameId: people.worker.subject, email: 'wendy@example.com', ...overrides });

    it('publishes SP metadata at a stable URL: entity id, ACS, signed assertions wanted', async () => {
      const page = await new TestBrowser().request(`${wg.url}/auth/${name}/metadata`);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type')!, /samlmetadata\+xml/);
      assert.match(page.body, new RegExp(`entityID="${wg.url}/auth/${name}/metadata"`));
      assert.match(page.body, new RegExp(`Location="${acs()}"`));
      assert.match(page.body, /WantAssertionsSigned="true"/);
    });

    it('signs in an admin through the IdP: console reach and the admin API', async () => {
      const browser = new TestBrowser();
      const last = await signIn(browser, people.admin.subject, '/console');
      assert.equal(last.status, 303);
      assert.equal(last.location, `${wg.url}/console`);
      const session = await me(browser);
      assert.equal(session.body.login, people.admin.login);
      assert.deepEqual(session.body.reach, ['console']);
      assert.equal((await browser.request(`${wg.url}/api/users`)).status, 200);
      assert.equal((await lastAudit()).event, 'sign_in');
    });

    it('signs in a licensed Workforce user with a role: the Workforce API', async () => {
      const browser = new TestBrowser();
      const last = await signIn(browser, people.worker.subject, '/workforce');
      assert.equal(last.location, `${wg.url}/workforce`);
      assert.deepEqual((await me(browser)).body.reach, ['workforce']);
      assert.equal((await browser.request(`${wg.url}/api/ccw/users`)).status, 200);
    });

    const refusals: Array<[string, string, string, string]> = [
      ['an unknown identity', people.unknown.subject, '/workforce', 'unknown_identity'],
      ['an inactive user', people.inactive.subject, '/workforce', 'inactive'],
      ['a user without the Workforce licence', people.unlicensed.subject, '/workforce', 'no_licence'],
      ['a Workforce user without a role', people.roleless.subject, '/workforce', 'no_role'],
      ['a non-admin at the console', people.worker.subject, '/console', 'not_admin'],
    ];
    for (const [who, subject, returnTo, reason] of refusals) {
      it(`refuses ${who} with a page naming it, a sign-out button and an audit event`, async () => {
        const browser = new TestBrowser();
        const last = await signIn(browser, subject, returnTo);
        assert.equal(last.status, 403);
        assert.match(last.body, new RegExp(`data-reason="${reason}"`));
        assert.match(last.body, /action="\/auth\/logout"/);
        const audit = await lastAudit();
        assert.equal(audit.event, 'sign_in_refused');
        assert.equal(audit.reason, reason);
      });
    }

    const faults: Array<[string, (request: { id: string }) => Promise<string>, string, RegExp]> = [
      ['an unsigned response', async (r) => encode(decode(await valid(r)).replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '')), 'invalid_signature', /not signed by the configured identity provider/],
      ['a response signed by another certificate', (r) => valid(r, { signer: otherKeys }), 'invalid_signature', /not signed by the configured identity provider/],
      ['an assertion for another audience', (r) => valid(r, { audience: 'https://another-service.example/metadata' }), 'wrong_audience', /another service/],
      ['an assertion for another recipient', (r) => valid(r, { recipient: 'https://another-service.example/acs' }), 'wrong_recipient', /another recipient/],
      ['an expired assertion', (r) => valid(r, { notOnOrAfter: new Date(Date.now() - 10 * 60_000) }), 'expired', /expired/],
      ['a SHA-1 signature', (r) => valid(r, { signatureAlgorithm: 'http://www.w3.org/2000/09/xmldsig#rsa-sha1' }), 'weak_algorithm', /SHA-256 or stronger/],
      [
        'XML signature wrapping (a second, unsigned assertion beside the signed one)',
        async (r) => {
          const xml = decode(await valid(r));
          const signed = /<saml:Assertion[\s\S]*<\/saml:Assertion>/.exec(xml)![0];
          const forged = signed.replace(/<ds:Signature[\s\S]*?<\/ds:Signature>/, '').replace(people.worker.subject, people.admin.subject).replace(/ID="_[0-9a-f]+"/, 'ID="_forged"');
          return encode(xml.replace(signed, `${forged}${signed}`));
        },
        'invalid_signature',
        /more than one assertion/,
      ],
    ];
    for (const [what, build, reason, message] of faults) {
      it(`refuses ${what} with a clear message and an audit event`, async () => {
        const browser = new TestBrowser();
        const { page } = await postCrafted(browser, build);
        assert.equal(page.status, 400, page.body);
        assert.match(page.body, message);
        const audit = await lastAudit();
        assert.equal(audit.event, 'sign_in_refused');
        assert.equal(audit.reason, reason);
        assert.equal((await me(browser)).status, 401, 'no session');
      });
    }

    it('refuses a replayed response, and an assertion id seen before even in a fresh sign-in (on any node: it is in the database)', async () => {
      const browser = new TestBrowser();
      const assertionId = '_assertion-used-once';
      const first = await postCrafted(browser, (r) => valid(r, { assertionId }));
      assert.equal(first.page.status, 303, first.page.body);
      const again = await browser.follow(acs(), { form: first.post });
      assert.equal(again.page.status, 400);
      assert.equal((await lastAudit()).reason, 'state_missing');
      const fresh = await postCrafted(new TestBrowser(), (r) => valid(r, { assertionId }));
      assert.equal(fresh.page.status, 400);
      assert.match(fresh.page.body, /already used/);
      assert.equal((await lastAudit()).reason, 'replayed');
    });

    it('refuses a response that answers another sign-in request (InResponseTo)', async () => {
      const browser = new TestBrowser();
      const { page } = await postCrafted(browser, (r) => valid({ id: `${r.id}-another` }));
      assert.equal(page.status, 400, page.body);
      assert.match(page.body, /does not answer the sign-in request this browser started/);
      const audit = await lastAudit();
      assert.equal(audit.event, 'sign_in_refused');
      assert.equal(audit.reason, 'state_mismatch');
      assert.equal((await me(browser)).status, 401, 'no session');
    });

    it('accepts an assertion expired less than the clock skew ago (60 s here), and refuses one expired longer ago', async () => {
      const within = await postCrafted(new TestBrowser(), (r) => valid(r, { notOnOrAfter: new Date(Date.now() - 30_000) }));
      assert.equal(within.page.status, 303, within.page.body);
      const beyond = await postCrafted(new TestBrowser(), (r) => valid(r, { notOnOrAfter: new Date(Date.now() - 90_000) }));
      assert.equal(beyond.page.status, 400, beyond.page.body);
      assert.match(beyond.page.body, /expired/);
      assert.equal((await lastAudit()).reason, 'expired');
    });

    it('remembers an assertion id in the database until the assertion expires, and another node refuses its replay', async () => {
      const node2 = await startSsoWorkgate(dialect, { nodeOf: wg });
      try {
        const assertionId = '_assertion-seen-by-node-1';
        const notOnOrAfter = new Date(Date.now() + 4 * 60_000);
        const first = await postCrafted(new TestBrowser(), (r) => valid(r, { assertionId, notOnOrAfter }));
        assert.equal(first.page.status, 303, first.page.body);
        const remembered = await wg.h.database.db.kysely.selectFrom('sso_saml_assertions').select('expires_at').where('provider', '=', name).execute();
        const expiries = remembered.map((r) => new Date(r.expires_at).getTime());
        assert.ok(expiries.includes(notOnOrAfter.getTime() + 60_000), 'kept until NotOnOrAfter plus the clock skew');

        /** A sign-in started and answered on the second node (the same public URL, as behind a load balancer). */
        const onNode2 = async (id: string) => {
          const browser = new TestBrowser();
          const start = await browser.request(`${node2.url}/auth/${name}/login?return_to=/workforce`);
          const request = await idp.readRequest(start.location!);
          const post = { SAMLResponse: await valid(request, { assertionId: id }), RelayState: request.relayState };
          const { trail } = await browser.follow(`${node2.url}/auth/${name}/acs`, { form: post });
          return trail.filter((p) => p.url.startsWith(`${node2.url}/auth/`)).at(-1)!;
        };
        assert.equal((await onNode2('_assertion-new-to-both-nodes')).status, 303, 'the second node signs in with a fresh assertion');
        const replayed = await onNode2(assertionId);
        assert.equal(replayed.status, 400, replayed.body);
        assert.match(replayed.body, /already used/);
        assert.equal((await lastAudit()).reason, 'replayed');
      } finally {
        await node2.close();
      }
    });

    it('refuses a response to a request another browser started when completing in this one', async () => {
      const starter = new TestBrowser();
      const start = await starter.request(`${wg.url}/auth/${name}/login?return_to=/workforce`);
      const request = await idp.readRequest(start.location!);
      const acsAnswer = await new TestBrowser().request(acs(), { form: { SAMLResponse: await valid(request), RelayState: request.relayState } });
      assert.equal(acsAnswer.status, 303);
      const attacker = await new TestBrowser().request(acsAnswer.location!);
      assert.equal(attacker.status, 400);
      assert.equal((await lastAudit()).reason, 'state_missing');
    });
  });
}
