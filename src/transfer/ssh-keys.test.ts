import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fingerprintOf, offeredKeyMatches, parseAuthorizedKey, type KeyParse, type ParsedSshKey } from './ssh-keys.ts';
import { generateTestKey, keygenFingerprint, sharedTestKey, sshKeygen, type TestKeyKind } from './test-support.ts';

function accepted(parse: KeyParse): ParsedSshKey {
  if (!parse.ok) assert.fail(`expected the key to be accepted: ${parse.problem}`);
  return parse.key;
}

function refused(parse: KeyParse): string {
  if (parse.ok) assert.fail(`expected the key to be refused, got ${parse.key.type}`);
  return parse.problem;
}

/** An SSH blob holding just a type name: enough for the checks that run before key parsing. */
function blobLine(type: string, rest = ''): string {
  const name = Buffer.from(type);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(name.length);
  return `${type} ${Buffer.concat([length, name, Buffer.alloc(40, 1)]).toString('base64')}${rest}`;
}

const acceptedKinds: Array<[TestKeyKind, string, number]> = [
  ['ed25519', 'ssh-ed25519', 256],
  ['ecdsa-256', 'ecdsa-sha2-nistp256', 256],
  ['ecdsa-384', 'ecdsa-sha2-nistp384', 384],
  ['ecdsa-521', 'ecdsa-sha2-nistp521', 521],
  ['rsa-2048', 'ssh-rsa', 2048],
  ['rsa-3072', 'ssh-rsa', 3072],
];

describe('SSH public keys', () => {
  for (const [kind, type, bits] of acceptedKinds) {
    it(`accepts ${kind}: type, bits, comment and the fingerprint`, () => {
      const generated = sharedTestKey(kind);
      const key = accepted(parseAuthorizedKey(generated.line));
      assert.equal(key.type, type);
      assert.equal(key.bits, bits);
      assert.equal(key.comment, `test-${kind}`);
      assert.equal(key.publicKey, generated.line.split(' ').slice(0, 2).join(' '));
      assert.match(key.fingerprint, /^SHA256:[A-Za-z0-9+/]{43}$/);
      assert.equal(key.fingerprint, fingerprintOf(generated.offered.data));
    });
  }

  it('computes the fingerprint exactly as ssh-keygen -lf prints it', { skip: sshKeygen ? undefined : 'ssh-keygen (openssh-client) is not installed here' }, () => {
    for (const kind of ['ed25519', 'ecdsa-384', 'rsa-3072'] as const) {
      const generated = sharedTestKey(kind);
      assert.equal(accepted(parseAuthorizedKey(generated.line)).fingerprint, keygenFingerprint(generated.file), kind);
    }
  });

  it('refuses an RSA key under 2048 bits, naming its size', () => {
    const problem = refused(parseAuthorizedKey(generateTestKey('rsa-1024').line));
    assert.equal(problem, 'RSA key of 1024 bits refused: at least 2048 bits are required');
  });

  it('refuses DSA keys', () => {
    assert.match(refused(parseAuthorizedKey(blobLine('ssh-dss', ' old@box'))), /ssh-dss \(DSA\) is refused/);
  });

  it('refuses an options prefix clearly', () => {
    const { line } = generateTestKey('ed25519');
    assert.match(refused(parseAuthorizedKey(`from="10.0.0.0/8",no-pty ${line}`)), /options before its type .* not supported/);
    assert.match(refused(parseAuthorizedKey(`restrict ${line}`)), /options before its type/);
  });

  it('keeps no comment when there is none, and a comment with spaces whole', () => {
    const { line } = generateTestKey('ed25519');
    const bare = line.split(' ').slice(0, 2).join(' ');
    assert.equal(accepted(parseAuthorizedKey(bare)).comment, null);
    assert.equal(accepted(parseAuthorizedKey(`  ${bare}   Alice  Example (work)  `)).comment, 'Alice  Example (work)');
  });

  it('refuses what is not one public key line', () => {
    const { line } = generateTestKey('ed25519');
    const [type, data] = line.split(' ') as [string, string];
    const cases: Array<[string, RegExp]> = [
      ['', /empty/],
      ['hello world', /not an OpenSSH public key line/],
      ['-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----', /one line|PEM form/],
      ['-----BEGIN PUBLIC KEY----- MIIBIjANBg', /PEM form/],
      [`${line}\n${line}`, /one line/],
      [`${type} not*base64`, /not base64/],
      [`ssh-rsa ${data}`, /is a ssh-ed25519 key, but the line says ssh-rsa/],
      [`${type} ${data.slice(0, -8)}`, /not a valid ssh-ed25519/],
      [blobLine('ssh-ed25519-cert-v01@openssh.com'), /not supported/],
      [blobLine('sk-ssh-ed25519@openssh.com'), /not supported/],
      [`${line} ${'c'.repeat(300)}`, /comment must be at most 255/],
      [`ssh-ed25519 ${'A'.repeat(9000)}`, /longer than 8192/],
    ];
    for (const [input, expected] of cases) assert.match(refused(parseAuthorizedKey(input)), expected, JSON.stringify(input.slice(0, 60)));
  });

  it('matches an offered key by its blob, RSA under any of its signature algorithms', () => {
    const ed = generateTestKey('ed25519');
    const rsa = sharedTestKey('rsa-2048');
    const storedEd = accepted(parseAuthorizedKey(ed.line));
    const storedRsa = accepted(parseAuthorizedKey(rsa.line));
    assert.equal(offeredKeyMatches(storedEd, ed.offered), true);
    assert.equal(offeredKeyMatches(storedEd, rsa.offered), false);
    assert.equal(offeredKeyMatches(storedEd, { algo: 'ssh-rsa', data: ed.offered.data }), false);
    for (const algo of ['ssh-rsa', 'rsa-sha2-256', 'rsa-sha2-512']) assert.equal(offeredKeyMatches(storedRsa, { algo, data: rsa.offered.data }), true, algo);
  });
});
