import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';

const fileName = /^[0-9A-F]{40}(?:[0-9A-F]{24})?\.asc$/;
/** A private key file is a few KiB; anything much bigger is not one of ours. */
const maxKeyFileBytes = 256 * 1024;

export interface KeyFiles {
  readonly dir: string;
  /** Creates the directory (0700), or tightens it; reports whether it had to be tightened. */
  prepare(): Promise<{ tightened: boolean }>;
  write(fingerprint: string, armored: string): Promise<void>;
  read(fingerprint: string): Promise<string>;
  exists(fingerprint: string): Promise<boolean>;
  remove(fingerprint: string): Promise<void>;
  pathOf(fingerprint: string): string;
}

async function fsyncDir(dir: string): Promise<void> {
  const handle = await fs.open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/**
 * Workgate's private keys as files `<dir>/<FINGERPRINT>.asc`: mode 0600 in a 0700 directory, written atomically
 * (temporary file, fsync, rename, fsync of the directory) so a crash leaves the old file or the new one.
 */
export function createKeyFiles(dir: string): KeyFiles {
  const pathOf = (fingerprint: string) => {
    const name = `${fingerprint}.asc`;
    if (!fileName.test(name)) throw new Error(`not a key fingerprint: ${JSON.stringify(fingerprint.slice(0, 80))}`);
    return path.join(dir, name);
  };

  async function prepare(): Promise<{ tightened: boolean }> {
    await fs.mkdir(dir, { recursive: true, mode: 0o700 });
    const mode = (await fs.stat(dir)).mode & 0o777;
    if (mode === 0o700) return { tightened: false };
    await fs.chmod(dir, 0o700);
    return { tightened: true };
  }

  async function write(fingerprint: string, armored: string): Promise<void> {
    const target = pathOf(fingerprint);
    const temporary = path.join(dir, `.${fingerprint}.${crypto.randomBytes(6).toString('hex')}.tmp`);
    const handle = await fs.open(temporary, 'wx', 0o600);
    try {
      await handle.writeFile(armored, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await fs.rename(temporary, target);
    } catch (error) {
      await fs.rm(temporary, { force: true });
      throw error;
    }
    await fsyncDir(dir);
  }

  async function read(fingerprint: string): Promise<string> {
    const file = pathOf(fingerprint);
    const stat = await fs.stat(file);
    if (stat.size > maxKeyFileBytes) throw new Error(`${file} is ${stat.size} bytes, too big for a private key file`);
    if ((stat.mode & 0o077) !== 0) await fs.chmod(file, 0o600);
    return fs.readFile(file, 'utf8');
  }

  async function exists(fingerprint: string): Promise<boolean> {
    try {
      await fs.access(pathOf(fingerprint));
      return true;
    } catch {
      return false;
    }
  }

  async function remove(fingerprint: string): Promise<void> {
    await fs.rm(pathOf(fingerprint), { force: true });
    await fsyncDir(dir);
  }

  return { dir, prepare, write, read, exists, remove, pathOf };
}
