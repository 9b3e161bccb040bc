/**
 * One measurement of the PGP benchmark, in its own process so its peak RSS is its own:
 *   node bench/pgp/worker.ts encrypt|decrypt|encrypt-signed <key file> <input file> <read chunk bytes> <piece bytes|default>
 * encrypt: <key file> is the recipient's armored public key; decrypt: Workgate's armored private key;
 * encrypt-signed: Workgate's armored private key (no passphrase), which signs, and whose public key is the recipient.
 * Prints one JSON line: output bytes, time and CPU time of the streaming (after the key is read), peak RSS.
 * Output goes nowhere (no disk).
 */
import fs from 'node:fs';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import * as openpgp from 'openpgp';
// The stream functions alone (not src/pgp/index.ts, which also loads the HTTP routes and the CLI): this process
// measures what a file costs, on top of Node and openpgp, as gpg's RSS is what gpg costs.
import { decryptStream } from '../../src/pgp/decrypt-stream.ts';
import { encryptStream } from '../../src/pgp/encrypt-stream.ts';

function discard(count: (bytes: number) => void): Writable {
  return new Writable({
    highWaterMark: 1024 * 1024,
    write(chunk: Buffer, _encoding, done) {
      count(chunk.length);
      done();
    },
  });
}

/** Reads the key (not measured) and returns the streaming work (measured). */
async function prepare(operation: string, armored: string, input: fs.ReadStream, output: Writable, pieceBytes: number | undefined): Promise<() => Promise<unknown>> {
  if (operation === 'decrypt') {
    const key = await openpgp.readPrivateKey({ armoredKey: armored });
    return async () => {
      const { plaintext, outcome } = decryptStream(input, { decryptionKeys: [key], maxPlaintextBytes: 2 ** 40, ...(pieceBytes ? { pieceBytes } : {}) });
      await pipeline(plaintext, output);
      return outcome;
    };
  }
  if (operation === 'encrypt-signed') {
    const signingKey = await openpgp.readPrivateKey({ armoredKey: armored });
    const recipientKey = signingKey.toPublic();
    return () => pipeline(encryptStream(input, { recipientKey, signingKey, ...(pieceBytes ? { pieceBytes } : {}) }), output);
  }
  const recipientKey = await openpgp.readKey({ armoredKey: armored });
  return () => pipeline(encryptStream(input, { recipientKey, ...(pieceBytes ? { pieceBytes } : {}) }), output);
}

async function main(): Promise<void> {
  const [operation, keyFile, inputFile, chunkText, pieceText] = process.argv.slice(2);
  if ((operation !== 'encrypt' && operation !== 'decrypt' && operation !== 'encrypt-signed') || !keyFile || !inputFile) throw new Error('usage: worker.ts encrypt|decrypt|encrypt-signed <key> <input> <chunk> <piece>');
  const input = fs.createReadStream(inputFile, { highWaterMark: Number(chunkText ?? 1024 * 1024) });
  let outputBytes = 0;
  const work = await prepare(operation, fs.readFileSync(keyFile, 'utf8'), input, discard((n) => (outputBytes += n)), pieceText === undefined || pieceText === 'default' ? undefined : Number(pieceText));
  const started = performance.now();
  const cpuBefore = process.cpuUsage();
  await work();
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpuBefore);
  process.stdout.write(`${JSON.stringify({ outputBytes, ms, cpuMs: (cpu.user + cpu.system) / 1000, maxRssKiB: process.resourceUsage().maxRSS })}\n`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
