import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { addressKey, networksAllow, normalizeAddress, parseNetwork } from './networks.ts';

describe('addresses', () => {
  it('gives one spelling per address', () => {
    assert.equal(normalizeAddress('192.0.2.10'), '192.0.2.10');
    assert.equal(normalizeAddress('::ffff:192.0.2.10'), '192.0.2.10', 'IPv4-mapped, as a dual-stack socket reports it');
    assert.equal(normalizeAddress('::ffff:c000:20a'), '192.0.2.10');
    assert.equal(normalizeAddress('2001:0DB8:0000:0000:0000:0000:0000:0001'), '2001:db8::1');
    assert.equal(normalizeAddress('[2001:db8::1]'), '2001:db8::1');
    assert.equal(normalizeAddress('fe80::1%eth0'), 'fe80::1');
  });

  it('is undefined for what is not an IP address, and the stored key is then cut to the column', () => {
    assert.equal(normalizeAddress('example.com'), undefined);
    assert.equal(normalizeAddress('999.1.1.1'), undefined);
    assert.equal(normalizeAddress('1'.repeat(100)), undefined);
    assert.equal(addressKey('x'.repeat(100)).length, 64);
  });
});

describe('networks', () => {
  it('reads CIDR ranges and single addresses of both families', () => {
    assert.deepEqual(parseNetwork('10.0.0.0/8'), { ok: true, network: '10.0.0.0/8' });
    assert.deepEqual(parseNetwork(' 192.0.2.7 '), { ok: true, network: '192.0.2.7/32' });
    assert.deepEqual(parseNetwork('2001:DB8::/32'), { ok: true, network: '2001:db8::/32' });
    assert.deepEqual(parseNetwork('2001:db8::5'), { ok: true, network: '2001:db8::5/128' });
  });

  it('refuses what is not a network, naming it', () => {
    for (const bad of ['10.0.0.0/33', '2001:db8::/129', 'intranet', '10.0.0.0/8/8', '10.0.0.0/abc', '']) {
      const parsed = parseNetwork(bad);
      assert.equal(parsed.ok, false, bad);
      if (!parsed.ok) assert.ok(parsed.problem.includes(bad.trim()), parsed.problem);
    }
  });

  it('allows any address when the list is empty', () => {
    assert.equal(networksAllow([], '203.0.113.9'), true);
    assert.equal(networksAllow([], '2001:db8::9'), true);
  });

  it('allows IPv4 addresses inside a range and refuses others, IPv4-mapped included', () => {
    const networks = ['10.0.0.0/8', '192.0.2.7/32'];
    assert.equal(networksAllow(networks, '10.20.30.40'), true);
    assert.equal(networksAllow(networks, '::ffff:10.20.30.40'), true);
    assert.equal(networksAllow(networks, '192.0.2.7'), true);
    assert.equal(networksAllow(networks, '192.0.2.8'), false);
    assert.equal(networksAllow(networks, '11.0.0.1'), false);
    assert.equal(networksAllow(networks, '2001:db8::1'), false);
  });

  it('allows IPv6 addresses inside a range', () => {
    const networks = ['2001:db8::/32'];
    assert.equal(networksAllow(networks, '2001:db8:1234::1'), true);
    assert.equal(networksAllow(networks, '2001:db9::1'), false);
    assert.equal(networksAllow(networks, '10.0.0.1'), false);
  });

  it('refuses an address that is not one when networks are set', () => {
    assert.equal(networksAllow(['0.0.0.0/0'], 'not-an-address'), false);
  });
});
