export { createCoreService, type CoreService, type CoreDeps } from './core.service.ts';
export type { User, UserInput, UserKey, UserRef, RoleRef, RoleKey, Money, Actor } from './users/user.types.ts';
export type { Role, RoleInput } from './roles.service.ts';
export type { AccountType, AccountTypeInput, AccountTypeKey, SegmentDefinition, SegmentInput, LookupKey } from './account-types.service.ts';
export { MAX_SEGMENTS } from './account-types.service.ts';
export type { Account, AccountInput, AccountKey, AccountScope } from './accounts.service.ts';
export type { Lookup, LookupInput } from './lookups.service.ts';
export type { LookupValue, LookupValueInput, LookupValueKey, LookupValueMatch, LookupValueRef, LookupValueScope } from './lookup-values.service.ts';
export {
  userQuerySchema,
  roleQuerySchema,
  accountTypeQuerySchema,
  accountQuerySchema,
  lookupQuerySchema,
  lookupValueQuerySchema,
} from './query-schemas.ts';
export { isCurrencyCode } from './validation.ts';
export { normalizeAuthenticationMethod } from './users/user-fields.ts';
export { noOutbox, outboxEntities, type OutboxEntity, type OutboxEvent, type OutboxPort } from './outbox.port.ts';
export type { SegmentValueUsage, SegmentPair } from './accounts.service.ts';
export {
  startUserImport,
  type UserImport,
  type UserImportCounts,
  type UserImportDeps,
  type UserImportOptions,
  type UserImportOutcome,
  type UserImportRow,
} from './users/bulk/user-import.ts';
