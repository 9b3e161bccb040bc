import type { Logger } from 'pino';
import { toDate, type Db } from '../db/index.ts';
import { addressKey } from './networks.ts';

/** Every event the transfer side records: logins and bans here, file operations by the SFTP server, admin changes. */
export const auditEventNames = [
  'login',
  'login_failed',
  'logout',
  'ban',
  'ban_lifted',
  'session_limit',
  'path_refused',
  'upload',
  'download',
  'delete',
  'rename',
  'mkdir',
  'quota_exceeded',
  'account_created',
  'account_updated',
  'account_disabled',
  'account_enabled',
  'password_reset',
  'key_added',
  'key_removed',
] as const;
export type AuditEventName = (typeof auditEventNames)[number];

export const auditOutcomes = ['success', 'failure', 'partial', 'refused'] as const;
export type AuditOutcome = (typeof auditOutcomes)[number];

/** Event-specific facts: flat, small, never a secret. */
export type AuditDetail = Record<string, string | number | boolean | null>;

export interface AuditEventInput {
  event: AuditEventName;
  /** Default success. */
  outcome?: AuditOutcome;
  username?: string | null;
  accountId?: number | null;
  address?: string | null;
  /** Login method (password, publickey, ...) or file operation detail such as the SFTP request. */
  method?: string | null;
  detail?: AuditDetail;
}

export interface AuditEvent {
  id: number;
  at: Date;
  event: string;
  outcome: string;
  username: string | null;
  accountId: number | null;
  address: string | null;
  method: string | null;
  detail: AuditDetail | null;
}

export interface AuditQuery {
  username?: string;
  /** Default 100, at most 1000. */
  limit?: number;
  /** Events with an id below this one (the last id of the previous page): newest first. */
  before?: number;
  /** Only events of this kind (login_failed, ...). */
  event?: AuditEventName;
  /** Only events at or after this time. */
  since?: Date;
}

export const maxAuditLimit = 1000;
const maxDetailKeys = 20;
const maxDetailText = 500;

/** Keys become element names in the XML rendering: letters, digits, "_" and "-", starting with a letter. */
function detailKey(key: string): string {
  const safe = key.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 60);
  return /^[A-Za-z]/.test(safe) ? safe : `k${safe}`;
}

function boundedDetail(detail: AuditDetail | undefined): string | null {
  if (!detail) return null;
  const entries = Object.entries(detail)
    .slice(0, maxDetailKeys)
    .map(([key, value]) => [detailKey(key), typeof value === 'string' ? value.slice(0, maxDetailText) : value]);
  return entries.length === 0 ? null : JSON.stringify(Object.fromEntries(entries));
}

const cut = (value: string | null | undefined, max: number): string | null =>
  value === undefined || value === null ? null : value.replace(/\p{Cc}/gu, '').slice(0, max);

export function createAuditLog(deps: { db: Db; clock: () => Date; log: Logger }) {
  const k = deps.db.kysely;

  /** Writes one event and logs it (without the detail, which the database keeps). */
  async function record(input: AuditEventInput): Promise<void> {
    const row = {
      at: deps.clock().toISOString(),
      event: input.event,
      outcome: input.outcome ?? 'success',
      username: cut(input.username, 255),
      account_id: input.accountId ?? null,
      address: input.address ? addressKey(input.address) : null,
      method: cut(input.method, 40),
      detail: boundedDetail(input.detail),
    };
    await k.insertInto('transfer_audit_events').values(row).execute();
    deps.log.info({ event: row.event, outcome: row.outcome, username: row.username, address: row.address, method: row.method }, 'transfer audit');
  }

  async function list(query: AuditQuery = {}): Promise<AuditEvent[]> {
    const limit = Math.min(Math.max(Math.trunc(query.limit ?? 100), 1), maxAuditLimit);
    let select = k.selectFrom('transfer_audit_events').selectAll().orderBy('id', 'desc').limit(limit);
    if (query.username !== undefined) select = select.where('username', '=', query.username.toLowerCase());
    if (query.before !== undefined) select = select.where('id', '<', query.before);
    if (query.event !== undefined) select = select.where('event', '=', query.event);
    if (query.since !== undefined) select = select.where('at', '>=', query.since.toISOString());
    const rows = await select.execute();
    return rows.map((row) => ({
      id: Number(row.id),
      at: toDate(row.at),
      event: row.event,
      outcome: row.outcome,
      username: row.username,
      accountId: row.account_id === null ? null : Number(row.account_id),
      address: row.address,
      method: row.method,
      detail: row.detail === null ? null : (JSON.parse(row.detail) as AuditDetail),
    }));
  }

  return { record, list };
}

export type AuditLog = ReturnType<typeof createAuditLog>;
