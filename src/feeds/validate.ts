import type { Readable } from 'node:stream';
import type { Db } from '../db/index.ts';
import type { FeedFolder } from '../transfer/folders.ts';
import { classify } from './classify.ts';
import { openCsv } from './csv/csv-reader.ts';
import type { TextEncoding } from './csv/decode-text.ts';
import type { FeedPgp } from './feed-ports.ts';
import type { FeedCounts, FeedOutcome, Layout } from './layouts/layout.ts';
import { mapHeader } from './layouts/read-row.ts';
import { stageRows } from './pipeline.ts';
import { openSource } from './read-source.ts';

export interface ValidationReport {
  layout: string;
  mode: 'delta' | 'full';
  warnings: string[];
  counts: FeedCounts;
  outcomes: FeedOutcome[];
}

class DryRun extends Error {
  readonly report: ValidationReport;
  constructor(report: ValidationReport) {
    super('dry run');
    this.report = report;
  }
}

/**
 * The whole pipeline on a file without keeping anything: read, check, plan and even write inside a
 * transaction that is always rolled back, so the outcomes are exactly those a real run would give.
 */
export async function validateFile(
  deps: { db: Db; layouts: readonly Layout[]; pgp?: FeedPgp },
  file: { content: Readable; name: string; folder: FeedFolder; encoding?: TextEncoding; fromUsername?: string },
): Promise<ValidationReport> {
  const layout = classify(deps.layouts, file.folder, file.name);
  const source = await openSource(file.content, file.name, deps.pgp, file.fromUsername ?? '');
  const csv = await openCsv(source.plaintext, { encoding: file.encoding ?? 'utf-8', delimiters: layout.delimiters });
  const header = mapHeader(layout, csv.header);
  try {
    await deps.db.kysely.transaction().execute(async (trx) => {
      const imported = await layout.start({ db: deps.db, trx, actor: 'feed:validate', fullFeed: header.fullFeed, given: header.given });
      const rows = await stageRows(layout, header, csv.events, imported);
      await source.finished;
      const planned = await imported.plan();
      const applied = { ...(await imported.apply()), rows, missing: planned.missing, activeBefore: planned.activeBefore };
      const outcomes: FeedOutcome[] = [];
      for await (const page of imported.outcomes()) outcomes.push(...page);
      await imported.close();
      throw new DryRun({ layout: layout.id, mode: header.fullFeed ? 'full' : 'delta', warnings: header.warnings, counts: applied, outcomes });
    });
  } catch (error) {
    if (error instanceof DryRun) return error.report;
    throw error;
  }
  throw new Error('unreachable: the dry run always rolls back');
}
