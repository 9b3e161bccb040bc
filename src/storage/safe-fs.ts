import { constants, type Dirent, type Stats } from 'node:fs';
import fs from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';

/**
 * File system steps that never follow a symbolic link at the leaf and make their effects durable.
 * Everything under the file store goes through these, so a link planted on disk out of band is
 * refused instead of followed.
 */

export const O_NOFOLLOW = constants.O_NOFOLLOW;

/** A link where a regular file or directory was expected: refused, never followed. */
export class LinkRefusedError extends Error {
  readonly path: string;
  constructor(file: string) {
    super(`refusing to follow the link at ${file}`);
    this.name = 'LinkRefusedError';
    this.path = file;
  }
}

export function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

/** Opens with O_NOFOLLOW; a link at the leaf becomes a LinkRefusedError (ELOOP on Linux). */
export async function openNoFollow(file: string, flags: number, mode = 0o640): Promise<FileHandle> {
  try {
    return await fs.open(file, flags | O_NOFOLLOW, mode);
  } catch (error) {
    if (errnoCode(error) === 'ELOOP' || errnoCode(error) === 'EMLINK') throw new LinkRefusedError(file);
    throw error;
  }
}

/** fsync of a directory: makes a rename or a new name in it durable. */
export async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, constants.O_RDONLY | constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** lstat of a regular file: undefined when absent, LinkRefusedError for a link, undefined for anything else. */
export async function lstatFile(file: string): Promise<Stats | undefined> {
  let stats: Stats;
  try {
    stats = await fs.lstat(file);
  } catch (error) {
    if (errnoCode(error) === 'ENOENT' || errnoCode(error) === 'ENOTDIR') return undefined;
    throw error;
  }
  if (stats.isSymbolicLink()) throw new LinkRefusedError(file);
  return stats.isFile() ? stats : undefined;
}

export interface StoredFile {
  name: string;
  size: number;
  mtime: Date;
  atime: Date;
}

/** The regular files of a directory with their sizes; links and anything else are skipped. Absent directory: none. */
export async function listRegularFiles(dir: string): Promise<StoredFile[]> {
  let entries: Dirent[];
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return [];
    throw error;
  }
  const files: StoredFile[] = [];
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const stats = await fs.lstat(`${dir}/${entry.name}`).catch(() => undefined);
    if (stats?.isFile()) files.push({ name: entry.name, size: stats.size, mtime: stats.mtime, atime: stats.atime });
  }
  return files;
}

/** Creates the directory and its parents (mode 0750); fine if it exists. */
export async function ensureDir(dir: string): Promise<void> {
  await fs.mkdir(dir, { recursive: true, mode: 0o750 });
}

/**
 * True when `dir` is a real directory whose canonical path is exactly `dir`: no link anywhere on the way.
 * Guards against an intermediate directory swapped for a link out of band.
 */
export async function isRealDirectory(dir: string): Promise<boolean> {
  try {
    return (await fs.realpath(dir)) === dir && (await fs.lstat(dir)).isDirectory();
  } catch {
    return false;
  }
}

/** rename, then fsync of the target directory (and the source one when it differs). */
export async function durableRename(from: string, to: string): Promise<void> {
  await fs.rename(from, to);
  const toDir = to.slice(0, to.lastIndexOf('/')) || '/';
  const fromDir = from.slice(0, from.lastIndexOf('/')) || '/';
  await fsyncDir(toDir);
  if (fromDir !== toDir) await fsyncDir(fromDir);
}

export async function removeIfPresent(file: string): Promise<void> {
  await fs.rm(file, { force: true });
}
