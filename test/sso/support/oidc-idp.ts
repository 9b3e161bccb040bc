import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * The customer's OpenID Connect provider: the npm oidc-provider on a loopback port, with a one-field login page
 * (the test says who it is) and no consent step. `tamper` rewrites the token endpoint's answer, for the tests of
 * what Workgate must refuse.
 */
export interface OidcIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Accounts the provider knows: subject -> claims. */
  accounts: Map<string, Record<string, unknown>>;
  tamper: ((tokenResponse: Record<string, unknown>) => Record<string, unknown>) | undefined;
  /** Signs a JWT with the provider's own key (for id_tokens with chosen claims). */
  sign(payload: Record<string, unknown>, header: Record<string, unknown>): string;
  close(): Promise<void>;
}

const escape = (value: string) => value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

async function readForm(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Captures what the provider answers on /token and lets the test rewrite it. */
function interceptToken(res: http.ServerResponse, rewrite: (body: Record<string, unknown>) => Record<string, unknown>): void {
  const end = res.end.bind(res) as (chunk?: unknown) => http.ServerResponse;
  res.end = ((chunk?: unknown) => {
    if (chunk === undefined || res.statusCode !== 200) return end(chunk);
    const body = JSON.stringify(rewrite(JSON.parse(Buffer.from(chunk as Buffer).toString('utf8')) as Record<string, unknown>));
    res.setHeader('content-length', Buffer.byteLength(body));
    return end(body);
  }) as typeof res.end;
}

export async function startOidcIdp(options: { workgateUrl: string; providerName: string }): Promise<OidcIdp> {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const idp: OidcIdp = {
    issuer,
    clientId: 'workgate-test',
    clientSecret: crypto.randomBytes(24).toString('base64url'),
    accounts: new Map(),
    tamper: undefined,
    sign(payload, header) {
      const encode = (part: unknown) => Buffer.from(JSON.stringify(part)).toString('base64url');
      const input = `${encode(header)}.${encode(payload)}`;
      return `${input}.${crypto.sign('sha256', Buffer.from(input), privateKey).toString('base64url')}`;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: idp.clientId,
        client_secret: idp.clientSecret,
        redirect_uris: [`${options.workgateUrl}/auth/${options.providerName}/callback`],
        post_logout_redirect_uris: [`${options.workgateUrl}/auth/logged-out`],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    jwks: { keys: [jwk] },
    cookies: { keys: [crypto.randomBytes(16).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['preferred_username', 'name', 'employee_id'] },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    findAccount: async (_ctx: unknown, sub: string) => {
      const claims = idp.accounts.get(sub);
      return claims ? { accountId: sub, claims: async () => ({ sub, ...claims }) } : undefined;
    },
    loadExistingGrant: async (ctx: { oidc: { client: { clientId: string }; session: { accountId: string } } }) => {
      const grant = new provider.Grant({ accountId: ctx.oidc.session.accountId, clientId: ctx.oidc.client.clientId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  });
  const callback = provider.callback();
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    void handle(req, res).catch((error: unknown) => {
      res.statusCode = 500;
      res.end(String(error));
    });
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const path = new URL(req.url ?? '/', issuer).pathname;
    if (path.startsWith('/interaction/')) {
      const uid = path.split('/')[2]!;
      await provider.interactionDetails(req, res);
      if (req.method === 'POST') {
        const login = (await readForm(req)).get('login') ?? '';
        return provider.interactionFinished(req, res, { login: { accountId: login } }, { mergeWithLastSubmission: false });
      }
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(`<!doctype html><title>Test IdP</title><form method="post" action="/interaction/${escape(uid)}"><label for="login">Subject</label><input id="login" name="login"><button type="submit">Continue</button></form>`);
      return;
    }
    if (path === '/token' && idp.tamper) interceptToken(res, idp.tamper);
    callback(req, res);
  }
  return idp;
}

/** A JWT's parts, decoded. */
export function decodeJwt(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: string } {
  const [header, payload, signature] = token.split('.') as [string, string, string];
  const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
  return { header: decode(header), payload: decode(payload), signature };
}
