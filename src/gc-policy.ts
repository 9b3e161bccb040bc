import v8 from 'node:v8';

/** The V8 option that counts Buffer memory in the heap's global limit instead of its own 64 MB step. */
export const bufferAccountingFlag = '--external-memory-accounted-in-global-limit';

/**
 * How a long-running server collects garbage under Buffer churn. By default Node 24's V8 (13.6) starts a
 * full mark-compact each time the memory of Buffers allocated since the last one grows by 64 MB, however
 * little of it is still alive. Moving files does exactly that: a 1 GiB SFTP transfer allocates about 3 GB of
 * short-lived Buffers (socket reads, SSH packets, SFTP requests and replies), which started some 40 full
 * collections of an unchanged heap and took about 40 % of the server's CPU. With Buffer memory counted in
 * V8's global limit, collections follow the live heap plus Buffers (as V8 does for the heap itself), so the
 * garbage of a transfer is collected a few times per GiB instead of forty; memory stays bounded by that limit.
 * Set before the roles start, while the heap is small.
 */
export function applyServerGcPolicy(): void {
  v8.setFlagsFromString(bufferAccountingFlag);
}

/**
 * Node options `npm start` and the `workgate` command start with (package.json, bin/workgate.js); V8 reads
 * them at start-up only.
 * - `--max-semi-space-size=32`: a feed file's rows live for one batch, a little longer than the default
 *   young generation (16 MB semi-spaces) holds them, so many were promoted and the old generation grew
 *   until a full collection: a million-row Full file on SQLite peaked at 487-529 MB (the goal is 512), and
 *   at 376-382 MB with 32 MB semi-spaces.
 * - `--heap-growing-percent=100`: after a full collection the next one comes once the old generation has
 *   doubled. V8 otherwise picks a factor of up to 4 when collections are quick, and while a file is staged
 *   on PostgreSQL (one batch copying while the next is read, so more rows outlive the young generation) the
 *   heap then held 360 MB of dead rows: 559 and 658 MB peaks in three runs of the million-row Full case,
 *   304-318 MB in three runs with it, times within the runs' spread (docs/benchmarks.md, Feeds).
 */
export const serverNodeOptions: readonly string[] = ['--max-semi-space-size=32', '--heap-growing-percent=100'];
