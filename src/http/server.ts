import crypto from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import type { CoreService } from '../core/index.ts';
import type { Db } from '../db/index.ts';
import { pgpAdminRoutes, pgpPublicRoutes, type PgpService } from '../pgp/index.ts';
import { transferAdminRoutes, type TransferAccounts } from '../transfer/index.ts';
import { sftpAdminRoutes, type SftpAdminView } from '../transfer/sftp/index.ts';
import { AppError } from '../shared/errors.ts';
import { registerOpenApi } from './api/openapi.ts';
import { renderError } from './api/render/errors.ts';
import { negotiateFormat } from './api/render/format.ts';
import { coreResources, registerCoreApi } from './api/resources/core.resources.ts';
import { contentTypes } from './api/respond.ts';
import { authPlugin, oauthRoutes, registerOAuthClientRoutes, type AuthService } from './auth/index.ts';
import { createSessionAuthenticator, registerSsoApi, ssoRoutes, type SsoService } from './sso/index.ts';
import { registerBodyParsers } from './body-parsers.ts';
import { registerSyncAdminApi } from './admin/sync.routes.ts';
import { registerCcwApi } from './api/ccw/ccw.routes.ts';
import { ccwComponents, ccwOperations } from './api/ccw/ccw.schemas.ts';
import type { SyncService } from '../sync/index.ts';
import type { WorkforceService } from '../workforce/index.ts';
import { createHttpMetrics } from './metrics.ts';
import { waitForInFlightOnClose } from './in-flight.ts';
import { runsRoutes, type RunsRoutesOptions } from '../feeds/index.ts';
import { defaultWebDir, webPages, type WebPagesOptions } from './web/web-pages.ts';

export interface HttpAppDeps {
  db: Db;
  log: Logger;
  core: CoreService;
  auth: AuthService;
  /** With sync: the Workforce API (/api/ccw/) and the sync admin routes. */
  workforce?: WorkforceService;
  sync?: SyncService;
  rateLimit: { perSecond: number; burst: number; appliesToAdminKey: boolean };
  trustProxy?: boolean;
  clock?: () => Date;
  /** PGP: when given, GET /api/pgp/public-key (public) and the PGP admin routes are served. */
  pgp?: PgpService;
  /** SFTP accounts: when given, the SFTP admin API (/api/admin/sftp-accounts, /api/admin/sftp-bans) is served. */
  transfer?: TransferAccounts;
  /** SFTP host keys and live sessions (/api/admin/sftp-host-keys, .../sessions) and the `sftp` entry of /healthz. */
  sftp?: SftpAdminView;
  /** The feed pipeline's records: /api/data_file_sources. */
  runs?: RunsRoutesOptions;
  /** Sign-in of people: /auth/..., GET /api/me, browser sessions on /api, the identity-provider admin API. */
  sso?: SsoService;
  /** The console and Workforce pages (web/dist by default; false: none). Without a build they answer how to build it. */
  web?: WebPagesOptions | false;
}

export const BODY_LIMIT = 1024 * 1024;
const requestIdPattern = /^[A-Za-z0-9._-]{1,64}$/;

/** The HTTP face: Core-compatible API, OAuth token endpoint, health and metrics. */
export async function buildHttpApp(deps: HttpAppDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.log as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    trustProxy: deps.trustProxy ?? false,
    requestIdHeader: false,
    genReqId: (req) => {
      const given = req.headers['x-request-id'];
      return typeof given === 'string' && requestIdPattern.test(given) ? given : crypto.randomUUID();
    },
    routerOptions: { maxParamLength: 200 },
    return503OnClosing: true,
  });
  const metrics = createHttpMetrics();
  // Closing waits for every handler, also of clients gone away: the caller closes the database next.
  waitForInFlightOnClose(app);

  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });
  app.addHook('onResponse', async (request, reply) => {
    metrics.requestDuration.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) => {
    handleError(new AppError('not_found', `no route for ${request.method} ${request.url.split('?')[0]}`), request, reply);
  });
  registerBodyParsers(app);

  app.get('/healthz', async (_request, reply) => {
    try {
      await deps.db.kysely.selectFrom('core_roles').select('id').limit(1).execute();
      return { status: 'ok', database: deps.db.adapter.name, ...(deps.sftp ? { sftp: deps.sftp.health() } : {}) };
    } catch {
      return reply.code(503).send({ status: 'unavailable', database: deps.db.adapter.name });
    }
  });
  app.get('/metrics', async (_request, reply) => {
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  await app.register(oauthRoutes, { auth: deps.auth, ...(deps.clock ? { clock: deps.clock } : {}) });
  const resources = coreResources(deps.core);
  registerOpenApi(app, resources, deps.workforce && deps.sync ? { operations: Object.values(ccwOperations), components: ccwComponents } : undefined);
  if (deps.pgp) pgpPublicRoutes(app, deps.pgp);
  if (deps.sso) await app.register(ssoRoutes, { sso: deps.sso });
  if (deps.web !== false) await app.register(webPages, deps.web ?? { dir: defaultWebDir });
  await app.register(async (api) => {
    const sessions = deps.sso ? { sessions: createSessionAuthenticator(deps.sso) } : {};
    await api.register(authPlugin, { auth: deps.auth, rateLimit: deps.rateLimit, ...sessions, ...(deps.clock ? { clock: deps.clock } : {}) });
    registerCoreApi(api, deps.core, resources);
    registerOAuthClientRoutes(api, deps.auth);
    if (deps.sso) registerSsoApi(api, deps.sso);
    if (deps.workforce && deps.sync) {
      registerCcwApi(api, { workforce: deps.workforce, sync: deps.sync });
      registerSyncAdminApi(api, deps.sync);
    }
    if (deps.transfer) await api.register(transferAdminRoutes, { transfer: deps.transfer });
    if (deps.sftp) await api.register(sftpAdminRoutes, { sftp: deps.sftp });
    if (deps.pgp) pgpAdminRoutes(api, deps.pgp);
    if (deps.runs) await api.register(runsRoutes, deps.runs);
  });
  return app;
}

function handleError(error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply): void {
  const format = negotiateFormat(request.headers.accept) ?? 'json';
  const appError = toAppError(error);
  if (appError.status >= 500) request.log.error({ err: error }, 'request failed');
  else request.log.info({ code: appError.code, message: appError.message }, 'request refused');
  const rendered = renderError(appError, format);
  reply.code(rendered.status).type(contentTypes[format]).send(rendered.body);
}

/** Fastify's own errors (415, 413, malformed bodies) keep their status and message. */
function toAppError(error: FastifyError | Error): AppError {
  if (error instanceof AppError) return error;
  const status = (error as FastifyError).statusCode;
  if (status === 413) return new AppError('payload_too_large', `request body is larger than ${BODY_LIMIT} bytes`);
  if (status === 415) return new AppError('unsupported_media_type', `${error.message}; send application/json or application/xml`);
  if (status !== undefined && status >= 400 && status < 500) return new AppError('bad_request', error.message);
  return new AppError('internal', 'Internal server error', { cause: error });
}
