export { openDatabase, toBool, toDate, isoNow, type BulkColumn, type Db, type DatabaseTarget, type DialectAdapter, type DialectName } from './database.ts';
export { migrateToLatest, type MigrationReport } from './migrate.ts';
export type * from './schema.ts';
