/**
 * Content negotiation: JSON or XML from the Accept header (RFC 9110 section 12.5.1). JSON is the
 * default; null means the client accepts neither and the route answers 406.
 */
export type ResponseFormat = 'json' | 'xml';

interface MediaRange {
  type: string;
  subtype: string;
  q: number;
  /** Position in the header, used to break ties between equally preferred ranges. */
  order: number;
}

interface Offer {
  format: ResponseFormat;
  type: string;
  subtype: string;
}

/** What Workgate can send, in order of preference when the client has none. */
const offers: readonly Offer[] = [
  { format: 'json', type: 'application', subtype: 'json' },
  { format: 'xml', type: 'application', subtype: 'xml' },
  { format: 'xml', type: 'text', subtype: 'xml' },
];

export function negotiateFormat(acceptHeader: string | undefined): ResponseFormat | null {
  const ranges = parseAccept(acceptHeader ?? '');
  if (ranges.length === 0) {
    return 'json';
  }
  let best: { format: ResponseFormat; rank: number[] } | null = null;
  for (const [preference, offer] of offers.entries()) {
    const match = bestRangeFor(offer, ranges);
    if (match === null || match.range.q === 0) {
      continue;
    }
    const rank = [match.range.q, match.specificity, -match.range.order, -preference];
    if (best === null || compareRanks(rank, best.rank) > 0) {
      best = { format: offer.format, rank };
    }
  }
  return best?.format ?? null;
}

/** Media ranges of an Accept header; members that are not `type/subtype` or have a bad q are skipped. */
function parseAccept(header: string): MediaRange[] {
  const ranges: MediaRange[] = [];
  for (const [order, member] of header.split(',').entries()) {
    const range = parseMediaRange(member, order);
    if (range !== null) {
      ranges.push(range);
    }
  }
  return ranges;
}

function parseMediaRange(member: string, order: number): MediaRange | null {
  const [mediaType = '', ...params] = member.split(';');
  const match = /^\s*([!#$%&'*+.^_`|~0-9a-z-]+)\/([!#$%&'*+.^_`|~0-9a-z-]+)\s*$/i.exec(mediaType);
  if (match === null || (match[1] === '*' && match[2] !== '*')) {
    return null;
  }
  const q = parseQuality(params);
  if (q === null) {
    return null;
  }
  return { type: match[1]!.toLowerCase(), subtype: match[2]!.toLowerCase(), q, order };
}

/** The q parameter (default 1); null when it is not a number from 0 to 1 with up to three decimals. */
function parseQuality(params: string[]): number | null {
  for (const param of params) {
    const [name = '', value = ''] = param.split('=', 2).map((part) => part.trim());
    if (name.toLowerCase() === 'q') {
      return /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/.test(value) ? Number(value) : null;
    }
  }
  return 1;
}

/** The most specific range matching the offer: exact (2) beats type/* (1) beats * / * (0). */
function bestRangeFor(offer: Offer, ranges: MediaRange[]): { range: MediaRange; specificity: number } | null {
  let best: { range: MediaRange; specificity: number } | null = null;
  for (const range of ranges) {
    const specificity = specificityOf(range, offer);
    if (specificity >= 0 && (best === null || specificity > best.specificity)) {
      best = { range, specificity };
    }
  }
  return best;
}

function specificityOf(range: MediaRange, offer: Offer): number {
  if (range.type === '*') {
    return 0;
  }
  if (range.type !== offer.type) {
    return -1;
  }
  if (range.subtype === '*') {
    return 1;
  }
  return range.subtype === offer.subtype ? 2 : -1;
}

function compareRanks(a: number[], b: number[]): number {
  for (const [i, value] of a.entries()) {
    const other = b[i] ?? 0;
    if (value !== other) {
      return value - other;
    }
  }
  return 0;
}
