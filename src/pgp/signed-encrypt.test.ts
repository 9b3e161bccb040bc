import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import * as openpgp from 'openpgp';
import { encryptStream } from './encrypt-stream.ts';
import { inspectPublicKey } from './key-inspection.ts';
import { generateWorkgateKey } from './key-material.ts';
import { createMessageSigner } from './message-signer.ts';
import { LiteralDataWriter, literalDataFields } from './packet-framing.ts';
import { SeipdV1Writer } from './seipd-v1-encrypt.ts';
import { collect, createGpgHome, gpgGenerateKey, gpgSkip, type GpgHome } from './test-support.ts';

/**
 * Signed binary messages written natively (encrypt-stream.ts nativeMessage with message-signer.ts): one-pass
 * signature, literal data, signature, inside SEIPDv1. GnuPG 2.2 and openpgp must decrypt and verify them.
 */

/** `bytes` as a stream of pieces of `size` (views into one buffer at an odd offset). */
function piecesOf(bytes: Uint8Array, size: number): Readable {
  const padded = Buffer.alloc(bytes.length + 1);
  padded.set(bytes, 1);
  const pieces: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) pieces.push(padded.subarray(1 + at, 1 + Math.min(at + size, bytes.length)));
  return Readable.from(pieces);
}

const part = 64 * 1024;
/** The one-pass signature packet is 15 bytes; the encrypted packet's first part holds the version byte and the 18-byte prefix. */
const beforeLiteral = 1 + 18 + 15;
const sizes = [0, 1, 1000, part - 7, part - 6, part - 5, part - beforeLiteral - 8, part - beforeLiteral - 7, part - beforeLiteral - 200, part, 2 * part - 6, 2 * part + 1, 3 * part + 5, 1024 * 1024 + 13];

interface Signer {
  name: string;
  key: openpgp.PrivateKey;
  fingerprint: string;
}

interface Recipient {
  name: string;
  publicKey: openpgp.PublicKey;
}

async function workgateSigner(type: 'ecc' | 'rsa4096'): Promise<Signer> {
  const generated = await generateWorkgateKey(type, undefined, new Date(Date.now() - 60_000));
  return { name: `Workgate ${type}`, key: await openpgp.readPrivateKey({ armoredKey: generated.privateArmored }), fingerprint: generated.fingerprint };
}

async function gpgRecipient(gpg: GpgHome, type: 'rsa3072' | 'curve25519', email: string): Promise<Recipient> {
  await gpgGenerateKey(gpg, type, email);
  const exported = (await gpg.run(['--armor', '--export', email])).stdout.toString();
  return { name: `gpg ${type}`, publicKey: (await inspectPublicKey(exported, 'encrypt', new Date())).key };
}

describe('signed binary messages written natively, read and verified by GnuPG 2.2', { skip: gpgSkip }, () => {
  let gpg: GpgHome;
  const signers: Signer[] = [];
  const recipients: Recipient[] = [];

  before(async () => {
    gpg = createGpgHome();
    signers.push(await workgateSigner('ecc'), await workgateSigner('rsa4096'));
    for (const signer of signers) await gpg.run(['--import'], signer.key.toPublic().armor());
    recipients.push(await gpgRecipient(gpg, 'rsa3072', 'rsa@customer.example'), await gpgRecipient(gpg, 'curve25519', 'ecc@customer.example'));
  });
  after(() => gpg?.close());

  async function gpgVerifies(message: Buffer, signer: Signer, what: string) {
    const result = await gpg.run(['--status-fd', '2', '--decrypt'], message);
    assert.match(result.stderr, /\[GNUPG:\] DECRYPTION_OKAY/, what);
    assert.match(result.stderr, /\[GNUPG:\] GOODMDC/, what);
    assert.match(result.stderr, new RegExp(`\\[GNUPG:\\] GOODSIG ${signer.fingerprint.slice(-16)} `), what);
    // VALIDSIG: the signing key's fingerprint, ..., the hash algorithm (10: SHA-512, what openpgp picks for these keys), class 00 (binary), the primary key's fingerprint.
    assert.match(result.stderr, new RegExp(`\\[GNUPG:\\] VALIDSIG ${signer.fingerprint} \\S+ \\d+ 0 4 0 \\d+ 10 00 ${signer.fingerprint}`), what);
    return result;
  }

  it('the native signer applies to both Workgate key types for both recipients', async () => {
    for (const signer of signers) {
      for (const recipient of recipients) {
        const made = await createMessageSigner({ signingKey: signer.key, recipientKey: recipient.publicKey, date: new Date(), config: { aeadProtect: false } });
        assert.ok(made, `${signer.name} for ${recipient.name}`);
        assert.equal(made.onePassPacket.length, 15);
      }
    }
  });

  it('gpg decrypts and verifies every size around the part boundaries, for RSA and ECC signers and recipients', async () => {
    for (const signer of signers) {
      for (const recipient of recipients) {
        for (const size of sizes) {
          const data = crypto.randomBytes(size);
          const message = await collect(encryptStream(piecesOf(data, size > 100_000 ? 100_003 : 4093), { recipientKey: recipient.publicKey, signingKey: signer.key }));
          const { stdout } = await gpgVerifies(message, signer, `${signer.name} to ${recipient.name}, ${size} bytes`);
          assert.ok(stdout.equals(data), `${signer.name} to ${recipient.name}, ${size} bytes`);
        }
      }
    }
  });

  it('records the file name and date; gpg reports them with a good signature', async () => {
    const date = new Date(Date.now() + 60_000);
    const data = Buffer.from('Name,Code\nHead Office,HO\n');
    for (const signer of signers) {
      const message = await collect(encryptStream(piecesOf(data, 7), { recipientKey: (recipients[0] as Recipient).publicKey, signingKey: signer.key, filename: 'résultat.csv', date }));
      const { stdout, stderr } = await gpgVerifies(message, signer, signer.name);
      assert.ok(stdout.equals(data));
      assert.match(stderr, new RegExp(`\\[GNUPG:\\] PLAINTEXT 62 ${Math.floor(date.getTime() / 1000)} résultat\\.csv`));
      assert.match(stderr, new RegExp(`\\[GNUPG:\\] VALIDSIG ${signer.fingerprint} \\S+ ${Math.floor(date.getTime() / 1000)} `), 'the signature is dated as asked');
    }
  });

  it('gpg refuses a changed byte in the encrypted packet', async () => {
    const message = await collect(encryptStream(piecesOf(crypto.randomBytes(200_000), 65_536), { recipientKey: (recipients[1] as Recipient).publicKey, signingKey: (signers[1] as Signer).key }));
    for (const fromEnd of [1, 21, 300, 100_000]) {
      const tampered = Buffer.from(message);
      const at = tampered.length - fromEnd;
      tampered[at] = (tampered[at] as number) ^ 0x01;
      await assert.rejects(gpg.run(['--status-fd', '2', '--decrypt'], tampered), `changed ${fromEnd} bytes from the end`);
    }
  });

  it('gpg reports BADSIG for a signature over other data, or a changed signature value (the encryption intact)', async () => {
    for (const [signer, change] of signers.flatMap((s) => [[s, 'data'], [s, 'signature']] as const)) {
      const recipientKey = (recipients[0] as Recipient).publicKey;
      const config = { aeadProtect: false };
      const signing = await createMessageSigner({ signingKey: signer.key, recipientKey, date: new Date(), config });
      assert.ok(signing);
      const signed = crypto.randomBytes(100_000);
      const sent = Buffer.from(signed);
      if (change === 'data') sent[50_000] = (sent[50_000] as number) ^ 0x80;
      signing.update(signed);
      const sessionKey = await openpgp.generateSessionKey({ encryptionKeys: recipientKey, config });
      const out: Uint8Array[] = [await openpgp.encryptSessionKey({ ...sessionKey, encryptionKeys: recipientKey, format: 'binary', config })];
      const seipd = new SeipdV1Writer(sessionKey.algorithm, sessionKey.data);
      seipd.write(signing.onePassPacket, out);
      const literal = new LiteralDataWriter(seipd, literalDataFields('', new Date()) as Buffer, part);
      literal.write(sent, out);
      literal.end(out);
      const signature = Buffer.from(signing.signaturePacket());
      // The last byte is the signature value's (RSA's s, EdDSA's s); the hash's first two bytes still match.
      if (change === 'signature') signature[signature.length - 1] = (signature[signature.length - 1] as number) ^ 0x01;
      seipd.write(signature, out);
      seipd.end(out);
      const result = await gpg.run(['--status-fd', '2', '--decrypt'], Buffer.concat(out)).catch((error: Error) => ({ stderr: error.message }));
      assert.match(result.stderr, /\[GNUPG:\] BADSIG /, `${signer.name}, changed ${change}`);
      assert.doesNotMatch(result.stderr, /GOODSIG|VALIDSIG/, `${signer.name}, changed ${change}`);
    }
  });
});

describe('signed binary messages written natively, read and verified by openpgp', () => {
  const signers: Signer[] = [];
  const recipients: Array<Recipient & { privateKey: openpgp.PrivateKey }> = [];

  before(async () => {
    signers.push(await workgateSigner('ecc'), await workgateSigner('rsa4096'));
    for (const [name, options] of [
      ['openpgp rsa3072', { type: 'rsa' as const, rsaBits: 3072 }],
      ['openpgp curve25519', { type: 'ecc' as const, curve: 'curve25519Legacy' as const }],
    ] as const) {
      const { privateKey, publicKey } = await openpgp.generateKey({ ...options, userIDs: [{ name: 'Customer' }], format: 'object', date: new Date(Date.now() - 60_000) });
      recipients.push({ name, publicKey, privateKey });
    }
  });

  async function openpgpVerifies(message: Buffer, signer: Signer, recipient: { privateKey: openpgp.PrivateKey }) {
    const { data, signatures } = await openpgp.decrypt({
      message: await openpgp.readMessage({ binaryMessage: message }),
      decryptionKeys: recipient.privateKey,
      verificationKeys: signer.key.toPublic(),
      expectSigned: true,
      format: 'binary',
    });
    assert.equal(signatures.length, 1);
    await (signatures[0] as { verified: Promise<unknown> }).verified;
    return Buffer.from(data);
  }

  it('openpgp decrypts and verifies sizes around the part boundaries, and empty input', async () => {
    for (const signer of signers) {
      for (const recipient of recipients) {
        for (const size of [0, 1, part - 6, part - beforeLiteral - 8, 2 * part + 1, 300_001]) {
          const data = crypto.randomBytes(size);
          const message = await collect(encryptStream(piecesOf(data, 4093), { recipientKey: recipient.publicKey, signingKey: signer.key, filename: 'out.csv' }));
          assert.ok((await openpgpVerifies(message, signer, recipient)).equals(data), `${signer.name} to ${recipient.name}, ${size} bytes`);
        }
      }
    }
  });

  it('openpgp refuses a signature over other data, and a signature by another key', async () => {
    const [ecc, rsa] = signers as [Signer, Signer];
    const recipient = recipients[1] as Recipient & { privateKey: openpgp.PrivateKey };
    const config = { aeadProtect: false };
    const signing = await createMessageSigner({ signingKey: ecc.key, recipientKey: recipient.publicKey, date: new Date(), config });
    assert.ok(signing);
    signing.update(Buffer.from('what was signed'));
    const sessionKey = await openpgp.generateSessionKey({ encryptionKeys: recipient.publicKey, config });
    const out: Uint8Array[] = [await openpgp.encryptSessionKey({ ...sessionKey, encryptionKeys: recipient.publicKey, format: 'binary', config })];
    const seipd = new SeipdV1Writer(sessionKey.algorithm, sessionKey.data);
    seipd.write(signing.onePassPacket, out);
    const literal = new LiteralDataWriter(seipd, literalDataFields('', new Date()) as Buffer, part);
    literal.write(Buffer.from('what was sent!!'), out);
    literal.end(out);
    seipd.write(signing.signaturePacket(), out);
    seipd.end(out);
    await assert.rejects(openpgpVerifies(Buffer.concat(out), ecc, recipient), /Signed digest did not match/);

    const good = await collect(encryptStream(piecesOf(Buffer.from('hello'), 2), { recipientKey: recipient.publicKey, signingKey: ecc.key }));
    await assert.rejects(openpgpVerifies(good, rsa, recipient), /signing key/i);
  });

  it('keys the native signer does not handle (an ECDSA P-256 key) still sign, through openpgp', async () => {
    const { privateKey } = await openpgp.generateKey({ type: 'ecc', curve: 'nistP256', userIDs: [{ name: 'Other' }], format: 'object', date: new Date(Date.now() - 60_000) });
    const recipient = recipients[0] as Recipient & { privateKey: openpgp.PrivateKey };
    assert.equal(await createMessageSigner({ signingKey: privateKey, recipientKey: recipient.publicKey, date: new Date(), config: { aeadProtect: false } }), undefined);
    const data = crypto.randomBytes(70_000);
    const message = await collect(encryptStream(piecesOf(data, 4093), { recipientKey: recipient.publicKey, signingKey: privateKey }));
    assert.ok((await openpgpVerifies(message, { name: 'p256', key: privateKey, fingerprint: '' }, recipient)).equals(data));
  });
});
