import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { before, describe, it } from 'node:test';
import * as openpgp from 'openpgp';
import { decryptStream, type DecryptStreamOptions } from './decrypt-stream.ts';
import { encryptStream } from './encrypt-stream.ts';
import { generateWorkgateKey, unlockKey } from './key-material.ts';
import { isPgpError, type PgpReason } from './pgp.errors.ts';
import { bytesOf, collect, customerKey } from './test-support.ts';

const text = 'Name,Code,Status\nHead Office,HO,Active\n'.repeat(200);

let workgate: openpgp.PrivateKey;
let customer: Awaited<ReturnType<typeof customerKey>>;
let stranger: Awaited<ReturnType<typeof customerKey>>;

before(async () => {
  const generated = await generateWorkgateKey('ecc', undefined, new Date());
  workgate = (await unlockKey(generated.privateArmored, undefined, 'test')).key;
  customer = await customerKey();
  stranger = await customerKey({ userIDs: [{ name: 'Stranger' }] });
});

interface MessageOptions {
  armor?: boolean;
  compression?: openpgp.enums.compression;
  signWith?: openpgp.PrivateKey;
  recipient?: openpgp.PublicKey;
  data?: Uint8Array;
}

/** What a customer's tool would send: a whole message made in memory (test data is small). */
async function message(options: MessageOptions = {}): Promise<Buffer> {
  const created = await openpgp.createMessage({ binary: options.data ?? Buffer.from(text) });
  const config = { preferredCompressionAlgorithm: options.compression ?? openpgp.enums.compression.uncompressed };
  const base = { message: created, encryptionKeys: options.recipient ?? workgate.toPublic(), config, ...(options.signWith ? { signingKeys: options.signWith } : {}) };
  return options.armor ? Buffer.from(await openpgp.encrypt({ ...base, format: 'armored' })) : Buffer.from(await openpgp.encrypt({ ...base, format: 'binary' }));
}

function decryptOptions(overrides: Partial<DecryptStreamOptions> = {}): DecryptStreamOptions {
  return { decryptionKeys: [workgate], maxPlaintextBytes: 1024 * 1024, ...overrides };
}

async function decryptAll(bytes: Buffer, overrides: Partial<DecryptStreamOptions> = {}) {
  const { plaintext, outcome } = decryptStream(bytesOf(bytes), decryptOptions(overrides));
  const data = await collect(plaintext);
  return { data, outcome: await outcome };
}

async function refused(bytes: Buffer, reason: PgpReason, overrides: Partial<DecryptStreamOptions> = {}, message?: RegExp): Promise<void> {
  const { plaintext, outcome } = decryptStream(bytesOf(bytes), decryptOptions(overrides));
  await assert.rejects(collect(plaintext), (error: unknown) => {
    assert.ok(isPgpError(error), `a PgpError, got ${String(error)}`);
    assert.equal(error.reason, reason, error.message);
    if (message) assert.match(error.message, message);
    return true;
  });
  await assert.rejects(outcome);
}

describe('decryptStream', () => {
  for (const armor of [false, true]) {
    for (const compression of [openpgp.enums.compression.uncompressed, openpgp.enums.compression.zip, openpgp.enums.compression.zlib]) {
      it(`decrypts ${armor ? 'armored' : 'binary'} messages, compression ${openpgp.enums.read(openpgp.enums.compression, compression)}`, async () => {
        const { data, outcome } = await decryptAll(await message({ armor, compression }));
        assert.equal(data.toString(), text);
        assert.equal(outcome.format, armor ? 'armored' : 'binary');
        assert.equal(outcome.decryptedWith, workgate.getFingerprint().toUpperCase());
        assert.equal(outcome.plaintextBytes, Buffer.byteLength(text));
        assert.equal(outcome.signer, null);
      });
    }
  }

  it('verifies a signature by the account\'s signing key and names the signer', async () => {
    const signed = await message({ signWith: customer.privateKey, compression: openpgp.enums.compression.zlib });
    const { outcome } = await decryptAll(signed, { verificationKeys: [customer.publicKey], requireSigned: true });
    assert.equal(outcome.signer?.fingerprint, customer.publicKey.getFingerprint().toUpperCase());
  });

  it('accepts an unsigned file when no signature is required', async () => {
    const { outcome } = await decryptAll(await message(), { verificationKeys: [customer.publicKey] });
    assert.equal(outcome.signer, null);
  });

  it('refuses an unsigned file when signing is required, before any plaintext', async () => {
    await refused(await message(), 'unsigned', { verificationKeys: [customer.publicKey], requireSigned: true }, /not signed/);
  });

  it('refuses a signature from an unknown key when signing is required, naming the key', async () => {
    const signed = await message({ signWith: stranger.privateKey });
    const keyId = stranger.privateKey.getSigningKey().then((k) => k.getKeyID().toHex().toUpperCase());
    await refused(signed, 'unknown_signer', { verificationKeys: [customer.publicKey], requireSigned: true }, new RegExp(`0x${await keyId}`));
  });

  it('refuses what is not an OpenPGP message', async () => {
    await refused(Buffer.from('Name,Code\nA,B\n'), 'not_pgp', {}, /plain text/);
    await refused(Buffer.from([0x00, 0x01, 0x02, 0x03]), 'not_pgp');
    await refused(Buffer.alloc(0), 'not_pgp', {}, /empty/);
    await refused(Buffer.from(customer.armored), 'not_pgp', {}, /public key block/);
  });

  it('refuses a signed but unencrypted message', async () => {
    const signedOnly = await openpgp.sign({ message: await openpgp.createMessage({ text: 'x' }), signingKeys: customer.privateKey, format: 'binary' });
    await refused(Buffer.from(signedOnly), 'not_encrypted');
  });

  it('refuses a truncated message, binary and armored', async () => {
    const binary = await message();
    await refused(binary.subarray(0, binary.length - 100), 'truncated');
    const armored = await message({ armor: true });
    await refused(armored.subarray(0, armored.length >> 1), 'truncated');
  });

  it('refuses tampered ciphertext: the integrity check fails at the end', async () => {
    const tampered = Buffer.from(await message());
    tampered[tampered.length - 300] = (tampered[tampered.length - 300] ?? 0) ^ 0x01;
    await refused(tampered, 'integrity', {}, /integrity/);
  });

  it('refuses a file encrypted for another key, naming that key', async () => {
    const forStranger = await message({ recipient: stranger.publicKey });
    const subkey = await stranger.publicKey.getEncryptionKey();
    await refused(forStranger, 'no_matching_key', {}, new RegExp(`0x${subkey.getKeyID().toHex().toUpperCase()}, which is not one of Workgate's keys`));
  });

  it('stops a decompression bomb at the configured limit', async () => {
    const bomb = await message({ data: new Uint8Array(8 * 1024 * 1024), compression: openpgp.enums.compression.zlib });
    assert.ok(bomb.length < 64 * 1024, 'the bomb is small');
    await refused(bomb, 'too_large', { maxPlaintextBytes: 1024 * 1024 }, /WORKGATE_PGP_MAX_PLAINTEXT_BYTES/);
  });

  it('reports an error of the input stream as itself', async () => {
    const broken = new Readable({ read() { this.destroy(new Error('disk on fire')); } });
    const { plaintext } = decryptStream(broken, decryptOptions());
    await assert.rejects(collect(plaintext), /disk on fire/);
  });

  it('stops reading the input when the consumer stops early', async () => {
    const encrypted = await message({ data: crypto.randomBytes(3 * 1024 * 1024) });
    const input = Readable.from(Array.from({ length: Math.ceil(encrypted.length / 65536) }, (_, i) => encrypted.subarray(i * 65536, (i + 1) * 65536)));
    const { plaintext, outcome } = decryptStream(input, decryptOptions({ maxPlaintextBytes: 8 * 1024 * 1024 }));
    for await (const _chunk of plaintext) break;
    await assert.rejects(outcome, (error: Error) => !isPgpError(error));
    assert.ok(input.destroyed, 'the input stream was closed');
  });
});

describe('encryptStream', () => {
  it('encrypts and signs for a recipient; the recipient decrypts and verifies', async () => {
    const encrypted = await collect(encryptStream(bytesOf(text), { recipientKey: customer.publicKey, signingKey: workgate }));
    const read = await openpgp.readMessage({ binaryMessage: encrypted });
    const result = await openpgp.decrypt({ message: read, decryptionKeys: customer.privateKey, verificationKeys: workgate.toPublic(), expectSigned: true, format: 'binary' });
    assert.equal(Buffer.from(result.data).toString(), text);
  });

  it('writes classic SEIPDv1 packets for a key that does not announce AEAD, armored on request', async () => {
    const armored = await collect(encryptStream(bytesOf(text), { recipientKey: customer.publicKey, armor: true }));
    assert.match(armored.toString(), /^-----BEGIN PGP MESSAGE-----/);
    const read = await openpgp.readMessage({ armoredMessage: armored.toString() });
    const packet = read.packets.find((p) => p.constructor.name.includes('SymEncryptedIntegrityProtectedData')) as unknown as { version: number };
    assert.equal(packet.version, 1);
  });

  it('round-trips through decryptStream, compressed', async () => {
    const encrypted = await collect(encryptStream(bytesOf(text), { recipientKey: workgate.toPublic(), signingKey: customer.privateKey, compression: 'zlib' }));
    const { data, outcome } = await decryptAll(encrypted, { verificationKeys: [customer.publicKey], requireSigned: true });
    assert.equal(data.toString(), text);
    assert.ok(outcome.signer);
  });
});
