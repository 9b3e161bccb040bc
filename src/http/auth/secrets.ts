import crypto from 'node:crypto';

/** The platform's API key length; 30 random bytes are exactly 40 base64url characters. */
export const apiKeyLength = 40;
export const apiKeyPrefixLength = 8;

/** Parameters in line with OWASP's argon2id minimum (19 MiB, 2 passes, 1 lane). */
export const argon2Parameters = { memory: 19_456, passes: 2, parallelism: 1, saltLength: 16, tagLength: 32 } as const;

/** Bounds accepted when reading a stored hash, so a tampered row cannot ask for absurd work. */
const maxMemoryKiB = 262_144;
const maxPasses = 10;

export function randomApiKey(): string {
  return crypto.randomBytes(30).toString('base64url');
}

export function randomToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

export function randomClientId(): string {
  return `wg-${crypto.randomBytes(16).toString('hex')}`;
}

export function randomClientSecret(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** For high-entropy values (API keys, tokens): a fast hash is enough, and it makes lookup by hash possible. */
export function sha256Hex(value: string): string {
  return crypto.createHash('sha256').update(value, 'utf8').digest('hex');
}

interface Argon2Settings {
  memory: number;
  passes: number;
  parallelism: number;
}

function argon2id(message: string, salt: Buffer, settings: Argon2Settings, tagLength: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    crypto.argon2('argon2id', { message, nonce: salt, tagLength, ...settings }, (error, key) => {
      if (error) reject(error);
      else resolve(key);
    });
  });
}

const b64 = (bytes: Buffer): string => bytes.toString('base64').replace(/=+$/, '');

/** A PHC string: `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` (unpadded base64). */
export async function hashSecret(secret: string): Promise<string> {
  const { memory, passes, parallelism, saltLength, tagLength } = argon2Parameters;
  const salt = crypto.randomBytes(saltLength);
  const tag = await argon2id(secret, salt, { memory, passes, parallelism }, tagLength);
  return `$argon2id$v=19$m=${memory},t=${passes},p=${parallelism}$${b64(salt)}$${b64(tag)}`;
}

interface ParsedHash extends Argon2Settings {
  salt: Buffer;
  tag: Buffer;
}

const phcPattern = /^\$argon2id\$v=19\$m=(\d{1,7}),t=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{6,})$/;

function parseHash(stored: string): ParsedHash | undefined {
  const match = phcPattern.exec(stored);
  if (!match) return undefined;
  const [, m, t, p, salt, tag] = match as unknown as [string, string, string, string, string, string];
  const parsed = { memory: Number(m), passes: Number(t), parallelism: Number(p), salt: Buffer.from(salt, 'base64'), tag: Buffer.from(tag, 'base64') };
  const sane = parsed.memory <= maxMemoryKiB && parsed.passes <= maxPasses && parsed.parallelism >= 1 && parsed.passes >= 1;
  return sane ? parsed : undefined;
}

/** Recomputes the hash with the stored parameters and compares in constant time. */
export async function verifySecret(secret: string, stored: string): Promise<boolean> {
  const parsed = parseHash(stored);
  if (!parsed) return false;
  const { salt, tag, ...settings } = parsed;
  const computed = await argon2id(secret, salt, settings, tag.length);
  return crypto.timingSafeEqual(computed, tag);
}
