import type { Kysely } from 'kysely';
import type { Database } from '../db/index.ts';

/** A query executor: the database or a transaction the caller opened (a feed's, the applier's). */
export type Executor = Kysely<Database>;

export interface Money {
  /** Decimal text, e.g. "1000.00". */
  amount: string;
  currency: string;
}

export interface WorkforceUser {
  id: number;
  /** The Core user this one mirrors; null for a stand-alone Workforce user. */
  sourceId: number | null;
  userName: string;
  firstName: string;
  lastName: string;
  nickName: string | null;
  email: string;
  phoneNumber: string | null;
  defaultCurrency: string | null;
  employeeNumber: string | null;
  active: boolean;
  supervisor: { id: number; userName: string; active: boolean } | null;
  roles: string[];
  approvalLimit: Money | null;
  createdAt: Date;
  updatedAt: Date;
}

/** A user as the synchronization hands it over: the state Core holds now. */
export interface SyncedUser {
  sourceId: number;
  userName: string;
  firstName: string;
  lastName: string;
  nickName: string | null;
  email: string;
  phoneNumber: string | null;
  defaultCurrency: string | null;
  employeeNumber: string | null;
  active: boolean;
  /** Core id of the supervisor (Core manager); linked when that user is (or becomes) a Workforce user. */
  supervisorSourceId: number | null;
  approvalLimit: Money | null;
  /** Core role names: only read when the Workforce user is created. */
  sourceRoleNames: string[];
}

export const rowOutcomes = ['created', 'updated', 'unchanged', 'deactivated', 'error'] as const;
export type RowOutcome = (typeof rowOutcomes)[number];

/** What happened to one input row (index into the rows given), in the words of a result file. */
export interface RowResult {
  index: number;
  key: string;
  outcome: RowOutcome;
  message?: string;
}

export const SEGMENT_SLOTS = 11;
export type SegmentOwner = 'chart-of-accounts' | 'hr';

export interface SegmentSlot {
  slot: number;
  name: string | null;
  owner: SegmentOwner;
}

export interface SegmentValue {
  id: number;
  slot: number;
  name: string;
  code: string | null;
  description: string | null;
  active: boolean;
  /** From the designated chart of accounts (true) or an HR feed (false). */
  fromChart: boolean;
  createdAt: Date;
  updatedAt: Date;
}

/** One row of a Master Data file (or API call) for an HR-owned slot. */
export interface SegmentValueInput {
  name: string;
  code?: string | null;
  description?: string | null;
  /** Default true. */
  active?: boolean;
}

/** One row of a Master Data Relationship file: values named in the parent and child slots. */
export interface RelationshipInput {
  parentName: string;
  parentCode?: string | null;
  childName: string;
  childCode?: string | null;
  active?: boolean;
}

export interface WorkLocation {
  id: number;
  code: string;
  name: string | null;
  addressLine1: string;
  addressLine2: string | null;
  city: string;
  state: string;
  postalCode: string | null;
  country: string;
  active: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export interface WorkLocationInput {
  code: string;
  name?: string | null;
  addressLine1: string;
  addressLine2?: string | null;
  city: string;
  state: string;
  postalCode?: string | null;
  country: string;
  active?: boolean;
}

export interface DesignatedChart {
  /** Core chart of accounts id. */
  sourceId: number;
  name: string;
  /** Segment names of the chart, index 0 = slot 1. */
  segments: Array<{ slot: number; name: string; lookupId: number | null }>;
}

export interface WorkforceSettings {
  chart: DesignatedChart | null;
  /** Names of HR-only slots, by slot number. */
  segmentNames: Record<number, string>;
}
