import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import ssh2 from 'ssh2';

/**
 * The server's host keys: ed25519 and RSA 3072, generated on first start into <data dir>/sftp (0600) and
 * reused afterwards, so clients' known_hosts entries stay valid. Nodes sharing the data dir share them.
 */
export interface HostKey {
  type: 'ssh-ed25519' | 'ssh-rsa';
  bits: number;
  /** As `ssh-keygen -l` prints it: SHA256:<unpadded base64>. */
  fingerprint: string;
  /** OpenSSH public key line. */
  publicKey: string;
  privateKey: string;
  file: string;
}

export type HostKeyInfo = Omit<HostKey, 'privateKey'>;

const kinds = [
  { type: 'ssh-ed25519', file: 'ssh_host_ed25519_key', bits: 256 },
  { type: 'ssh-rsa', file: 'ssh_host_rsa_key', bits: 3072 },
] as const;

export function hostKeyDir(dataDir: string): string {
  return path.join(dataDir, 'sftp');
}

export function fingerprint(publicBlob: Buffer): string {
  return `SHA256:${crypto.createHash('sha256').update(publicBlob).digest('base64').replace(/=+$/, '')}`;
}

/** Loads the host keys, generating any that is missing. */
export async function loadOrCreateHostKeys(dir: string): Promise<HostKey[]> {
  await fs.mkdir(dir, { recursive: true, mode: 0o700 });
  const keys: HostKey[] = [];
  for (const kind of kinds) {
    const file = path.join(dir, kind.file);
    if (!(await exists(file))) await generate(kind.type, kind.bits, file);
    keys.push(await readKey(file, kind.bits));
  }
  return keys;
}

/** The host keys already generated, without their private parts (none before the first start). */
export async function readHostKeys(dir: string): Promise<HostKeyInfo[]> {
  const infos: HostKeyInfo[] = [];
  for (const kind of kinds) {
    const file = path.join(dir, kind.file);
    if (!(await exists(file))) continue;
    const { privateKey: _secret, ...info } = await readKey(file, kind.bits);
    infos.push(info);
  }
  return infos;
}

async function exists(file: string): Promise<boolean> {
  return fs.lstat(file).then(
    () => true,
    () => false,
  );
}

const GENERATE_ATTEMPTS = 10;

/**
 * A new host key pair in OpenSSH format, checked by parsing it back. ssh2 1.17 drops a leading zero byte of
 * an ed25519 public key (about one key in 330, seen here), writing a key that ssh2 itself and OpenSSH refuse;
 * persisted, it would stop every later start. Such a pair is thrown away and another one generated.
 */
export async function generateHostKeyPair(type: HostKey['type'], bits: number): Promise<{ private: string; public: string }> {
  for (let attempt = 1; attempt <= GENERATE_ATTEMPTS; attempt++) {
    const pair = await new Promise<{ private: string; public: string }>((resolve, reject) => {
      const done = (error: Error | null, keys: { private: string; public: string }) => (error ? reject(error) : resolve(keys));
      if (type === 'ssh-rsa') ssh2.utils.generateKeyPair('rsa', { bits, comment: 'workgate' }, done);
      else ssh2.utils.generateKeyPair('ed25519', { comment: 'workgate' }, done);
    });
    if (!(ssh2.utils.parseKey(pair.private) instanceof Error)) return pair;
  }
  throw new Error(`could not generate a readable ${type} host key in ${GENERATE_ATTEMPTS} attempts`);
}

async function generate(type: HostKey['type'], bits: number, file: string): Promise<void> {
  const pair = await generateHostKeyPair(type, bits);
  // Written under a temporary name, then linked: two processes starting together keep one key.
  const temp = `${file}.${crypto.randomUUID()}`;
  await fs.writeFile(temp, pair.private, { mode: 0o600, flag: 'wx' });
  try {
    await fs.link(temp, file);
    await fs.writeFile(`${file}.pub`, `${pair.public}\n`, { mode: 0o644 });
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
  } finally {
    await fs.rm(temp, { force: true });
  }
}

async function readKey(file: string, bits: number): Promise<HostKey> {
  const stats = await fs.lstat(file);
  if (!stats.isFile()) throw new Error(`host key ${file} is not a regular file`);
  if ((stats.mode & 0o077) !== 0) await fs.chmod(file, 0o600);
  const privateKey = await fs.readFile(file, 'utf8');
  const parsed = ssh2.utils.parseKey(privateKey);
  if (parsed instanceof Error) throw new Error(`host key ${file} cannot be read: ${parsed.message}`);
  const blob = parsed.getPublicSSH();
  const type = parsed.type === 'ssh-rsa' ? 'ssh-rsa' : 'ssh-ed25519';
  return { type, bits, fingerprint: fingerprint(blob), publicKey: `${parsed.type} ${blob.toString('base64')}`, privateKey, file };
}
