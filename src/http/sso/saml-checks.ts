import { XMLParser } from 'fast-xml-parser';
import { SsoError } from './sso.errors.ts';

/** SAMLResponse as posted (base64): larger ones are refused before anything parses them. */
export const maxSamlResponseLength = 512 * 1024;

const allowedSignatureMethods = new Set([
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#rsa-sha512',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha256',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha384',
  'http://www.w3.org/2001/04/xmldsig-more#ecdsa-sha512',
]);
const allowedDigestMethods = new Set([
  'http://www.w3.org/2001/04/xmlenc#sha256',
  'http://www.w3.org/2001/04/xmldsig-more#sha384',
  'http://www.w3.org/2001/04/xmlenc#sha512',
]);

type Node = Record<string, unknown>;

/** The posted response as XML, refused when too large, not base64, or carrying DTDs or entities. */
export function decodeSamlResponse(encoded: string): string {
  if (encoded.length > maxSamlResponseLength) throw new SsoError('invalid_response', `The SAML response is larger than ${maxSamlResponseLength} bytes.`, { status: 413 });
  const compact = encoded.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+=*$/.test(compact)) throw new SsoError('invalid_response', 'The SAML response is not base64.');
  const xml = Buffer.from(compact, 'base64').toString('utf8');
  if (/<!(DOCTYPE|ENTITY)/i.test(xml)) throw new SsoError('invalid_response', 'The SAML response contains a DOCTYPE or ENTITY declaration.');
  return xml;
}

function walk(node: unknown, visit: (name: string, value: Node) => void, depth = 0): void {
  if (depth > 64 || typeof node !== 'object' || node === null) return;
  for (const [name, value] of Object.entries(node as Node)) {
    for (const child of Array.isArray(value) ? value : [value]) {
      const isElement = typeof child === 'object' && child !== null;
      if (!name.startsWith('@_')) visit(name, isElement ? (child as Node) : {});
      if (isElement) walk(child, visit, depth + 1);
    }
  }
}

/**
 * Checks node-saml leaves to us: every signature and digest uses SHA-256 or stronger, and the Response's
 * Destination (when present) is our ACS URL.
 */
export function checkResponsePolicy(xml: string, acsUrl: string): void {
  const parser = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, attributeNamePrefix: '@_', processEntities: false, parseTagValue: false });
  let doc: Node;
  try {
    doc = parser.parse(xml) as Node;
  } catch {
    throw new SsoError('invalid_response', 'The SAML response is not well-formed XML.');
  }
  walk(doc, (name, value) => {
    if (name !== 'SignatureMethod' && name !== 'DigestMethod') return;
    const algorithm = String(value['@_Algorithm'] ?? '');
    const allowed = name === 'SignatureMethod' ? allowedSignatureMethods : allowedDigestMethods;
    if (!allowed.has(algorithm)) throw new SsoError('weak_algorithm', `The SAML response is signed with ${algorithm.slice(0, 100) || 'no algorithm'}; SHA-256 or stronger is required.`);
  });
  const response = doc.Response as Node | undefined;
  if (!response || Array.isArray(response)) throw new SsoError('invalid_response', 'The message is not one SAML Response.');
  const destination = response['@_Destination'];
  if (destination !== undefined && destination !== acsUrl) throw new SsoError('wrong_recipient', `The SAML response is addressed to ${String(destination).slice(0, 200)}, not to this service.`);
}

type XmlJs = Record<string, unknown> & { $?: Record<string, string> };

const first = (value: unknown): XmlJs | undefined => (Array.isArray(value) ? (value[0] as XmlJs | undefined) : undefined);

/** From node-saml's parsed (signed) assertion: its ID, when it stops being valid, and its bearer recipients. */
export function assertionFacts(parsed: Record<string, unknown> | undefined): { id: string; notOnOrAfter: Date | null; recipients: string[] } {
  const assertion = (parsed?.Assertion ?? {}) as XmlJs;
  const id = assertion.$?.ID;
  if (!id || id.length > 1024) throw new SsoError('invalid_response', 'The SAML assertion has no ID.');
  const conditionsEnd = first(assertion.Conditions)?.$?.NotOnOrAfter;
  const confirmations = (first(assertion.Subject)?.SubjectConfirmation ?? []) as XmlJs[];
  const bearer = confirmations.filter((c) => c.$?.Method === 'urn:oasis:names:tc:SAML:2.0:cm:bearer');
  const data = bearer.map((c) => first(c.SubjectConfirmationData)?.$ ?? {});
  const ends = [conditionsEnd, ...data.map((d) => d.NotOnOrAfter)].filter((v): v is string => typeof v === 'string').map((v) => new Date(v)).filter((d) => !Number.isNaN(d.getTime()));
  const notOnOrAfter = ends.length ? new Date(Math.max(...ends.map((d) => d.getTime()))) : null;
  return { id, notOnOrAfter, recipients: data.map((d) => d.Recipient).filter((r): r is string => typeof r === 'string') };
}
