import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import ssh2 from 'ssh2';
import { fingerprint, generateHostKeyPair, loadOrCreateHostKeys, readHostKeys } from './host-keys.ts';

describe('host keys', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-hostkeys-'));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('are generated once (ed25519 and RSA 3072, mode 0600) and reused afterwards', async () => {
    assert.deepEqual(await readHostKeys(dir), []);
    const first = await loadOrCreateHostKeys(dir);
    assert.deepEqual(first.map((k) => `${k.type}/${k.bits}`), ['ssh-ed25519/256', 'ssh-rsa/3072']);
    for (const key of first) {
      assert.equal(fs.statSync(key.file).mode & 0o777, 0o600);
      const parsed = ssh2.utils.parseKey(key.privateKey);
      assert.ok(!(parsed instanceof Error));
      assert.equal(key.fingerprint, fingerprint(parsed.getPublicSSH()));
      assert.match(key.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
    }
    fs.chmodSync(first[0]!.file, 0o644);
    const again = await loadOrCreateHostKeys(dir);
    assert.deepEqual(again.map((k) => k.fingerprint), first.map((k) => k.fingerprint));
    assert.equal(fs.statSync(first[0]!.file).mode & 0o777, 0o600);
    assert.deepEqual((await readHostKeys(dir)).map((k) => k.fingerprint), first.map((k) => k.fingerprint));
    assert.ok((await readHostKeys(dir)).every((k) => !('privateKey' in k)));
  });

  it('every generated ed25519 key reads back (ssh2 alone writes an unreadable one about once in 330)', async () => {
    const unreadable: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const pair = await generateHostKeyPair('ssh-ed25519', 256);
      const parsed = ssh2.utils.parseKey(pair.private);
      if (parsed instanceof Error) unreadable.push(parsed.message);
      else assert.equal(parsed.getPublicSSH().length, 51); // string "ssh-ed25519" and the 32-byte key, each length-prefixed
    }
    assert.deepEqual(unreadable, []);
  });
});
