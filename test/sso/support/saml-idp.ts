import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import * as samlify from 'samlify';

/**
 * The customer's SAML 2.0 identity provider: samlify in IdP mode on a loopback port. It reads Workgate's SP
 * metadata, takes AuthnRequests (HTTP-Redirect), shows a one-field login page, and answers with a signed
 * assertion through an auto-posting form (HTTP-POST). `response()` builds answers with chosen faults.
 */
export interface SamlIdp {
  url: string;
  entityId: string;
  metadata(): string;
  /** A base64 SAMLResponse for a request, signed with this IdP's key unless another is given. */
  response(options: ResponseOptions): Promise<string>;
  /** Reads an AuthnRequest URL (Workgate's redirect) and returns its id and RelayState. */
  readRequest(requestUrl: string): Promise<{ id: string; relayState: string }>;
  close(): Promise<void>;
}

export interface ResponseOptions {
  requestId: string;
  nameId: string;
  email?: string;
  audience?: string;
  recipient?: string;
  notOnOrAfter?: Date;
  assertionId?: string;
  /** Sign with this key pair instead of the IdP's (a certificate Workgate does not trust). */
  signer?: KeyPair;
  signatureAlgorithm?: string;
}

export interface KeyPair {
  key: string;
  cert: string;
}

const redirectBinding = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const rsaSha256 = 'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256';

samlify.setSchemaValidator({ validate: async () => 'skipped: the test IdP trusts Workgate' });

/** A self-signed RSA certificate from OpenSSL, like an IdP's signing certificate. */
export function makeKeyPair(commonName: string): KeyPair {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-idp-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', `/CN=${commonName}`, '-days', '2', '-keyout', path.join(dir, 'key.pem'), '-out', path.join(dir, 'cert.pem')], { stdio: 'ignore' });
    return { key: fs.readFileSync(path.join(dir, 'key.pem'), 'utf8'), cert: fs.readFileSync(path.join(dir, 'cert.pem'), 'utf8') };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const xmlEscape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function attributeStatement(email: string | undefined): string {
  if (!email) return '';
  return `<saml:AttributeStatement><saml:Attribute Name="email" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:basic"><saml:AttributeValue xsi:type="xs:string">${xmlEscape(email)}</saml:AttributeValue></saml:Attribute></saml:AttributeStatement>`;
}

export async function startSamlIdp(options: { spMetadataUrl: string; keys: KeyPair }): Promise<SamlIdp> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const entityId = `${url}/metadata`;
  const makeIdp = (keys: KeyPair, signatureAlgorithm = rsaSha256) =>
    samlify.IdentityProvider({ entityID: entityId, privateKey: keys.key, signingCert: keys.cert, requestSignatureAlgorithm: signatureAlgorithm, singleSignOnService: [{ Binding: redirectBinding, Location: `${url}/sso` }] });
  const idp = makeIdp(options.keys);
  let sp: ReturnType<typeof samlify.ServiceProvider> | undefined;
  const serviceProvider = async () => (sp ??= samlify.ServiceProvider({ metadata: await (await fetch(options.spMetadataUrl)).text() }));

  async function response(o: ResponseOptions): Promise<string> {
    const target = await serviceProvider();
    const signer = o.signer || o.signatureAlgorithm ? makeIdp(o.signer ?? options.keys, o.signatureAlgorithm) : idp;
    const now = new Date();
    const end = (o.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000)).toISOString();
    const acs = target.entityMeta.getAssertionConsumerService('post') as string;
    const id = `_${crypto.randomBytes(16).toString('hex')}`;
    const values = {
      ID: id,
      AssertionID: o.assertionId ?? `_${crypto.randomBytes(16).toString('hex')}`,
      Destination: acs,
      Audience: o.audience ?? target.entityMeta.getEntityID(),
      SubjectRecipient: o.recipient ?? acs,
      Issuer: entityId,
      IssueInstant: now.toISOString(),
      StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
      ConditionsNotBefore: new Date(now.getTime() - 60_000).toISOString(),
      ConditionsNotOnOrAfter: end,
      SubjectConfirmationDataNotOnOrAfter: end,
      NameIDFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified',
      NameID: xmlEscape(o.nameId),
      InResponseTo: o.requestId,
      AuthnStatement: `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${id}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`,
      AttributeStatement: attributeStatement(o.email),
    };
    const result = await signer.createLoginResponse(target, { extract: { request: { id: o.requestId } } }, 'post', {}, {
      customTagReplacement: (template: string) => ({ id, context: samlify.SamlLib.replaceTagsByValue(template, values) }),
    });
    return (result as { context: string }).context;
  }

  async function readRequest(requestUrl: string): Promise<{ id: string; relayState: string }> {
    const target = new URL(requestUrl);
    const query = Object.fromEntries(target.searchParams);
    const parsed = await idp.parseLoginRequest(await serviceProvider(), 'redirect', { query, octetString: target.search.slice(1) } as never);
    return { id: String((parsed.extract as { request: { id: string } }).request.id), relayState: query.RelayState ?? '' };
  }

  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    void handle(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const target = new URL(req.url ?? '/', url);
    res.setHeader('content-type', 'text/html; charset=utf-8');
    if (target.pathname === '/metadata') {
      res.setHeader('content-type', 'application/samlmetadata+xml');
      return void res.end(idp.getMetadata());
    }
    if (target.pathname === '/sso' && req.method === 'GET') {
      const request = await readRequest(target.href);
      return void res.end(`<!doctype html><title>Test SAML IdP</title><form method="post" action="/sso/login"><input type="hidden" name="request_id" value="${xmlEscape(request.id)}"><input type="hidden" name="relay_state" value="${xmlEscape(request.relayState)}"><label for="login">Subject</label><input id="login" name="login"><button type="submit">Continue</button></form>`);
    }
    if (target.pathname === '/sso/login' && req.method === 'POST') {
      const chunks: Buffer[] = [];
      for await (const chunk of req) chunks.push(chunk as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
      const nameId = form.get('login') ?? '';
      const samlResponse = await response({ requestId: form.get('request_id') ?? '', nameId, email: `${nameId.replace(/^sub-/, '')}@example.com` });
      const acs = (await serviceProvider()).entityMeta.getAssertionConsumerService('post') as string;
      return void res.end(`<!doctype html><title>Signing in</title><body onload="document.forms[0].submit()"><form method="post" action="${xmlEscape(acs)}"><input type="hidden" name="SAMLResponse" value="${samlResponse}"><input type="hidden" name="RelayState" value="${xmlEscape(form.get('relay_state') ?? '')}"><noscript><button type="submit">Continue</button></noscript></form></body>`);
    }
    res.statusCode = 404;
    res.end('not found');
  }

  return { url, entityId, metadata: () => idp.getMetadata(), response, readRequest, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
