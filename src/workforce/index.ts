export { createWorkforceService, type WorkforceService, type WorkforceDeps } from './workforce.service.ts';
export { FALLBACK_ROLE, normalizeRoleNames } from './roles.ts';
export { MAX_CHAIN_DEPTH, type ChainRequest } from './approval-chain.ts';
export type { ChartValue, DesignationReport, SlotMove, ValueCounts } from './chart-segments.service.ts';
export type { ParentFilter } from './segments.service.ts';
export {
  SEGMENT_SLOTS,
  type DesignatedChart,
  type Executor,
  type Money,
  type RelationshipInput,
  type RowOutcome,
  type RowResult,
  type SegmentOwner,
  type SegmentSlot,
  type SegmentValue,
  type SegmentValueInput,
  type SyncedUser,
  type WorkforceSettings,
  type WorkforceUser,
  type WorkLocation,
  type WorkLocationInput,
} from './types.ts';
export { segmentValueQuerySchema, workforceUserQuerySchema, workLocationQuerySchema } from './query-schemas.ts';
