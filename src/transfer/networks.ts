import net from 'node:net';

/** The address columns hold at most this many characters; longer input is not an address. */
export const maxAddressLength = 64;

const mappedDotted = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;
const mappedHex = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/;

/**
 * One spelling per address, so a ban, a failure count and a network rule all meet the same text:
 * brackets and zone dropped, IPv4-mapped IPv6 (`::ffff:10.0.0.1`, what a dual-stack socket reports)
 * as plain IPv4, IPv6 compressed and lower-case. Undefined when it is not an IP address.
 */
export function normalizeAddress(raw: string): string | undefined {
  if (raw.length > maxAddressLength) return undefined;
  let address = raw.trim().replace(/^\[(.*)\]$/, '$1').replace(/%[^%]*$/, '');
  address = mappedDotted.exec(address)?.[1] ?? address;
  const family = net.isIP(address);
  if (family === 4) return address;
  if (family !== 6) return undefined;
  const canonical = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const hex = mappedHex.exec(canonical);
  return hex ? hexPairToIpv4(hex[1]!, hex[2]!) : canonical;
}

function hexPairToIpv4(high: string, low: string): string {
  const h = Number.parseInt(high, 16);
  const l = Number.parseInt(low, 16);
  return [h >> 8, h & 0xff, l >> 8, l & 0xff].join('.');
}

/** The text stored for an address: its normal form, or (not an IP address) the raw text cut to the column size. */
export function addressKey(raw: string): string {
  return normalizeAddress(raw) ?? raw.slice(0, maxAddressLength);
}

export type NetworkParse = { ok: true; network: string } | { ok: false; problem: string };

/** A CIDR range (`10.0.0.0/8`, `2001:db8::/32`) or a single address (stored as /32 or /128). */
export function parseNetwork(text: string): NetworkParse {
  const trimmed = text.trim();
  if (trimmed.length > maxAddressLength + 4) return { ok: false, problem: `"${trimmed.slice(0, 80)}..." is too long to be a network` };
  const [addressPart = '', prefixPart, extra] = trimmed.split('/');
  const address = normalizeAddress(addressPart);
  if (address === undefined || extra !== undefined) return { ok: false, problem: `"${trimmed}" is not an IPv4 or IPv6 network in CIDR notation` };
  const maxPrefix = net.isIPv4(address) ? 32 : 128;
  if (prefixPart === undefined) return { ok: true, network: `${address}/${maxPrefix}` };
  if (!/^\d{1,3}$/.test(prefixPart) || Number(prefixPart) > maxPrefix) {
    return { ok: false, problem: `"${trimmed}" has a prefix length outside 0..${maxPrefix}` };
  }
  return { ok: true, network: `${address}/${Number(prefixPart)}` };
}

/** Does `address` fall in one of the (already validated) networks? An empty list allows any address. */
export function networksAllow(networks: readonly string[], rawAddress: string): boolean {
  if (networks.length === 0) return true;
  const address = normalizeAddress(rawAddress);
  if (address === undefined) return false;
  const family = net.isIPv4(address) ? 'ipv4' : 'ipv6';
  const list = new net.BlockList();
  for (const network of networks) {
    const [base = '', prefix = ''] = network.split('/');
    list.addSubnet(base, Number(prefix), net.isIPv4(base) ? 'ipv4' : 'ipv6');
  }
  return list.check(address, family);
}
