/**
 * Feeds: the inbound pipeline. A received file becomes a run (data_file_sources); a job per folder
 * applies its runs in name order, each in one transaction, with a result file in /Outgoing.
 */
export { createFeeds, FOLDER_JOB, type Feeds, type FeedsDeps } from './feeds.service.ts';
export { feedAccountsFrom, feedFilesFrom, feedPgpFrom } from './adapters.ts';
export { coreLayouts, workforceLayouts, type CoreLayoutDeps, type WorkforceLayoutDeps } from './layouts/registry.ts';
export type { Layout, LayoutImport, LayoutRow, FeedCounts, FeedOutcome, ColumnSpec, ImportContext } from './layouts/layout.ts';
export type { FeedAccounts, FeedFiles, FeedPgp, FeedSourceFile } from './feed-ports.ts';
export { runsRoutes, type RunsRoutesOptions } from './runs.routes.ts';
export { runStatuses, type Run, type RunStatus } from './runs.repo.ts';
export { validateFile, type ValidationReport } from './validate.ts';
export { registerFeedsCommands, type FeedsCliDeps } from './feeds.cli.ts';
