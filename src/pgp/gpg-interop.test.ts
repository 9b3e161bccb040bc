import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type * as openpgp from 'openpgp';
import { dialects } from '../../test/support/databases.ts';
import { decryptStream } from './decrypt-stream.ts';
import { encryptStream } from './encrypt-stream.ts';
import { inspectPublicKey } from './key-inspection.ts';
import { generateWorkgateKey, unlockKey } from './key-material.ts';
import { isPgpError } from './pgp.errors.ts';
import { bytesOf, collect, createGpgHome, gpgGenerateKey, gpgSkip, openTestPgp, type GpgHome } from './test-support.ts';

const csv = 'Name,Code,Status\nHead Office,HO,Active\n'.repeat(2000);
const binaryPayload = crypto.randomBytes(300 * 1024);

interface Customer {
  fingerprint: string;
  publicKey: openpgp.PublicKey;
}

describe('GnuPG 2.2 interoperability', { skip: gpgSkip }, () => {
  let gpg: GpgHome;
  let workgate: openpgp.PrivateKey;
  let workgateFingerprint: string;
  const customers: Record<'rsa3072' | 'curve25519', Customer> = {} as never;

  before(async () => {
    gpg = createGpgHome();
    const generated = await generateWorkgateKey('ecc', undefined, new Date());
    workgate = (await unlockKey(generated.privateArmored, undefined, 'test')).key;
    workgateFingerprint = generated.fingerprint;
    await gpg.run(['--import'], generated.publicArmored);
    for (const type of ['rsa3072', 'curve25519'] as const) {
      const fingerprint = await gpgGenerateKey(gpg, type, `${type}@customer.example`);
      const exported = (await gpg.run(['--armor', '--export', fingerprint])).stdout.toString();
      customers[type] = { fingerprint, publicKey: (await inspectPublicKey(exported, 'encrypt', new Date())).key };
    }
  });
  after(() => gpg?.close());

  async function gpgEncrypt(options: { armor: boolean; compress: 'none' | 'zip' | 'zlib'; signer?: string }, payload: Buffer | string = csv): Promise<Buffer> {
    const args = ['--recipient', workgateFingerprint, ...(options.armor ? ['--armor'] : [])];
    args.push(...(options.compress === 'none' ? ['--compress-level', '0'] : ['--compress-algo', options.compress]));
    if (options.signer) args.push('--local-user', options.signer, '--sign');
    return (await gpg.run([...args, '--encrypt'], payload)).stdout;
  }

  for (const armor of [false, true]) {
    for (const compress of ['none', 'zip', 'zlib'] as const) {
      for (const signed of [false, true]) {
        const name = `${armor ? 'armored' : 'binary'}, ${compress === 'none' ? 'uncompressed' : compress}, ${signed ? 'signed' : 'unsigned'}`;
        it(`decrypts what gpg encrypts for Workgate's key: ${name}`, async () => {
          const signer = customers.curve25519;
          const message = await gpgEncrypt({ armor, compress, ...(signed ? { signer: signer.fingerprint } : {}) });
          const { plaintext, outcome } = decryptStream(bytesOf(message), {
            decryptionKeys: [workgate],
            verificationKeys: [signer.publicKey],
            requireSigned: signed,
            maxPlaintextBytes: 1024 * 1024,
          });
          assert.equal((await collect(plaintext)).toString(), csv);
          const result = await outcome;
          assert.equal(result.format, armor ? 'armored' : 'binary');
          assert.equal(result.signer?.fingerprint ?? null, signed ? signer.fingerprint : null);
        });
      }
    }
  }

  it('decrypts a binary payload larger than one chunk, signed with RSA 3072', async () => {
    const message = await gpgEncrypt({ armor: false, compress: 'zlib', signer: customers.rsa3072.fingerprint }, binaryPayload);
    const { plaintext, outcome } = decryptStream(bytesOf(message), { decryptionKeys: [workgate], verificationKeys: [customers.rsa3072.publicKey], requireSigned: true, maxPlaintextBytes: 1024 * 1024 });
    assert.ok((await collect(plaintext)).equals(binaryPayload));
    assert.equal((await outcome).signer?.fingerprint, customers.rsa3072.fingerprint);
  });

  it('refuses a gpg file signed by another key than the account\'s, and an unsigned one, when signing is required', async () => {
    const wrongSigner = await gpgEncrypt({ armor: false, compress: 'none', signer: customers.rsa3072.fingerprint });
    const options = { decryptionKeys: [workgate], verificationKeys: [customers.curve25519.publicKey], requireSigned: true, maxPlaintextBytes: 1024 * 1024 };
    await assert.rejects(collect(decryptStream(bytesOf(wrongSigner), options).plaintext), (error: unknown) => isPgpError(error, 'unknown_signer'));
    const unsigned = await gpgEncrypt({ armor: true, compress: 'zip' });
    await assert.rejects(collect(decryptStream(bytesOf(unsigned), options).plaintext), (error: unknown) => isPgpError(error, 'unsigned'));
  });

  for (const type of ['rsa3072', 'curve25519'] as const) {
    for (const armor of [false, true]) {
      it(`encrypts and signs for a gpg-made ${type} key (${armor ? 'armored' : 'binary'}); gpg decrypts and verifies`, async () => {
        const customer = customers[type];
        const encrypted = await collect(encryptStream(bytesOf(csv), { recipientKey: customer.publicKey, signingKey: workgate, armor }));
        const result = await gpg.run(['--status-fd', '2', '--decrypt'], encrypted);
        assert.equal(result.stdout.toString(), csv);
        assert.match(result.stderr, new RegExp(`\\[GNUPG:\\] VALIDSIG ${workgateFingerprint}`));
        assert.match(result.stderr, /\[GNUPG:\] DECRYPTION_OKAY/);
        assert.doesNotMatch(result.stderr, /AEAD|SEIPDv2/i);
      });
    }
  }

  it('encrypts a binary payload of several partial-length parts, unsigned; gpg decrypts it byte for byte', async () => {
    const encrypted = await collect(encryptStream(bytesOf(binaryPayload), { recipientKey: customers.curve25519.publicKey }));
    const result = await gpg.run(['--status-fd', '2', '--decrypt'], encrypted);
    assert.ok(result.stdout.equals(binaryPayload));
    assert.match(result.stderr, /\[GNUPG:\] DECRYPTION_OKAY/);
    assert.match(result.stderr, /\[GNUPG:\] GOODMDC/);
  });
});

for (const dialect of dialects()) {
  describe(`gpg and key rotation on ${dialect.name}`, { skip: gpgSkip ?? dialect.skip }, () => {
    it('a file gpg encrypted for the old key still decrypts after rotation', async () => {
      const database = await dialect.create();
      const t = await openTestPgp(database.db);
      const gpg = createGpgHome();
      try {
        const old = await t.pgp.keys.published();
        await gpg.run(['--import'], old.armored);
        const message = (await gpg.run(['--recipient', old.fingerprint, '--armor', '--encrypt'], csv)).stdout;
        await t.pgp.keys.rotate();
        const { plaintext, outcome } = t.pgp.decrypt(bytesOf(message));
        assert.equal((await collect(plaintext)).toString(), csv);
        assert.equal((await outcome).decryptedWith, old.fingerprint);
      } finally {
        gpg.close();
        t.close();
        await database.drop();
      }
    });
  });
}
