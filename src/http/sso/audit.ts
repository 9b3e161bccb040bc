import type { Logger } from 'pino';
import { toDate, type Db } from '../../db/index.ts';

/** Every event the sign-in side records. Refusals are `*_refused` (the person or request was turned away). */
export const ssoAuditEvents = [
  'sign_in',
  'sign_in_refused',
  'sign_out',
  'session_refused',
  'csrf_refused',
  'local_login_refused',
  'provider_added',
  'provider_updated',
  'provider_removed',
  'local_admin_created',
  'local_admin_disabled',
  'local_admin_enabled',
] as const;
export type SsoAuditEventName = (typeof ssoAuditEvents)[number];

export interface SsoAuditInput {
  event: SsoAuditEventName;
  outcome?: 'success' | 'refused' | 'failure';
  provider?: string | null;
  subject?: string | null;
  login?: string | null;
  address?: string | null;
  reason?: string | null;
  message?: string | null;
}

export interface SsoAuditEvent {
  id: number;
  at: Date;
  event: string;
  outcome: string;
  provider: string | null;
  subject: string | null;
  login: string | null;
  address: string | null;
  reason: string | null;
  message: string | null;
}

const bounded = (value: string | null | undefined, max: number): string | null => (value == null ? null : value.slice(0, max));

export function createSsoAudit(deps: { db: Db; clock: () => Date; log: Logger }) {
  const k = deps.db.kysely;

  /** Written to the table and the log; a failure to write is logged and never stops the request. */
  async function record(input: SsoAuditInput): Promise<void> {
    const row = {
      at: deps.clock().toISOString(),
      event: input.event,
      outcome: input.outcome ?? (input.event.endsWith('_refused') ? 'refused' : 'success'),
      provider: bounded(input.provider, 64),
      subject: bounded(input.subject, 255),
      login: bounded(input.login, 255),
      address: bounded(input.address, 64),
      reason: bounded(input.reason, 40),
      message: bounded(input.message, 500),
    };
    deps.log.info({ audit: row }, `sso ${row.event}${row.reason ? `: ${row.reason}` : ''}`);
    try {
      await k.insertInto('sso_audit_events').values(row).execute();
    } catch (error) {
      deps.log.error({ err: error }, 'could not write the sign-in audit event');
    }
  }

  /** Newest first; `before` pages by id. */
  async function list(options: { limit?: number; before?: number; event?: string } = {}): Promise<SsoAuditEvent[]> {
    let query = k.selectFrom('sso_audit_events').selectAll().orderBy('id', 'desc').limit(Math.min(options.limit ?? 100, 1000));
    if (options.before !== undefined) query = query.where('id', '<', options.before);
    if (options.event !== undefined) query = query.where('event', '=', options.event);
    const rows = await query.execute();
    return rows.map((r) => ({ ...r, id: Number(r.id), at: toDate(r.at) }));
  }

  /** Local sign-ins refused for a wrong password since `since` for this login or from this address (the break-glass form's limit). */
  async function recentLocalFailures(login: string, address: string, since: Date): Promise<{ byLogin: number; byAddress: number }> {
    const count = async (column: 'login' | 'address', value: string) => {
      const row = await k
        .selectFrom('sso_audit_events')
        .select((eb) => eb.fn.countAll<number | string>().as('n'))
        .where('event', '=', 'local_login_refused')
        .where('reason', '=', 'bad_credentials')
        .where(column, '=', value)
        .where('at', '>=', since.toISOString())
        .executeTakeFirst();
      return Number(row?.n ?? 0);
    };
    return { byLogin: await count('login', login), byAddress: await count('address', address) };
  }

  return { record, list, recentLocalFailures };
}

export type SsoAudit = ReturnType<typeof createSsoAudit>;
