import type { Logger } from 'pino';
import type { CoreService } from '../../core/index.ts';
import type { Db } from '../../db/index.ts';
import type { WorkforceService } from '../../workforce/index.ts';
import { evaluateUserId, localAdminAccess, type AccessDeps } from './access.ts';
import { createSsoAudit } from './audit.ts';
import type { CookiePolicy } from './cookies.ts';
import { createLocalAdmins } from './local-admins.ts';
import { createLoginStates } from './login-states.ts';
import { createOidc } from './oidc.ts';
import { createProvidersService } from './providers.service.ts';
import { createSaml, type SpUrls } from './saml.ts';
import { createSessions, type Session, type SessionSettings } from './sessions.ts';

export interface SsoSettings {
  /** Where browsers reach Workgate, e.g. https://workgate.example.com: redirect URIs, SAML URLs, Secure cookies. */
  publicUrl: () => string;
  session: SessionSettings;
  /** Accepted clock difference with identity providers (id_token and assertion times). */
  clockSkewSeconds: number;
}

export interface SsoDeps {
  db: Db;
  clock: () => Date;
  log: Logger;
  core: Pick<CoreService, 'users'>;
  workforce?: Pick<WorkforceService, 'users'>;
  settings: SsoSettings;
}

/** Sign-in of people: providers, sign-ins in progress, sessions, break-glass admins, audit. One per process. */
export function createSsoService(deps: SsoDeps) {
  const { db, clock, log } = deps;
  const audit = createSsoAudit({ db, clock, log });
  const oidc = createOidc({ clockToleranceSeconds: deps.settings.clockSkewSeconds });
  const saml = createSaml({ db, clock, clockSkewMs: deps.settings.clockSkewSeconds * 1000 });
  const accessDeps: AccessDeps = { core: deps.core, ...(deps.workforce ? { workforce: deps.workforce } : {}) };
  const localAdmins = createLocalAdmins({ db, clock, audit });
  const providers = createProvidersService({ db, clock, audit, probeOidc: (settings) => oidc.probe(settings), changed: (name) => oidc.forget(name) });

  async function reevaluate(session: Session) {
    if (session.localAdminId !== null) return (await localAdmins.isActive(session.localAdminId)) ? localAdminAccess(session.access.login ?? 'admin') : null;
    if (session.coreUserId !== null) return evaluateUserId(accessDeps, session.coreUserId);
    return session.access;
  }

  const sessions = createSessions({ db, clock, settings: deps.settings.session, reevaluate });

  function publicUrl(): string {
    return deps.settings.publicUrl().replace(/\/+$/, '');
  }

  return {
    log,
    clock,
    audit,
    oidc,
    saml,
    providers,
    localAdmins,
    sessions,
    loginStates: createLoginStates({ db, clock }),
    access: accessDeps,
    publicUrl,
    cookiePolicy: (): CookiePolicy => ({ secure: publicUrl().startsWith('https:') }),
    spUrls: (name: string): SpUrls => ({ entityId: `${publicUrl()}/auth/${name}/metadata`, acsUrl: `${publicUrl()}/auth/${name}/acs` }),
    redirectUri: (name: string): string => `${publicUrl()}/auth/${name}/callback`,
  };
}

export type SsoService = ReturnType<typeof createSsoService>;
