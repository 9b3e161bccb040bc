import crypto from 'node:crypto';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { ValidationError } from '../../shared/errors.ts';
import { checkProviderUrl } from './urls.ts';

export const maxMetadataBytes = 1024 * 1024;
const redirectBinding = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const resource = 'identity provider';

export interface IdpMetadata {
  entityId: string;
  ssoUrl: string;
  certs: string[];
}

type Node = Record<string, unknown>;

const fail = (message: string): never => {
  throw new ValidationError(resource, [{ field: 'metadata', message }]);
};

const asArray = (value: unknown): Node[] => (value === undefined ? [] : Array.isArray(value) ? (value as Node[]) : [value as Node]);

/** A certificate as PEM, from base64 (as in metadata) or PEM; refused unless it parses as X.509. */
export function toPem(certificate: string): string {
  const body = certificate.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, '');
  if (body.length === 0 || body.length > 16_384 || !/^[A-Za-z0-9+/]+=*$/.test(body)) fail('certificate must be a base64 or PEM X.509 certificate');
  const pem = `-----BEGIN CERTIFICATE-----\n${body.match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
  try {
    new crypto.X509Certificate(pem);
  } catch {
    fail('certificate is not a valid X.509 certificate');
  }
  return pem;
}

/** The IdP's entity id, its HTTP-Redirect SSO URL and its signing certificates, from SAML 2.0 metadata. */
export function parseIdpMetadata(xml: string): IdpMetadata {
  if (Buffer.byteLength(xml) > maxMetadataBytes) fail(`metadata is larger than ${maxMetadataBytes} bytes`);
  if (/<!(DOCTYPE|ENTITY)/i.test(xml)) fail('metadata must not contain DOCTYPE or ENTITY declarations');
  if (XMLValidator.validate(xml) !== true) fail('metadata is not well-formed XML');
  const parser = new XMLParser({ ignoreAttributes: false, removeNSPrefix: true, attributeNamePrefix: '@_', processEntities: false, parseTagValue: false });
  const doc = parser.parse(xml) as Node;
  const entities = [...asArray(doc.EntityDescriptor), ...asArray((doc.EntitiesDescriptor as Node | undefined)?.EntityDescriptor)];
  const entity = entities.find((e) => e.IDPSSODescriptor !== undefined) ?? fail('metadata has no EntityDescriptor with an IDPSSODescriptor');
  const descriptor = asArray(entity.IDPSSODescriptor)[0]!;
  const entityId = String(entity['@_entityID'] ?? '');
  if (entityId.length === 0 || entityId.length > 1024) fail('metadata EntityDescriptor has no entityID');
  const sso = asArray(descriptor.SingleSignOnService).find((s) => s['@_Binding'] === redirectBinding);
  if (!sso) fail('metadata offers no SingleSignOnService with the HTTP-Redirect binding');
  const ssoUrl = checkProviderUrl(resource, 'SingleSignOnService', String(sso!['@_Location'] ?? ''));
  const certs = asArray(descriptor.KeyDescriptor)
    .filter((k) => k['@_use'] === undefined || k['@_use'] === 'signing')
    .flatMap((k) => asArray((asArray((k.KeyInfo as Node | undefined)?.X509Data)[0] as Node | undefined)?.X509Certificate))
    .map((c) => toPem(typeof c === 'string' ? c : String((c as Node)['#text'] ?? '')));
  if (certs.length === 0) fail('metadata has no signing certificate (KeyDescriptor use="signing")');
  return { entityId, ssoUrl, certs: [...new Set(certs)] };
}

/** Metadata from a URL: https (http on loopback only), no redirects, at most 1 MiB, 10 seconds. */
export async function fetchIdpMetadata(url: string): Promise<string> {
  checkProviderUrl(resource, 'metadata-url', url);
  let response: Response;
  try {
    response = await fetch(url, { redirect: 'error', signal: AbortSignal.timeout(10_000), headers: { accept: 'application/samlmetadata+xml, application/xml, text/xml' } });
  } catch (error) {
    return fail(`metadata could not be fetched from ${url}: ${(error as Error).message}`);
  }
  if (!response.ok) fail(`metadata URL answered HTTP ${response.status}`);
  return readBounded(response, maxMetadataBytes);
}

/** The body as text, refused (and the download stopped) past `limit` bytes. */
async function readBounded(response: Response, limit: number): Promise<string> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.length;
    if (size > limit) {
      await response.body?.cancel().catch(() => undefined);
      fail(`metadata is larger than ${limit} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
