import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectFormat, looksLikePgp, pgpFileNamePattern } from './message-format.ts';
import { classifyMessageError, isPgpError, type PgpReason } from './pgp.errors.ts';

const refusedAs = (reason: PgpReason, message?: RegExp) => (error: unknown) => {
  assert.ok(isPgpError(error, reason), String(error));
  if (message) assert.match(error.message, message);
  return true;
};

describe('detectFormat', () => {
  it('recognises armored messages, after blank space or a byte order mark', () => {
    assert.equal(detectFormat(Buffer.from('-----BEGIN PGP MESSAGE-----\n\nhQ')), 'armored');
    assert.equal(detectFormat(Buffer.from('\r\n  -----BEGIN PGP MESSAGE-----\n')), 'armored');
    assert.equal(detectFormat(Buffer.from('\uFEFF-----BEGIN PGP MESSAGE-----\n')), 'armored');
  });

  it('recognises binary messages by their first packet: encrypted session key, marker or encrypted data', () => {
    for (const first of [0x84, 0x85, 0xc1, 0x8c, 0xc3, 0xa8, 0xca, 0xd2, 0xd4]) assert.equal(detectFormat(Buffer.from([first, 0x00])), 'binary', first.toString(16));
  });

  it('names what a file is when it is not an encrypted message', () => {
    assert.throws(() => detectFormat(Buffer.from('-----BEGIN PGP SIGNED MESSAGE-----\n')), refusedAs('not_encrypted', /cleartext-signed/));
    assert.throws(() => detectFormat(Buffer.from('-----BEGIN PGP PRIVATE KEY BLOCK-----\n')), refusedAs('not_pgp', /private key block/));
    assert.throws(() => detectFormat(Buffer.from([0xa3, 0x01])), refusedAs('not_encrypted', /not encrypted/));
    assert.throws(() => detectFormat(Buffer.from([0xcb, 0x01])), refusedAs('not_encrypted'));
    assert.throws(() => detectFormat(Buffer.from('User Name,First Name\njdoe,John\n')), refusedAs('not_pgp', /plain text/));
    assert.throws(() => detectFormat(Buffer.from([0x50, 0x4b, 0x03, 0x04])), refusedAs('not_pgp'));
  });
});

describe('looksLikePgp', () => {
  it('says which files the feed pipeline should hand to decrypt', () => {
    assert.equal(looksLikePgp(Buffer.from('-----BEGIN PGP MESSAGE-----\n')), true);
    assert.equal(looksLikePgp(Buffer.from('-----BEGIN PGP SIGNED MESSAGE-----\n')), true);
    assert.equal(looksLikePgp(Buffer.from([0x85, 0x01])), true);
    assert.equal(looksLikePgp(Buffer.from([0xa3, 0x01])), true);
    assert.equal(looksLikePgp(Buffer.from('User Name,First Name\n')), false);
    assert.equal(looksLikePgp(Buffer.from([0xef, 0xbb, 0xbf, 0x41])), false);
    assert.equal(looksLikePgp(Buffer.from('Émployé,Code\nÉ,1\n')), false, 'UTF-8 text whose first byte looks like a packet');
    assert.ok(pgpFileNamePattern.test('MasterData_1_x.csv.PGP') && !pgpFileNamePattern.test('x.csv'));
  });
});

describe('classifyMessageError', () => {
  const cases: Array<[string, PgpReason]> = [
    ['Modification detected.', 'integrity'],
    ['Error decrypting message: Key Data Integrity failed', 'integrity'],
    ['Unexpected end of packet', 'truncated'],
    ['Misformed armored text', 'truncated'],
    ['Error during parsing. This message / key probably does not conform to a valid OpenPGP format.', 'not_pgp'],
    ['Maximum decompressed message size exceeded', 'too_large'],
  ];
  for (const [message, reason] of cases) {
    it(`turns "${message}" into ${reason}`, () => {
      assert.equal(classifyMessageError(new Error(message), 1024).reason, reason);
    });
  }
});
