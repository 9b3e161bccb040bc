import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../shared/errors.ts';
import type { TokenIssuer } from './auth.service.ts';
import type { ClientCredentials } from './oauth-clients.ts';
import { OAuthError } from './oauth.errors.ts';
import { createRateLimiter, type RateLimiter, type RateLimitSettings } from './rate-limiter.ts';

export interface OAuthRoutesOptions {
  auth: TokenIssuer;
  clock?: () => Date;
  /**
   * Token requests are limited per client id and per remote address (request.ip, so behind a proxy set
   * trustProxy), before any secret is checked. Defaults: 1/s with bursts of 10 per client, 10/s with bursts of
   * 100 per address; a client needs one token a day.
   */
  limits?: { perClient?: RateLimitSettings; perAddress?: RateLimitSettings };
}

const formType = 'application/x-www-form-urlencoded';
const bodyLimit = 8 * 1024;
const maxAuthorizationLength = 1024;
const singleParameters = ['grant_type', 'client_id', 'client_secret', 'scope'] as const;
type TokenParameters = Partial<Record<(typeof singleParameters)[number], string>>;

/** RFC 6749 parameters: each at most once (section 3.2), empty meaning absent. */
export function readTokenParameters(form: URLSearchParams): TokenParameters {
  const parameters: TokenParameters = {};
  for (const name of singleParameters) {
    const values = form.getAll(name);
    if (values.length > 1) throw new OAuthError('invalid_request', `parameter ${name} is repeated`);
    if (values[0]) parameters[name] = values[0];
  }
  return parameters;
}

function formDecode(part: string): string {
  try {
    return decodeURIComponent(part.replace(/\+/g, ' '));
  } catch {
    throw new OAuthError('invalid_client', 'client authentication failed');
  }
}

/** HTTP Basic per RFC 6749 2.3.1: id and secret each form-encoded, then joined by ":" and base64-encoded. */
export function readBasicCredentials(authorization: string | undefined): ClientCredentials | undefined {
  if (authorization === undefined || !/^Basic /i.test(authorization)) return undefined;
  if (authorization.length > maxAuthorizationLength) throw new OAuthError('invalid_request', 'Authorization header too long');
  const decoded = Buffer.from(authorization.slice('Basic '.length).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) throw new OAuthError('invalid_client', 'client authentication failed');
  return { clientId: formDecode(decoded.slice(0, colon)), clientSecret: formDecode(decoded.slice(colon + 1)) };
}

function clientCredentials(basic: ClientCredentials | undefined, parameters: TokenParameters): ClientCredentials {
  const inBody = parameters.client_id !== undefined || parameters.client_secret !== undefined;
  if (basic && inBody) throw new OAuthError('invalid_request', 'authenticate the client either with HTTP Basic or in the body, not both');
  if (basic) return basic;
  const { client_id: clientId, client_secret: clientSecret } = parameters;
  if (clientId === undefined || clientSecret === undefined) throw new OAuthError('invalid_client', 'client authentication failed');
  return { clientId, clientSecret };
}

function checkGrantType(grantType: string | undefined): void {
  if (grantType === undefined) throw new OAuthError('invalid_request', 'grant_type is required');
  if (grantType !== 'client_credentials') throw new OAuthError('unsupported_grant_type', `grant_type ${grantType} is not supported; use client_credentials`);
}

function enforce(limiter: RateLimiter, key: string, nowMs: number, reply: FastifyReply): void {
  const decision = limiter.take(key, nowMs);
  if (decision.allowed) return;
  reply.header('Retry-After', String(decision.retryAfterSeconds));
  throw new AppError('rate_limited', `too many token requests; retry after ${decision.retryAfterSeconds} s`);
}

/** RFC 6749 section 5.2 bodies for everything this endpoint refuses; anything else goes to the parent handler. */
function renderError(error: FastifyError | AppError, _request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof OAuthError) return reply.code(error.status).send({ error: error.oauthError, error_description: error.message });
  if (error instanceof AppError && error.code === 'rate_limited') return reply.code(429).send({ error: 'rate_limited', error_description: error.message });
  const status = 'statusCode' in error ? error.statusCode : undefined;
  if (status !== undefined && status >= 400 && status < 500) {
    return reply.code(400).send({ error: 'invalid_request', error_description: error.message });
  }
  throw error;
}

/**
 * `POST /oauth2/token`, client credentials grant (RFC 6749 4.4). Register it outside the authenticated /api
 * scope. Its scope accepts only form bodies of at most 8 KiB and renders its own errors.
 */
export async function oauthRoutes(app: FastifyInstance, options: OAuthRoutesOptions): Promise<void> {
  const clock = options.clock ?? (() => new Date());
  const perClient = createRateLimiter(options.limits?.perClient ?? { perSecond: 1, burst: 10 });
  const perAddress = createRateLimiter(options.limits?.perAddress ?? { perSecond: 10, burst: 100 });

  app.removeAllContentTypeParsers();
  app.addContentTypeParser(formType, { parseAs: 'string', bodyLimit }, (_request, body, done) => {
    done(null, new URLSearchParams(String(body)));
  });
  app.setErrorHandler(renderError);
  app.addHook('onRequest', async (_request, reply) => {
    reply.header('Cache-Control', 'no-store').header('Pragma', 'no-cache');
  });

  app.post('/oauth2/token', { bodyLimit }, async (request, reply) => {
    const nowMs = clock().getTime();
    enforce(perAddress, request.ip, nowMs, reply);
    if (!(request.body instanceof URLSearchParams)) throw new OAuthError('invalid_request', `send the parameters as ${formType}`);
    const parameters = readTokenParameters(request.body);
    checkGrantType(parameters.grant_type);
    const usedBasic = /^Basic /i.test(request.headers.authorization ?? '');
    try {
      const credentials = clientCredentials(readBasicCredentials(request.headers.authorization), parameters);
      enforce(perClient, credentials.clientId.slice(0, 100), nowMs, reply);
      const requested = parameters.scope?.split(' ').filter(Boolean);
      const issued = await options.auth.issueToken(credentials.clientId, credentials.clientSecret, requested);
      return reply.send({ access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn, scope: issued.scope });
    } catch (error) {
      if (usedBasic && error instanceof OAuthError && error.oauthError === 'invalid_client') reply.header('WWW-Authenticate', 'Basic realm="workgate"');
      throw error;
    }
  });
}
