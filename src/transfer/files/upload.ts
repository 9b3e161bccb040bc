import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { openNoFollow, type FileStore } from '../../storage/index.ts';
import type { FileHash, HashPool } from './hashing.ts';
import type { QuotaGuard } from './quota.ts';

/** Bytes written between flushes started in the background, so the fsync at close has little left to do. */
const flushEveryBytes = 64 * 1024 * 1024;

export interface FinishedUpload {
  /** The fsynced, closed file in the store's uploading/ directory. */
  tempPath: string;
  size: number;
  sha256: string;
}

/**
 * One file being written by a client: a private temp file, the account's quota checked as it grows, and
 * its SHA-256 computed while the writes come in order (by a hashing worker reading the written prefix),
 * or by reading it again at the end when bytes were rewritten. A failed or abandoned upload leaves nothing.
 */
export class Upload {
  readonly #path: string;
  readonly #handle: FileHandle;
  readonly #quota: QuotaGuard;
  readonly #hash: FileHash;
  readonly #pending = new Set<Promise<unknown>>();
  /** Writes completed beyond the contiguous prefix: offset -> end. */
  readonly #ahead = new Map<number, number>();
  /** Bytes [0, prefix) are written. */
  #prefix = 0;
  #flushedAt = 0;
  #flushing: Promise<void> | undefined;
  #rewritten = false;
  #size = 0;
  #failure: Error | undefined;
  #ended = false;

  private constructor(temp: { path: string; handle: FileHandle }, quota: QuotaGuard, hashes: HashPool) {
    this.#path = temp.path;
    this.#handle = temp.handle;
    this.#quota = quota;
    this.#hash = hashes.open(temp.path);
  }

  /** A new upload; `resumeFrom` copies an existing file first (a client resuming a transfer). */
  static async start(store: FileStore, quota: QuotaGuard, hashes: HashPool, resumeFrom?: string): Promise<Upload> {
    const temp = await store.createTemp();
    const upload = new Upload(temp, quota, hashes);
    if (resumeFrom !== undefined) {
      try {
        await upload.#copyFrom(resumeFrom);
      } catch (error) {
        await upload.abort();
        throw error;
      }
    }
    return upload;
  }

  get size(): number {
    return this.#size;
  }

  async #copyFrom(source: string): Promise<void> {
    const input = await openNoFollow(source, constants.O_RDONLY);
    try {
      for await (const chunk of input.createReadStream({ autoClose: false })) await this.#handle.write(chunk as Buffer);
    } finally {
      await input.close();
    }
    this.#size = (await this.#handle.stat()).size;
    this.#prefix = this.#size;
  }

  async write(offset: number, data: Buffer): Promise<void> {
    if (this.#failure) throw this.#failure;
    if (this.#ended) throw new Error('upload already ended');
    const end = offset + data.length;
    try {
      this.#quota.grow(end - this.#size);
    } catch (error) {
      this.#failure = error as Error;
      await this.abort();
      throw error;
    }
    this.#size = Math.max(this.#size, end);
    if (offset < this.#prefix) this.#rewritten = true;
    const writing = this.#handle.write(data, 0, data.length, offset);
    this.#pending.add(writing);
    try {
      await writing;
    } finally {
      this.#pending.delete(writing);
    }
    await this.#written(offset, end);
    this.#flushAhead();
  }

  /** Starts writing the data to disk while the upload goes on (the close then waits for little). */
  #flushAhead(): void {
    if (this.#flushing || this.#ended || this.#prefix - this.#flushedAt < flushEveryBytes) return;
    this.#flushedAt = this.#prefix;
    this.#flushing = this.#handle.datasync().then(
      () => void (this.#flushing = undefined),
      () => void (this.#flushing = undefined),
    );
  }

  /** Grows the written prefix and tells the hasher; slows the client when hashing lags. */
  #written(offset: number, end: number): Promise<void> | undefined {
    if (offset > this.#prefix) {
      this.#ahead.set(offset, Math.max(end, this.#ahead.get(offset) ?? 0));
      return undefined;
    }
    this.#prefix = Math.max(this.#prefix, end);
    for (let next = this.#ahead.get(this.#prefix); next !== undefined; next = this.#ahead.get(this.#prefix)) {
      this.#ahead.delete(this.#prefix);
      this.#prefix = Math.max(this.#prefix, next);
    }
    return this.#hash.written(this.#prefix);
  }

  /** Waits for the writes, fsyncs and closes the temp file, and finishes its hash. */
  async finish(): Promise<FinishedUpload> {
    if (this.#failure) throw this.#failure;
    this.#ended = true;
    try {
      await Promise.all(this.#pending);
      await this.#flushing;
      await this.#handle.datasync();
      await this.#handle.close();
      const sha256 = await this.#hash.digest(this.#size, this.#rewritten || this.#prefix !== this.#size);
      return { tempPath: this.#path, size: this.#size, sha256 };
    } catch (error) {
      await this.abort();
      throw error;
    }
  }

  /** The upload ended in success: its bytes now count as stored. */
  kept(): void {
    this.#quota.settle(true);
  }

  /** Drops the upload: temp file removed, quota released. Safe to call twice. */
  async abort(): Promise<void> {
    this.#hash.drop();
    this.#ended = true;
    this.#quota.settle(false);
    await Promise.allSettled(this.#pending);
    await this.#flushing;
    await this.#handle.close().catch(() => undefined);
    await fs.rm(this.#path, { force: true });
  }
}
