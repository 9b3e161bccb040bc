import { notPgp, PgpError } from './pgp.errors.ts';

/** How many leading bytes decide what a file is: a header line after some blank space. */
export const sniffBytes = 1024;

export type MessageFormat = 'armored' | 'binary';

/** Packet tags that may start an encrypted message (RFC 9580 section 5). */
const encryptedStartTags = new Set([1, 3, 9, 10, 18, 20]);
/** Tags that start an OpenPGP message that is not encrypted: signed, compressed or literal data. */
const plainStartTags = new Set([2, 4, 8, 11]);

const armorHeader = /^-----BEGIN PGP ([A-Z ,/0-9]+)-----/;

function packetTag(first: number): number {
  // New format: 0b11tttttt; old format: 0b10ttttll.
  return first & 0x40 ? first & 0x3f : (first >> 2) & 0x0f;
}

function leadingText(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('latin1').replace(/^\uFEFF|^\u00EF\u00BB\u00BF/, '').trimStart();
}

function armoredFormat(text: string): MessageFormat {
  const kind = armorHeader.exec(text)?.[1];
  if (kind === 'MESSAGE') return 'armored';
  if (kind === 'SIGNED MESSAGE') {
    throw new PgpError('not_encrypted', 'the file is a cleartext-signed OpenPGP message, not an encrypted one: encrypt it for Workgate\'s public key');
  }
  if (kind?.includes('KEY BLOCK')) throw notPgp(`it is an armored ${kind.toLowerCase()}, not a message`);
  throw notPgp(`its armor header says "${(kind ?? '').slice(0, 40)}", expected "-----BEGIN PGP MESSAGE-----"`);
}

function binaryFormat(first: number): MessageFormat {
  const tag = packetTag(first);
  if (encryptedStartTags.has(tag)) return 'binary';
  if (plainStartTags.has(tag)) {
    throw new PgpError('not_encrypted', 'the file is an OpenPGP message that is not encrypted: encrypt it for Workgate\'s public key');
  }
  throw notPgp(`it starts with packet type ${tag}, which no encrypted message starts with`);
}

/**
 * What the first bytes of a file say: an armored or a binary encrypted OpenPGP message, or a PgpError naming
 * what it is instead (plain text, a key, a signed but unencrypted message).
 */
export function detectFormat(head: Uint8Array): MessageFormat {
  if (head.length === 0) throw notPgp('the file is empty');
  const text = leadingText(head);
  if (text.startsWith('-----BEGIN PGP')) return armoredFormat(text);
  const first = head[0] ?? 0;
  if (first & 0x80) return binaryFormat(first);
  const printable = /^[\t\n\r -~]{16}/.test(text) || /^[\t\n\r -~]+$/.test(text);
  throw notPgp(printable ? 'it starts with plain text (was it uploaded unencrypted?)' : 'it starts with neither an OpenPGP packet nor "-----BEGIN PGP MESSAGE-----"');
}

/** File names that announce an OpenPGP message (DESIGN "A file's way", step 3). */
export const pgpFileNamePattern = /\.(?:pgp|gpg|asc)$/i;

/**
 * Whether a file's first bytes (up to sniffBytes) look like OpenPGP, encrypted or not, so the feed pipeline
 * decrypts it (and decrypt then says precisely what is wrong, e.g. a signed but unencrypted message).
 */
export function looksLikePgp(head: Uint8Array): boolean {
  if (leadingText(head).startsWith('-----BEGIN PGP ')) return true;
  const first = head[0] ?? 0;
  if ((first & 0x80) === 0 || isText(head)) return false;
  const tag = packetTag(first);
  return encryptedStartTags.has(tag) || plainStartTags.has(tag);
}

const isControl = (code: number) => (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f;

/** UTF-8 text without control characters (a CSV starting with "É" has a first byte that looks like a packet). */
function isText(head: Uint8Array): boolean {
  const sample = head.subarray(0, Math.min(head.length, 256));
  // A multi-byte character cut at the end of the sample is not a reason to call it binary.
  for (let cut = 0; cut <= 3 && cut < sample.length; cut += 1) {
    try {
      const text = new TextDecoder('utf-8', { fatal: true }).decode(sample.subarray(0, sample.length - cut));
      return ![...text].some((c) => isControl(c.charCodeAt(0)));
    } catch {
      // try a shorter sample
    }
  }
  return false;
}
