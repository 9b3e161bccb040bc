/**
 * XML request bodies (POST/PUT) into the same plain objects JSON bodies give: the root element is
 * the record, `type` attributes give numbers, booleans and arrays, `nil="true"` gives null, nested
 * elements give objects and any other text stays a string. Untrusted input: DOCTYPE and entity
 * declarations are refused (no XXE, no entity expansion), and depth and element count are bounded.
 */
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { AppError } from '../../../shared/errors.ts';

export const XML_BODY_LIMITS = { maxDepth: 10, maxElements: 10_000 } as const;

export type XmlBodyValue = null | string | number | boolean | XmlBodyValue[] | XmlBodyObject;
export interface XmlBodyObject {
  [element: string]: XmlBodyValue;
}

export interface ParseXmlBodyOptions {
  /** The root element the route expects (`user`); dashes and underscores are interchangeable. */
  root?: string;
}

interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Character data directly inside the element, references decoded, CDATA included. */
  text: string;
}

/** A node of fast-xml-parser's preserveOrder output. */
type OrderedNode = Record<string, unknown>;

export function parseXmlBody(xml: string, options: ParseXmlBodyOptions = {}): XmlBodyObject {
  const text = xml.startsWith('\uFEFF') ? xml.slice(1) : xml;
  refuseDeclarations(text);
  refuseForbiddenCharacters(text);
  assertWellFormed(text);
  const root = singleRoot(parseOrdered(text));
  if (options.root !== undefined && dashed(root.name) !== dashed(options.root)) {
    throw badRequest(`expected the root element <${options.root}>, found <${root.name}>`);
  }
  return rootRecordOf(root);
}

function refuseDeclarations(xml: string): void {
  const match = /<!(DOCTYPE|ENTITY|ELEMENT|ATTLIST|NOTATION)/i.exec(xml);
  if (match !== null) {
    throw badRequest(`${match[1]!.toUpperCase()} declarations are not accepted ${lineAndColumn(xml, match.index)}`);
  }
}

function refuseForbiddenCharacters(xml: string): void {
  // eslint-disable-next-line no-control-regex -- matching the control characters is the point
  const match = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.exec(xml);
  if (match !== null) {
    const code = match[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
    throw badRequest(`character U+${code} is not allowed in XML ${lineAndColumn(xml, match.index)}`);
  }
}

function assertWellFormed(xml: string): void {
  const result = XMLValidator.validate(xml);
  if (result !== true) {
    const { msg, line, col } = result.err;
    const where = col === undefined ? `at line ${line}` : `at line ${line}, column ${col}`;
    throw badRequest(`malformed XML ${where}: ${msg}`);
  }
}

function lineAndColumn(text: string, index: number): string {
  const before = text.slice(0, index);
  const line = before.split('\n').length;
  const column = index - before.lastIndexOf('\n');
  return `at line ${line}, column ${column}`;
}

/** Parses a validated document; the element count is checked as tags are read. */
function parseOrdered(xml: string): OrderedNode[] {
  let elements = 0;
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: '',
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    processEntities: false,
    htmlEntities: false,
    ignoreDeclaration: true,
    ignorePiTags: true,
    cdataPropName: '#cdata',
    maxNestedTags: XML_BODY_LIMITS.maxDepth,
    updateTag: (tagName) => {
      elements += 1;
      if (elements > XML_BODY_LIMITS.maxElements) {
        throw badRequest(`XML body has more than ${XML_BODY_LIMITS.maxElements} elements`);
      }
      return tagName;
    },
  });
  try {
    return parser.parse(xml) as OrderedNode[];
  } catch (error) {
    throw error instanceof AppError ? error : badRequest(parserMessage(error), error);
  }
}

function parserMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes('Maximum nested tags')) {
    return `XML body nests elements deeper than ${XML_BODY_LIMITS.maxDepth} levels`;
  }
  return `XML body cannot be read: ${message}`;
}

function singleRoot(nodes: OrderedNode[]): XmlElement {
  const roots = toElement('#document', nodes).children;
  if (roots.length !== 1) {
    throw badRequest(`an XML body must have exactly one root element, found ${roots.length}`);
  }
  return roots[0]!;
}

/** Our own tree from fast-xml-parser's: `{tag: children, ':@': attributes}`, `{'#text'}`, `{'#cdata'}`. */
function toElement(name: string, nodes: OrderedNode[], attributes: Record<string, string> = {}): XmlElement {
  const element: XmlElement = { name, attributes, children: [], text: '' };
  for (const node of nodes) {
    if ('#text' in node) {
      element.text += decodeReferences(String(node['#text']), name);
    } else if ('#cdata' in node) {
      element.text += (node['#cdata'] as OrderedNode[]).map((part) => String(part['#text'] ?? '')).join('');
    } else {
      element.children.push(childElement(node));
    }
  }
  return element;
}

function childElement(node: OrderedNode): XmlElement {
  const name = Object.keys(node).find((key) => key !== ':@')!;
  const rawAttributes = (node[':@'] ?? {}) as Record<string, string>;
  const attributes = Object.fromEntries(
    Object.entries(rawAttributes).map(([key, value]) => [key, decodeReferences(String(value), name)]),
  );
  return toElement(name, node[name] as OrderedNode[], attributes);
}

const predefinedEntities: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };

function decodeReferences(text: string, elementName: string): string {
  return text.replace(/&(#[xX][0-9a-fA-F]+|#[0-9]+|[^;&\s]+);/g, (reference, name: string) => {
    if (name.startsWith('#')) {
      const char = decodeCharacterReference(name);
      if (char === null) {
        throw badRequest(`character reference ${reference} in element <${elementName}> is not an XML character`);
      }
      return char;
    }
    if (!Object.hasOwn(predefinedEntities, name)) {
      throw badRequest(`undefined entity ${reference} in element <${elementName}>`);
    }
    return predefinedEntities[name]!;
  });
}

/** The character of `#65` or `#x41`; null when XML 1.0 does not allow it. */
function decodeCharacterReference(reference: string): string | null {
  const hex = reference[1] === 'x' || reference[1] === 'X';
  const code = Number.parseInt(reference.slice(hex ? 2 : 1), hex ? 16 : 10);
  const allowed =
    code === 0x9 || code === 0xa || code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
  return allowed ? String.fromCodePoint(code) : null;
}

function valueOf(element: XmlElement, depth: number): XmlBodyValue {
  if (depth > XML_BODY_LIMITS.maxDepth) {
    throw badRequest(`XML body nests elements deeper than ${XML_BODY_LIMITS.maxDepth} levels`);
  }
  if (element.attributes['nil'] === 'true') {
    return null;
  }
  const type = element.attributes['type'];
  if (type === 'array') {
    assertNoText(element);
    return element.children.map((child) => valueOf(child, depth + 1));
  }
  if (element.children.length > 0 && type !== undefined && type !== 'hash') {
    throw badRequest(`element <${element.name}> of type "${type}" holds elements`);
  }
  if (element.children.length > 0 || type === 'hash') {
    return recordOf(element, depth);
  }
  return scalarOf(element, type);
}

/** The root element is the record itself: not an array, not nil, not bare text. */
function rootRecordOf(root: XmlElement): XmlBodyObject {
  if (root.attributes['type'] === 'array' || root.attributes['nil'] === 'true') {
    throw badRequest(`the root element <${root.name}> must be one record`);
  }
  if (root.children.length === 0 && root.text.trim() !== '') {
    throw badRequest(`the root element <${root.name}> must hold the record's elements, not text`);
  }
  return recordOf(root, 1);
}

function recordOf(element: XmlElement, depth: number): XmlBodyObject {
  assertNoText(element);
  const record: XmlBodyObject = {};
  for (const child of element.children) {
    if (Object.hasOwn(record, child.name)) {
      throw badRequest(`element <${child.name}> appears twice in <${element.name}>`);
    }
    setOwn(record, child.name, valueOf(child, depth + 1));
  }
  return record;
}

/** Defines rather than assigns, so no element name can reach the prototype. */
function setOwn(record: XmlBodyObject, name: string, value: XmlBodyValue): void {
  Object.defineProperty(record, name, { value, enumerable: true, writable: true, configurable: true });
}

function assertNoText(element: XmlElement): void {
  if (element.text.trim() !== '') {
    throw badRequest(`element <${element.name}> mixes text with elements`);
  }
}

/** Text by type attribute; an empty typed element (other than a string) is null, as in Rails. */
function scalarOf(element: XmlElement, type: string | undefined): XmlBodyValue {
  const text = element.text;
  if (type === undefined || type === 'string') {
    return text;
  }
  const trimmed = text.trim();
  if (!scalarTypes.has(type)) {
    throw badRequest(`element <${element.name}> has unsupported type "${type}"`);
  }
  if (trimmed === '') {
    return null;
  }
  const value = scalarTypes.get(type)!(trimmed);
  if (value === undefined) {
    throw badRequest(`element <${element.name}> is not a valid ${type}: "${trimmed}"`);
  }
  return value;
}

/** Readers for the type attributes Workgate accepts; undefined means the text does not fit. */
const scalarTypes = new Map<string, (text: string) => XmlBodyValue | undefined>([
  ['integer', (text) => (/^[-+]?\d+$/.test(text) && Number.isSafeInteger(Number(text)) ? Number(text) : undefined)],
  ['float', (text) => (/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? Number(text) : undefined)],
  ['decimal', (text) => (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(text) ? text : undefined)],
  ['boolean', (text) => booleanOf(text)],
  ['dateTime', (text) => text],
  ['datetime', (text) => text],
  ['date', (text) => text],
]);

function booleanOf(text: string): boolean | undefined {
  if (text === 'true' || text === '1') {
    return true;
  }
  return text === 'false' || text === '0' ? false : undefined;
}

function dashed(name: string): string {
  return name.replaceAll('_', '-');
}

function badRequest(message: string, cause?: unknown): AppError {
  return new AppError('bad_request', message, cause === undefined ? undefined : { cause });
}
