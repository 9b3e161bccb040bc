import type { FileHandle } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { FeedFolder } from '../transfer/folders.ts';
import type { TextEncoding } from './csv/decode-text.ts';

/** A received file as the pipeline needs it (the transfer module's record). */
export interface FeedSourceFile {
  id: number;
  accountId: number;
  folder: FeedFolder;
  name: string;
  size: number;
  sha256: string;
  status: string;
}

/** What the pipeline needs from the file store and the received-file records. */
export interface FeedFiles {
  get(id: number): Promise<FeedSourceFile | undefined>;
  /** Received files still waiting, every account: the sweep gives those without a run one. */
  listWaiting(): Promise<FeedSourceFile[]>;
  openContent(file: FeedSourceFile): Promise<Readable>;
  setStatus(id: number, status: 'received' | 'processing'): Promise<void>;
  /** Moves the original to /Archive/Incoming/<folder> and marks it processed or failed. */
  archive(file: FeedSourceFile, outcome: 'processed' | 'failed'): Promise<void>;
  /** A private temporary file for a result written before commit. */
  createTemp(): Promise<{ path: string; handle: FileHandle }>;
  /** Durably moves a finished temp file to /Outgoing/<folder>/<name> (replacing one of that name). */
  publish(tempPath: string, accountId: number, folder: FeedFolder, name: string): Promise<void>;
  discardTemp(tempPath: string): Promise<void>;
}

export interface FeedAccount {
  id: number;
  username: string;
  inputEncoding: TextEncoding;
}

export interface FeedAccounts {
  byId(id: number): Promise<FeedAccount | undefined>;
}

/** PGP as the pipeline uses it; absent when Workgate runs without it. */
export interface FeedPgp {
  /** Decrypts (and verifies per the account's policy); the plaintext's clean end confirms integrity. */
  decrypt(input: Readable, fromUsername: string): { plaintext: Readable; outcome: Promise<unknown> };
  /** A function encrypting a result for the account's customer key, or undefined when it has none. */
  encrypterFor(username: string): Promise<((input: Readable) => Readable) | undefined>;
}
