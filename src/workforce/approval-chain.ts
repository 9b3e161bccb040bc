import { toBool } from '../db/index.ts';
import { ValidationError } from '../shared/errors.ts';
import { toUnits } from './decimal.ts';
import type { Executor, Money } from './types.ts';

/** No real hierarchy is deeper; a chain stops here even if the data were to loop. */
export const MAX_CHAIN_DEPTH = 100;

export interface ChainRequest {
  amount?: string;
  currency?: string;
}

interface Link {
  id: number;
  active: boolean;
  supervisorId: number | null;
  limit: Money | null;
}

/**
 * Ids of the approval chain of `startId`: its supervisors upward, nearest first, skipping inactive ones,
 * ending with the first whose approval limit covers the amount in the same currency (or at the top
 * when no amount is given). Bounded by MAX_CHAIN_DEPTH and by never visiting a user twice.
 */
export async function approvalChainIds(db: Executor, startId: number, request: ChainRequest): Promise<number[]> {
  const wanted = request.amount === undefined ? undefined : parseAmount(request.amount);
  const chain: number[] = [];
  const seen = new Set<number>([startId]);
  let current = await readLink(db, startId);
  for (let depth = 0; current?.supervisorId != null && depth < MAX_CHAIN_DEPTH; depth++) {
    if (seen.has(current.supervisorId)) break;
    seen.add(current.supervisorId);
    const next = await readLink(db, current.supervisorId);
    if (!next) break;
    if (next.active) {
      chain.push(next.id);
      if (wanted !== undefined && covers(next.limit, wanted, request.currency)) break;
    }
    current = next;
  }
  return chain;
}

function covers(limit: Money | null, amount: bigint, currency: string | undefined): boolean {
  if (!limit || limit.currency !== currency) return false;
  const units = toUnits(limit.amount);
  return units !== undefined && units >= amount;
}

function parseAmount(text: string): bigint {
  const units = toUnits(text);
  if (units === undefined) {
    throw new ValidationError('approval-chain', [{ field: 'amount', message: `Amount "${text}" is not a non-negative amount like 1000.00` }]);
  }
  return units;
}

async function readLink(db: Executor, id: number): Promise<Link | undefined> {
  const row = await db
    .selectFrom('workforce_users')
    .select(['id', 'active', 'supervisor_id', 'approval_limit_amount', 'approval_limit_currency'])
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) return undefined;
  return {
    id: row.id,
    active: toBool(row.active),
    supervisorId: row.supervisor_id,
    limit: row.approval_limit_amount === null ? null : { amount: row.approval_limit_amount, currency: row.approval_limit_currency ?? '' },
  };
}
