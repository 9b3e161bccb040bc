import type { AccountType, CoreService, LookupValue } from '../core/index.ts';
import { NotFoundError, ValidationError } from '../shared/errors.ts';
import { SEGMENT_SLOTS, type ChartValue, type DesignatedChart, type Executor, type ValueCounts, type WorkforceService } from '../workforce/index.ts';

const PAGE = 1000;

export function toDesignated(chart: AccountType): DesignatedChart {
  if (chart.segments.length > SEGMENT_SLOTS) {
    throw new ValidationError('settings', [{
      field: 'chart-of-accounts',
      message: `Chart of accounts "${chart.name}" has ${chart.segments.length} segments; Workforce has ${SEGMENT_SLOTS} segment slots, so it cannot be designated`,
    }]);
  }
  return { sourceId: chart.id, name: chart.name, segments: chart.segments.map((s) => ({ slot: s.position, name: s.fieldTypeName, lookupId: s.lookup?.id ?? null })) };
}

export function lookupChartValue(value: LookupValue): ChartValue {
  return { sourceKey: `lv:${value.id}`, name: value.name, code: value.externalRefNum ?? value.name, description: value.description, active: value.active };
}

function segmentChartValue(value: string, active: boolean): ChartValue {
  return { sourceKey: `seg:${value}`, name: value, code: value, description: null, active };
}

interface Ctx {
  trx: Executor;
  core: CoreService;
  workforce: WorkforceService;
}

async function allLookupValues(ctx: Ctx, lookupId: number): Promise<ChartValue[]> {
  const out: ChartValue[] = [];
  for (let after = 0; ; ) {
    const page = await ctx.core.lookupValues.pageOfLookup(lookupId, after, PAGE, ctx.trx);
    out.push(...page.map(lookupChartValue));
    if (page.length < PAGE) return out;
    after = page.at(-1)!.id;
  }
}

/** Copies every value of the designated chart's slots and their relationships; returns counts per slot. */
export async function copyChart(ctx: Ctx, chart: DesignatedChart): Promise<Record<number, ValueCounts>> {
  const counts: Record<number, ValueCounts> = {};
  for (const segment of chart.segments) {
    const values = segment.lookupId !== null
      ? await allLookupValues(ctx, segment.lookupId)
      : (await ctx.core.accounts.segmentValues(chart.sourceId, segment.slot, undefined, ctx.trx)).map((u) => segmentChartValue(u.value, u.active));
    counts[segment.slot] = await ctx.workforce.chartSegments.syncValues(ctx.trx, segment.slot, values, true);
  }
  for (const segment of chart.segments.slice(0, -1)) {
    const pairs = await ctx.core.accounts.segmentPairs(chart.sourceId, segment.slot, undefined, ctx.trx);
    const parents = (await ctx.trx.selectFrom('workforce_segment_values').select(['name', 'code']).where('slot', '=', segment.slot).execute())
      .flatMap((v) => [v.name, v.code ?? v.name]);
    await ctx.workforce.chartSegments.syncChildren(ctx.trx, segment.slot, [...new Set(parents)], pairs);
  }
  return counts;
}

/** An account changed: its values (current and previous) and their relationships follow, in the designated chart only. */
export async function applyAccounts(ctx: Ctx, chart: DesignatedChart, events: Array<{ entityId: number; detail: Record<string, unknown> | null }>): Promise<void> {
  const accounts = await ctx.core.accounts.getMany(events.map((e) => e.entityId), ctx.trx);
  const texts = new Map<number, Set<string>>();
  const add = (slot: number, value: string | undefined) => {
    if (value !== undefined) texts.set(slot, (texts.get(slot) ?? new Set()).add(value));
  };
  for (const account of accounts) if (account.accountType.id === chart.sourceId) account.segments.forEach((v, i) => add(i + 1, v));
  for (const event of events) {
    const previous = event.detail?.previous as { accountTypeId?: number; segments?: string[] } | undefined;
    if (previous?.accountTypeId === chart.sourceId) previous.segments?.forEach((v, i) => add(i + 1, v));
  }
  for (const segment of chart.segments) {
    const wanted = [...(texts.get(segment.slot) ?? [])];
    if (wanted.length === 0) continue;
    if (segment.lookupId === null) {
      const used = new Map((await ctx.core.accounts.segmentValues(chart.sourceId, segment.slot, wanted, ctx.trx)).map((u) => [u.value, u.active]));
      const values = wanted.map((v) => segmentChartValue(v, used.get(v) ?? false));
      await ctx.workforce.chartSegments.syncValues(ctx.trx, segment.slot, values, false);
    }
    if (segment.slot < chart.segments.length) {
      const pairs = await ctx.core.accounts.segmentPairs(chart.sourceId, segment.slot, wanted, ctx.trx);
      await ctx.workforce.chartSegments.syncChildren(ctx.trx, segment.slot, wanted, pairs);
    }
  }
}

/** Lookup values changed: those backing a designated chart's segment follow. */
export async function applyLookupValues(ctx: Ctx, chart: DesignatedChart, ids: readonly number[]): Promise<void> {
  for (const id of new Set(ids)) {
    const value = await ctx.core.lookupValues.get(id, ctx.trx).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    });
    if (!value) continue;
    for (const segment of chart.segments.filter((s) => s.lookupId === value.lookup.id)) {
      await ctx.workforce.chartSegments.syncValues(ctx.trx, segment.slot, [lookupChartValue(value)], false);
    }
  }
}
