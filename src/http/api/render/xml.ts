/**
 * XML bodies, the Rails to_xml shape the Core API uses: a declaration, then one root element named
 * after the record (`<user>`) or, for a list, `<users type="array"><user>...</user></users>`.
 * Every value carries its type as an attribute; text is escaped and cleaned so the document is
 * always well-formed, whatever the strings hold.
 */
import { singularize } from './singularize.ts';
import { formatDateTime, isApiObject } from './tree.ts';
import { Decimal } from './values.ts';
import type { ApiObject, ApiValue } from './values.ts';

export { singularize } from './singularize.ts';

export const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>';

const INDENT = '  ';

/**
 * A complete document. `rootName` is the element the value goes under: the singular for a record
 * (`user`), the plural for a list (`users`, whose items are then named `user`).
 */
export function renderXml(value: ApiValue, rootName: string): string {
  return xmlDocument(renderElement(rootName, value, 0));
}

/** The declaration followed by already rendered element lines. */
export function xmlDocument(lines: readonly string[]): string {
  return `${XML_DECLARATION}\n${lines.join('\n')}\n`;
}

/** The lines of one element holding `value`, indented for `depth`. */
export function renderElement(name: string, value: ApiValue, depth: number): string[] {
  assertElementName(name);
  if (Array.isArray(value)) {
    return renderArray(name, value, depth);
  }
  if (isApiObject(value)) {
    return renderRecord(name, value, depth);
  }
  const pad = INDENT.repeat(depth);
  const scalar = describeScalar(value);
  if (scalar === null) {
    return [`${pad}<${name} nil="true"/>`];
  }
  const attributes = scalar.type === undefined ? '' : ` type="${scalar.type}"`;
  return [`${pad}<${name}${attributes}>${escapeXmlText(scalar.text)}</${name}>`];
}

function renderArray(name: string, items: readonly ApiValue[], depth: number): string[] {
  const pad = INDENT.repeat(depth);
  if (items.length === 0) {
    return [`${pad}<${name} type="array"/>`];
  }
  const itemName = singularize(name);
  const children = items.flatMap((item) => renderElement(itemName, item, depth + 1));
  return [`${pad}<${name} type="array">`, ...children, `${pad}</${name}>`];
}

function renderRecord(name: string, record: ApiObject, depth: number): string[] {
  const pad = INDENT.repeat(depth);
  const entries = Object.entries(record);
  if (entries.length === 0) {
    return [`${pad}<${name}/>`];
  }
  const children = entries.flatMap(([key, child]) => renderElement(key, child, depth + 1));
  return [`${pad}<${name}>`, ...children, `${pad}</${name}>`];
}

/** Text and type attribute of a scalar; null for values rendered as nil. */
function describeScalar(value: ApiValue): { text: string; type?: string } | null {
  if (value === null) {
    return null;
  }
  if (typeof value === 'string') {
    return { text: value };
  }
  if (typeof value === 'boolean') {
    return { text: String(value), type: 'boolean' };
  }
  if (typeof value === 'number') {
    return describeNumber(value);
  }
  if (value instanceof Date) {
    return { text: formatDateTime(value), type: 'dateTime' };
  }
  if (value instanceof Decimal) {
    return { text: value.text, type: 'decimal' };
  }
  throw new TypeError(`Cannot render ${typeof value} as XML`);
}

/** Non-finite numbers are nil, as they are null in JSON. */
function describeNumber(value: number): { text: string; type: string } | null {
  if (!Number.isFinite(value)) {
    return null;
  }
  return { text: String(value), type: Number.isSafeInteger(value) ? 'integer' : 'float' };
}

/** Element names come from presenters; refuse anything that would break the document. */
function assertElementName(name: string): void {
  if (!/^[A-Za-z_][A-Za-z0-9._-]*$/.test(name)) {
    throw new TypeError(`"${name}" is not a valid XML element name`);
  }
}

/** Character data: &, < and > escaped, CR kept as a reference (parsers would turn it into LF). */
export function escapeXmlText(text: string): string {
  return toXmlChars(text).replace(/[&<>\r]/g, (char) => textEscapes[char] ?? char);
}

/** Attribute values (double-quoted): markup and quotes escaped, whitespace kept as references. */
export function escapeXmlAttribute(text: string): string {
  return toXmlChars(text).replace(/[&<>"'\t\n\r]/g, (char) => attributeEscapes[char] ?? char);
}

const textEscapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
const attributeEscapes: Record<string, string> = {
  ...textEscapes,
  '"': '&quot;',
  "'": '&apos;',
  '\t': '&#9;',
  '\n': '&#10;',
};

/**
 * XML 1.0 cannot carry C0 controls other than tab, LF and CR, nor U+FFFE/U+FFFF, nor unpaired
 * surrogates (not encodable in UTF-8). Each becomes U+FFFD, the replacement character.
 */
export function toXmlChars(text: string): string {
  // eslint-disable-next-line no-control-regex -- matching the control characters is the point
  return text.toWellFormed().replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g, '\uFFFD');
}
