import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashSecret, randomApiKey, randomToken, verifySecret } from './secrets.ts';

describe('secrets', () => {
  it('makes 40-character API keys and 43-character tokens', () => {
    assert.match(randomApiKey(), /^[A-Za-z0-9_-]{40}$/);
    assert.match(randomToken(), /^[A-Za-z0-9_-]{43}$/);
    assert.notEqual(randomApiKey(), randomApiKey());
  });

  it('hashes a secret as an argon2id PHC string and verifies it', async () => {
    const stored = await hashSecret('s3cret');
    assert.match(stored, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$[A-Za-z0-9+/]{22}\$[A-Za-z0-9+/]{43}$/);
    assert.notEqual(await hashSecret('s3cret'), stored, 'salted');
    assert.equal(await verifySecret('s3cret', stored), true);
    assert.equal(await verifySecret('s3cret ', stored), false);
  });

  it('refuses malformed or absurd stored hashes instead of computing them', async () => {
    const stored = await hashSecret('s3cret');
    assert.equal(await verifySecret('s3cret', stored.replace('$argon2id$', '$argon2i$')), false);
    assert.equal(await verifySecret('s3cret', stored.replace('m=19456', 'm=9999999')), false);
    assert.equal(await verifySecret('s3cret', 'plain'), false);
  });
});
