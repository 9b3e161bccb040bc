import { outboxEntities, type CoreService } from '../core/index.ts';
import type { Executor, WorkforceService } from '../workforce/index.ts';
import { applyAccounts, applyLookupValues, copyChart, toDesignated } from './apply-chart.ts';
import { applyUserIds } from './apply-users.ts';
import type { PendingEvent } from './outbox.repo.ts';

const knownEntities: readonly string[] = outboxEntities;

export interface ApplyContext {
  trx: Executor;
  core: CoreService;
  workforce: WorkforceService;
}

/**
 * Applies a batch of events inside `ctx.trx`. Events carry ids only: the current Core state is re-read,
 * so several events of one record cost one write and a replay changes nothing.
 */
export async function applyEvents(ctx: ApplyContext, events: readonly PendingEvent[]): Promise<void> {
  const unreadable = events.find((e) => e.detailError);
  if (unreadable) throw new Error(`sync event ${unreadable.id} (${unreadable.entity} ${unreadable.entityId}): ${unreadable.detailError}`);
  const unknown = events.find((e) => !knownEntities.includes(e.entity));
  if (unknown) throw new Error(`sync event ${unknown.id}: unknown entity "${unknown.entity}"`);
  const of = (entity: string) => events.filter((e) => e.entity === entity);
  const users = of('user');
  if (users.length > 0) await applyUserIds(ctx.trx, ctx.core, ctx.workforce, users.map((e) => e.entityId));
  const chartEvents = of('account-type');
  const accounts = of('account');
  const lookupValues = of('lookup-value');
  if (chartEvents.length + accounts.length + lookupValues.length === 0) return;
  let chart = (await ctx.workforce.settings.get(ctx.trx)).chart;
  if (!chart) return;
  if (chartEvents.some((e) => e.entityId === chart!.sourceId)) {
    chart = toDesignated(await ctx.core.accountTypes.get(chart.sourceId, ctx.trx));
    await ctx.workforce.chartSegments.designate(ctx.trx, chart);
    await copyChart(ctx, chart);
    return;
  }
  if (accounts.length > 0) await applyAccounts(ctx, chart, accounts);
  if (lookupValues.length > 0) await applyLookupValues(ctx, chart, lookupValues.map((e) => e.entityId));
}
