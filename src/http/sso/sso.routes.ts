import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../../shared/errors.ts';
import { chooserBody, errorBody, sendPage } from './pages.ts';
import { checkedReturnTo, completeSignIn, findEnabledProvider, startSignIn, takeBoundState, type Verified } from './sign-in.ts';
import { registerLocalRoutes } from './local.routes.ts';
import { registerLogoutRoutes } from './logout.routes.ts';
import { SsoError } from './sso.errors.ts';
import type { SsoService } from './sso.service.ts';
import type { Identity } from './access.ts';
import { param } from './params.ts';

export interface SsoRoutesOptions {
  sso: SsoService;
}

const formType = 'application/x-www-form-urlencoded';
/** A SAML response with its base64 and some room for RelayState. */
const formBodyLimit = 600 * 1024;

type Params = { name: string };

function providerName(request: FastifyRequest): string {
  return (request.params as Params).name ?? '';
}

/** Refusals render as pages (each audited once); other errors as a plain page without details. */
function pageForError(sso: SsoService) {
  return async (error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) => {
    const name = providerName(request) || undefined;
    const retry = name && name !== 'local' ? `/auth/${encodeURIComponent(name)}/login` : null;
    if (error instanceof SsoError) {
      if (!error.audited) {
        const event = error.reason === 'csrf' ? 'csrf_refused' : 'sign_in_refused';
        await sso.audit.record({ event, provider: name ?? null, address: request.ip, reason: error.reason, message: error.message });
      }
      request.log.info({ reason: error.reason, cause: error.cause instanceof Error ? error.cause.message : undefined }, 'sign-in refused');
      return sendPage(reply, error.status, 'Sign-in refused', errorBody(error.message, retry));
    }
    const status = (error as FastifyError).statusCode ?? (error instanceof AppError ? error.status : 500);
    if (status >= 500) request.log.error({ err: error }, 'sign-in failed');
    const message = status === 413 ? 'The request is too large.' : status < 500 ? 'The request was not understood.' : 'Something went wrong on our side; please try again.';
    return sendPage(reply, status >= 400 && status < 600 ? status : 500, 'Sign-in failed', errorBody(message, retry));
  };
}

function registerProviderRoutes(app: FastifyInstance, sso: SsoService): void {
  app.get('/auth/login', async (request, reply) => {
    const returnTo = checkedReturnTo(param(request.query, 'return_to'));
    const providers = (await sso.providers.list()).filter((p) => p.enabled).map((p) => p.name);
    return sendPage(reply, 200, 'Sign in to Workgate', chooserBody(providers, returnTo));
  });

  app.get<{ Params: Params }>('/auth/:name/login', async (request, reply) => {
    const returnTo = checkedReturnTo(param(request.query, 'return_to'));
    return startSignIn(sso, await findEnabledProvider(sso, request.params.name), returnTo, reply);
  });

  // OpenID Connect redirect URI.
  app.get<{ Params: Params }>('/auth/:name/callback', async (request, reply) => {
    const provider = await findEnabledProvider(sso, request.params.name);
    if (provider.kind !== 'oidc') throw new SsoError('bad_request', `${provider.name} is not an OpenID Connect provider.`, { status: 404 });
    const state = await takeBoundState(sso, request, reply, provider.name);
    const search = request.url.includes('?') ? request.url.slice(request.url.indexOf('?')) : '';
    const result = await sso.oidc.finish(provider, state, new URL(`/auth/${provider.name}/callback${search}`, sso.publicUrl()));
    const verified: Verified = { provider: provider.name, identity: result.identity, fallback: provider.settings.fallback, idToken: result.idToken, returnTo: state.returnTo };
    return completeSignIn(sso, request, reply, verified);
  });

  // SAML assertion consumer service (HTTP-POST): verifies, then hands over to a GET that carries our cookie.
  app.post<{ Params: Params }>('/auth/:name/acs', { bodyLimit: formBodyLimit }, async (request, reply) => {
    const provider = await findEnabledProvider(sso, request.params.name);
    if (provider.kind !== 'saml') throw new SsoError('bad_request', `${provider.name} is not a SAML provider.`, { status: 404 });
    const samlResponse = param(request.body, 'SAMLResponse', formBodyLimit);
    const relayState = param(request.body, 'RelayState', 128);
    if (!samlResponse) throw new SsoError('invalid_response', 'The request carries no SAMLResponse.');
    const state = relayState ? await sso.loginStates.findOpenByState(relayState) : undefined;
    if (!state || state.provider !== provider.name) {
      throw new SsoError('state_missing', 'This SAML response does not answer a sign-in started here (unknown, used or expired RelayState); identity-provider-initiated sign-in is not accepted.');
    }
    let identity: Identity;
    try {
      identity = await sso.saml.finish(provider, state, samlResponse, sso.spUrls(provider.name));
    } catch (error) {
      await sso.loginStates.drop(state.state);
      throw error;
    }
    if (!(await sso.loginStates.complete(state.state, JSON.stringify(identity)))) throw new SsoError('replayed', 'This sign-in already received a response.');
    return reply.header('Cache-Control', 'no-store').redirect(`/auth/${provider.name}/complete?state=${encodeURIComponent(state.state)}`, 303);
  });

  app.get<{ Params: Params }>('/auth/:name/complete', async (request, reply) => {
    const provider = await findEnabledProvider(sso, request.params.name);
    const state = await takeBoundState(sso, request, reply, provider.name);
    if (!state.identity || state.state !== param(request.query, 'state', 128)) {
      throw new SsoError('state_mismatch', 'This completion does not belong to the sign-in this browser started. Please start again.');
    }
    const verified: Verified = { provider: provider.name, identity: JSON.parse(state.identity) as Identity, fallback: provider.settings.fallback, returnTo: state.returnTo };
    return completeSignIn(sso, request, reply, verified);
  });

  app.get<{ Params: Params }>('/auth/:name/metadata', async (request, reply) => {
    const provider = await sso.providers.find(request.params.name).catch(() => undefined);
    if (!provider || provider.kind !== 'saml') throw new SsoError('unknown_provider', `There is no SAML provider named "${request.params.name.slice(0, 64)}".`, { status: 404 });
    return reply.type('application/samlmetadata+xml; charset=utf-8').send(sso.saml.metadata(provider, sso.spUrls(provider.name)));
  });
}

/** /auth/...: sign-in with the configured providers, the break-glass form, sign-out. Register outside /api. */
export async function ssoRoutes(app: FastifyInstance, options: SsoRoutesOptions): Promise<void> {
  const { sso } = options;
  app.removeAllContentTypeParsers();
  app.addContentTypeParser(formType, { parseAs: 'string', bodyLimit: formBodyLimit }, (_request, body, done) => {
    done(null, new URLSearchParams(String(body)));
  });
  app.setErrorHandler(pageForError(sso));
  registerProviderRoutes(app, sso);
  registerLocalRoutes(app, sso);
  registerLogoutRoutes(app, sso);
}
