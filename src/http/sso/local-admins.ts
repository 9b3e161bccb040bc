import { toBool, toDate, type Db } from '../../db/index.ts';
import { AppError, NotFoundError, ValidationError } from '../../shared/errors.ts';
import { hashSecret, verifySecret } from '../auth/index.ts';
import type { SsoAudit } from './audit.ts';
import { SsoError } from './sso.errors.ts';

export interface LocalAdminInfo {
  id: number;
  login: string;
  disabled: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
}

/** The break-glass form: this many wrong passwords for one login (or from one address) in the window lock it. */
export const localLoginLimits = { perLogin: 5, perAddress: 20, windowSeconds: 900 } as const;
const loginPattern = /^[A-Za-z0-9._@-]{1,100}$/;
const resource = 'local admin';

function checkPassword(password: string): string {
  if (password.length < 12) throw new ValidationError(resource, [{ field: 'password', message: 'Password must be at least 12 characters' }]);
  if (password.length > 1024) throw new ValidationError(resource, [{ field: 'password', message: 'Password must be at most 1024 characters' }]);
  return password;
}

function checkLogin(login: string): string {
  if (!loginPattern.test(login)) throw new ValidationError(resource, [{ field: 'login', message: 'Login must be 1 to 100 letters, digits or . _ @ -' }]);
  return login;
}

/** Local break-glass admins (argon2id passwords): the console before any identity provider exists, or when it fails. */
export function createLocalAdmins(deps: { db: Db; clock: () => Date; audit: SsoAudit }) {
  const k = deps.db.kysely;
  let dummyHash: Promise<string> | undefined;

  async function setDisabled(login: string, disabled: boolean, actor: string): Promise<void> {
    const result = await k.updateTable('sso_local_admins').set({ disabled, updated_at: deps.clock().toISOString() }).where('login', '=', login).executeTakeFirst();
    if (Number(result.numUpdatedRows) === 0) throw new NotFoundError(resource, login);
    await deps.audit.record({ event: disabled ? 'local_admin_disabled' : 'local_admin_enabled', login, message: `by ${actor}` });
  }

  async function refuse(login: string, address: string, reason: 'bad_credentials' | 'rate_limited', message: string): Promise<never> {
    await deps.audit.record({ event: 'local_login_refused', provider: 'local', login, address, reason, message });
    throw new SsoError(reason, message, { status: reason === 'rate_limited' ? 429 : 401 });
  }

  return {
    async create(login: string, password: string, actor: string): Promise<LocalAdminInfo> {
      const checked = checkLogin(login);
      const hash = await hashSecret(checkPassword(password));
      const now = deps.clock().toISOString();
      try {
        await k.insertInto('sso_local_admins').values({ login: checked, password_hash: hash, disabled: false, last_login_at: null, created_at: now, updated_at: now }).execute();
      } catch (error) {
        if (deps.db.adapter.isUniqueViolation(error)) throw new AppError('conflict', `local admin ${checked} already exists`);
        throw error;
      }
      await deps.audit.record({ event: 'local_admin_created', login: checked, message: `by ${actor}` });
      return (await this.list()).find((a) => a.login === checked)!;
    },

    disable: (login: string, actor: string) => setDisabled(login, true, actor),
    enable: (login: string, actor: string) => setDisabled(login, false, actor),

    async list(): Promise<LocalAdminInfo[]> {
      const rows = await k.selectFrom('sso_local_admins').select(['id', 'login', 'disabled', 'last_login_at', 'created_at']).orderBy('login').execute();
      return rows.map((r) => ({ id: Number(r.id), login: r.login, disabled: toBool(r.disabled), lastLoginAt: r.last_login_at ? toDate(r.last_login_at) : null, createdAt: toDate(r.created_at) }));
    },

    /** Is this local admin still allowed (for sessions already open)? */
    async isActive(id: number): Promise<boolean> {
      const row = await k.selectFrom('sso_local_admins').select('disabled').where('id', '=', id).executeTakeFirst();
      return row !== undefined && !toBool(row.disabled);
    },

    /**
     * Checks a password; every refusal is audited and looks the same (unknown login, wrong password, disabled).
     * Too many recent failures refuse before any password is checked.
     */
    async verify(login: string, password: string, address: string): Promise<{ id: number; login: string }> {
      const since = new Date(deps.clock().getTime() - localLoginLimits.windowSeconds * 1000);
      const recent = await deps.audit.recentLocalFailures(login.slice(0, 255), address, since);
      if (recent.byLogin >= localLoginLimits.perLogin || recent.byAddress >= localLoginLimits.perAddress) {
        await refuse(login.slice(0, 255), address, 'rate_limited', `Too many failed sign-ins: try again in ${localLoginLimits.windowSeconds / 60} minutes.`);
      }
      const row = loginPattern.test(login) && password.length <= 1024 ? await k.selectFrom('sso_local_admins').selectAll().where('login', '=', login).executeTakeFirst() : undefined;
      dummyHash ??= hashSecret('not-a-password-of-anyone');
      const matches = await verifySecret(password.slice(0, 1024), row?.password_hash ?? (await dummyHash));
      if (!row || !matches || toBool(row.disabled)) return refuse(login.slice(0, 255), address, 'bad_credentials', 'Wrong login or password, or this local admin is disabled.');
      await k.updateTable('sso_local_admins').set({ last_login_at: deps.clock().toISOString() }).where('id', '=', row.id).execute();
      return { id: Number(row.id), login: row.login };
    },
  };
}

export type LocalAdmins = ReturnType<typeof createLocalAdmins>;
