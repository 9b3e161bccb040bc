import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import * as openpgp from 'openpgp';
import { encryptStream } from './encrypt-stream.ts';
import { inspectPublicKey } from './key-inspection.ts';
import { LiteralDataWriter, literalDataFields, type PacketSink } from './packet-framing.ts';
import { parsePacketHeader } from './packet-reader.ts';
import { collect, createGpgHome, gpgSkip, piecesOf, type GpgHome } from './test-support.ts';

/**
 * The native writing of unsigned binary messages (encrypt-stream.ts nativeMessage: literal data packet
 * and SEIPDv1 packet written by Workgate, parts of 64 KiB each), read by GnuPG 2.2.
 */


const part = 64 * 1024;
/** Around the literal data parts (the first holds 6 bytes of fields) and the encrypted packet's parts (the first holds the version byte and the 18-byte prefix). */
const sizes = [0, 1, part - 7, part - 6, part - 5, part - 18 - 8, part, 2 * part - 6, 2 * part + 1, 3 * part + 5, 1024 * 1024 + 13];

interface Recipient {
  name: string;
  publicKey: openpgp.PublicKey;
  /** GnuPG's number of the cipher it must use: 7 AES-128, 9 AES-256 (openpgp takes AES-256 when the key lists it, else AES-128). */
  cipher: number;
}

/** A gpg-made key whose preferences name only the given cipher (and 3DES, which gpg always adds). */
async function gpgKey(gpg: GpgHome, email: string, algorithm: 'rsa3072' | 'cv25519', cipherPreference: string): Promise<openpgp.PublicKey> {
  const preferences = ['--default-preference-list', `${cipherPreference} SHA256 Uncompressed`];
  if (algorithm === 'rsa3072') {
    await gpg.run([...preferences, '--quick-generate-key', `Customer <${email}>`, 'rsa3072', 'sign,encrypt', 'never']);
  } else {
    await gpg.run([...preferences, '--quick-generate-key', `Customer <${email}>`, 'ed25519', 'sign', 'never']);
    const listed = (await gpg.run(['--with-colons', '--list-keys', email])).stdout.toString();
    await gpg.run(['--quick-add-key', /^fpr:+([0-9A-F]+):/m.exec(listed)?.[1] ?? '', 'cv25519', 'encr', 'never']);
  }
  const exported = (await gpg.run(['--armor', '--export', email])).stdout.toString();
  return (await inspectPublicKey(exported, 'encrypt', new Date())).key;
}

/** The first two packets' tags and the encrypted packet's first length octet: what shows the message was written natively. */
function framing(message: Buffer): { tags: number[]; firstLengthOctet: number | undefined } {
  const first = parsePacketHeader(message, 0);
  assert.ok(first && first.length.kind === 'definite');
  const secondAt = first.headerBytes + first.length.bytes;
  const second = parsePacketHeader(message, secondAt);
  assert.ok(second);
  return { tags: [first.tag, second.tag], firstLengthOctet: message[secondAt + 1] };
}

describe('unsigned binary messages written natively, read by GnuPG 2.2', { skip: gpgSkip }, () => {
  let gpg: GpgHome;
  const recipients: Recipient[] = [];

  before(async () => {
    gpg = createGpgHome();
    recipients.push({ name: 'RSA 3072, AES-256', publicKey: await gpgKey(gpg, 'rsa@customer.example', 'rsa3072', 'AES256'), cipher: 9 });
    recipients.push({ name: 'curve25519, AES-128', publicKey: await gpgKey(gpg, 'ecc@customer.example', 'cv25519', 'AES'), cipher: 7 });
    recipients.push({ name: 'curve25519, AES-256', publicKey: await gpgKey(gpg, 'ecc256@customer.example', 'cv25519', 'AES256'), cipher: 9 });
  });
  after(() => gpg?.close());

  async function gpgDecrypts(message: Buffer) {
    const result = await gpg.run(['--status-fd', '2', '--decrypt'], message);
    assert.match(result.stderr, /\[GNUPG:\] DECRYPTION_OKAY/);
    assert.match(result.stderr, /\[GNUPG:\] GOODMDC/);
    return result;
  }

  it('gpg decrypts every size around the part boundaries, for RSA and curve25519 keys, with AES-128 and AES-256', async () => {
    for (const recipient of recipients) {
      for (const size of sizes) {
        const data = crypto.randomBytes(size);
        const message = await collect(encryptStream(piecesOf(data, size > 100_000 ? 100_003 : 4093), { recipientKey: recipient.publicKey }));
        const { stdout, stderr } = await gpgDecrypts(message);
        assert.ok(stdout.equals(data), `${recipient.name}, ${size} bytes`);
        assert.match(stderr, new RegExp(`\\[GNUPG:\\] DECRYPTION_INFO 2 ${recipient.cipher}\\b`), `${recipient.name}: the cipher the key prefers`);
        const { tags, firstLengthOctet } = framing(message);
        assert.deepEqual(tags, [openpgp.enums.packet.publicKeyEncryptedSessionKey, openpgp.enums.packet.symEncryptedIntegrityProtectedData]);
        // Partial parts of 2^16 once the message outgrows one part: the native writer's framing, not openpgp's.
        if (size > part) assert.equal(firstLengthOctet, 0xe0 + 16, `${recipient.name}, ${size} bytes`);
      }
    }
  });

  it('records the file name and date as openpgp would; gpg reports them', async () => {
    const date = new Date(Date.now() + 60_000); // after the key's creation, as it must be
    const data = Buffer.from('Name,Code\nHead Office,HO\n');
    const message = await collect(encryptStream(piecesOf(data, 7), { recipientKey: (recipients[0] as Recipient).publicKey, filename: 'résultat.csv', date }));
    const { stdout, stderr } = await gpgDecrypts(message);
    assert.ok(stdout.equals(data));
    assert.match(stderr, new RegExp(`\\[GNUPG:\\] PLAINTEXT 62 ${Math.floor(date.getTime() / 1000)} résultat\\.csv`));
  });

  it('gpg refuses a changed byte in the encrypted packet', async () => {
    const message = await collect(encryptStream(piecesOf(crypto.randomBytes(200_000), 65_536), { recipientKey: (recipients[1] as Recipient).publicKey }));
    for (const fromEnd of [1, 21, 100_000]) {
      const tampered = Buffer.from(message);
      const at = tampered.length - fromEnd;
      tampered[at] = (tampered[at] as number) ^ 0x01;
      await assert.rejects(gpgDecrypts(tampered), `changed ${fromEnd} bytes from the end`);
    }
  });
});

describe('unsigned binary messages written natively: bad cases', () => {
  let recipient: openpgp.PublicKey;
  before(async () => {
    recipient = (await openpgp.generateKey({ userIDs: [{ name: 'Customer' }], format: 'object' })).publicKey;
  });

  it('reports an error of the input stream as itself, without ending the message', async () => {
    async function* failing() {
      yield crypto.randomBytes(300_000);
      throw new Error('disk read failed');
    }
    await assert.rejects(collect(encryptStream(Readable.from(failing()), { recipientKey: recipient })), /disk read failed/);
  });

  it('stops reading the input when the consumer stops early', async () => {
    let produced = 0;
    let closed = false;
    const input = new Readable({
      read() {
        produced += 1;
        this.push(produced > 10_000 ? null : crypto.randomBytes(65_536));
      },
      destroy(error, done) {
        closed = true;
        done(error);
      },
    });
    const encrypted = encryptStream(input, { recipientKey: recipient });
    for await (const chunk of encrypted) {
      void chunk;
      break;
    }
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(closed, 'the input was destroyed');
    assert.ok(produced < 100, `read ${produced} pieces of 64 KiB`);
  });

  it('refuses a file name longer than the 255 bytes a literal data packet can record', async () => {
    for (const filename of ['é'.repeat(128), 'a'.repeat(256)]) {
      await assert.rejects(collect(encryptStream(Readable.from([Buffer.from('x')]), { recipientKey: recipient, filename })), /longer than the 255 bytes/);
    }
    assert.ok(literalDataFields('a'.repeat(255), new Date()));
  });

  it('refuses a literal part size that is not a power of two from 512, or too small for the fields', () => {
    const sink: PacketSink = { write: () => undefined };
    const fields = literalDataFields('name.csv', new Date()) as Buffer;
    for (const partBytes of [256, 1000, 3 * 1024]) assert.throws(() => new LiteralDataWriter(sink, fields, partBytes), /power of two/);
    assert.throws(() => new LiteralDataWriter(sink, Buffer.alloc(600), 512), /fields must fit/);
  });
});
