import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import type { Readable } from 'node:stream';
import { before, describe, it } from 'node:test';
import * as openpgp from 'openpgp';
import { CfbDecryptor } from './cfb.ts';
import { decryptStream } from './decrypt-stream.ts';
import { encryptStream } from './encrypt-stream.ts';
import { generateWorkgateKey, unlockKey } from './key-material.ts';
import { isPgpError } from './pgp.errors.ts';
import { collect, customerKey, piecesOf } from './test-support.ts';


describe('CfbDecryptor', () => {
  for (const [algorithm, cipher, keyBytes] of [['aes128', 'aes-128-cfb', 16], ['aes192', 'aes-192-cfb', 24], ['aes256', 'aes-256-cfb', 32]] as const) {
    it(`decrypts ${algorithm} as OpenSSL's CFB does, whatever the pieces and their alignment`, () => {
      const key = crypto.randomBytes(keyBytes);
      const plaintext = crypto.randomBytes(100_003);
      const ciphertext = crypto.createCipheriv(cipher, key, Buffer.alloc(16)).update(plaintext);
      for (const size of [1, 7, 16, 33, 4096, 65_536, 200_000]) {
        const decryptor = new CfbDecryptor(algorithm, key);
        const out: Buffer[] = [];
        for (let at = 0; at < ciphertext.length; at += size) {
          const shift = (at / size) % 4; // aligned and unaligned views alike
          const piece = Buffer.concat([Buffer.alloc(shift), ciphertext.subarray(at, at + size)]).subarray(shift);
          const decrypted = decryptor.update(piece);
          if (decrypted) out.push(decrypted);
        }
        const last = decryptor.final();
        if (last) out.push(last);
        assert.ok(Buffer.concat(out).equals(plaintext), `pieces of ${size}`);
      }
    });
  }
});

describe('SEIPDv1 with native AES (what GnuPG 2.2 writes and reads)', () => {
  let workgate: openpgp.PrivateKey;
  before(async () => {
    const generated = await generateWorkgateKey('ecc', undefined, new Date());
    workgate = (await unlockKey(generated.privateArmored, undefined, 'test')).key;
  });

  async function openpgpMessage(data: Uint8Array, algorithm: openpgp.enums.symmetric = openpgp.enums.symmetric.aes256): Promise<Buffer> {
    const message = await openpgp.createMessage({ binary: data });
    const config = { preferredSymmetricAlgorithm: algorithm, preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed };
    return Buffer.from(await openpgp.encrypt({ message, encryptionKeys: workgate.toPublic(), format: 'binary', config }));
  }

  async function decrypted(input: Readable) {
    const { plaintext, outcome } = decryptStream(input, { decryptionKeys: [workgate], maxPlaintextBytes: 16 * 1024 * 1024 });
    return { data: await collect(plaintext), outcome: await outcome };
  }

  it('decrypts openpgp-made messages of every length around the block and MDC sizes, read in odd pieces', async () => {
    for (const length of [0, 1, 15, 16, 17, 21, 22, 23, 100_003]) {
      const data = crypto.randomBytes(length);
      const { data: out, outcome } = await decrypted(piecesOf(await openpgpMessage(data), length < 100 ? 5 : 1000));
      assert.ok(out.equals(data), `length ${length}`);
      assert.equal(outcome.plaintextBytes, length);
    }
  });

  it('decrypts messages around the native path\'s 256 KiB pieces, read whole and in pieces of 100,000 bytes', async () => {
    for (const length of [262_144 - 40, 262_144 - 22, 262_144, 262_144 + 23, 600_001]) {
      const data = crypto.randomBytes(length);
      const message = await openpgpMessage(data);
      for (const size of [message.length, 100_000]) {
        const { data: out, outcome } = await decrypted(piecesOf(message, size));
        assert.ok(out.equals(data), `length ${length}, read in pieces of ${size}`);
        assert.equal(outcome.plaintextBytes, length);
      }
    }
  });

  it('decrypts AES-128, AES-192 and AES-256 session keys', async () => {
    const data = crypto.randomBytes(50_000);
    for (const algorithm of [openpgp.enums.symmetric.aes128, openpgp.enums.symmetric.aes192, openpgp.enums.symmetric.aes256]) {
      const { data: out } = await decrypted(piecesOf(await openpgpMessage(data, algorithm), 4096));
      assert.ok(out.equals(data), openpgp.enums.read(openpgp.enums.symmetric, algorithm));
    }
  });

  it('refuses a change anywhere, the last byte of the MDC included, and does not end the plaintext cleanly', async () => {
    const message = await openpgpMessage(crypto.randomBytes(200_000));
    for (const fromEnd of [1, 20, 22, 23, 1000, 100_000, 199_990]) {
      const tampered = Buffer.from(message);
      const at = tampered.length - fromEnd;
      tampered[at] = (tampered[at] ?? 0) ^ 0x40;
      const { plaintext, outcome } = decryptStream(piecesOf(tampered, 8192), { decryptionKeys: [workgate], maxPlaintextBytes: 1024 * 1024 });
      await assert.rejects(collect(plaintext), (error: unknown) => isPgpError(error, 'integrity'), `changed ${fromEnd} bytes from the end`);
      await assert.rejects(outcome);
    }
  });

  it('encrypts messages openpgp reads, signed and unsigned, at every length around the 64 KiB parts', async () => {
    for (const signed of [false, true]) {
      for (const length of [0, 1, 65_536 - 40, 65_536 - 25, 65_536 - 6, 65_536, 65_537, 3 * 65_536 + 5]) {
        const data = crypto.randomBytes(length);
        const options = { recipientKey: workgate.toPublic(), ...(signed ? { signingKey: workgate } : {}) };
        const encrypted = await collect(encryptStream(piecesOf(data, 10_000), options));
        const message = await openpgp.readMessage({ binaryMessage: encrypted });
        const result = await openpgp.decrypt({ message, decryptionKeys: workgate, verificationKeys: workgate.toPublic(), expectSigned: signed, format: 'binary' });
        assert.ok(Buffer.from(result.data).equals(data), `length ${length}, ${signed ? 'signed' : 'unsigned'}`);
      }
    }
  });

  it('refuses data after the encrypted packet, and packets after the literal data, without a clean end', async () => {
    const data = crypto.randomBytes(40_000);
    const trailing = Buffer.concat([await openpgpMessage(data), crypto.randomBytes(100)]);
    const twoLiterals = new openpgp.PacketList<openpgp.AnyPacket>();
    for (const part of [data, data]) twoLiterals.push(...(await openpgp.createMessage({ binary: part })).packets);
    const config = { preferredCompressionAlgorithm: openpgp.enums.compression.uncompressed };
    const extraPacket = Buffer.from(await openpgp.encrypt({ message: new openpgp.Message(twoLiterals), encryptionKeys: workgate.toPublic(), format: 'binary', config }));
    for (const [name, message] of [['data after the packet', trailing], ['two literal data packets', extraPacket]] as const) {
      const { plaintext, outcome } = decryptStream(piecesOf(message, 8192), { decryptionKeys: [workgate], maxPlaintextBytes: 1024 * 1024 });
      await assert.rejects(collect(plaintext), (error: unknown) => isPgpError(error, 'integrity') && /Packet not allowed/.test(error.message), name);
      await assert.rejects(outcome);
    }
  });

  it('leaves keys that announce SEIPDv2 to openpgp: AEAD both ways', async () => {
    const aead = await customerKey({ config: { aeadProtect: true } });
    const data = crypto.randomBytes(70_000);
    const encrypted = await collect(encryptStream(piecesOf(data, 10_000), { recipientKey: aead.publicKey }));
    const message = await openpgp.readMessage({ binaryMessage: encrypted });
    const packet = message.packets.find((p) => p instanceof openpgp.SymEncryptedIntegrityProtectedDataPacket) as unknown as { version: number };
    assert.equal(packet.version, 2);
    const { plaintext, outcome } = decryptStream(piecesOf(encrypted, 4096), { decryptionKeys: [aead.privateKey], maxPlaintextBytes: 1024 * 1024 });
    assert.ok((await collect(plaintext)).equals(data));
    assert.equal((await outcome).plaintextBytes, data.length);
  });
});
