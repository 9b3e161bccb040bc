/**
 * Turns what a client sent into a normal absolute virtual path, or says why it is refused. Posix rules,
 * backslashes read as slashes, relative paths taken from the root (the only working directory there is).
 * `..` may walk back inside the tree but never above its root.
 */
export const maxPathBytes = 1024;
export const maxNameBytes = 255;

export type PathParse = { ok: true; path: string; segments: string[] } | { ok: false; reason: string };

/** NUL and every other control character (C0, DEL, C1). */
const controlCharacter = /\p{Cc}/u;

export function normalizeVirtualPath(raw: string): PathParse {
  if (Buffer.byteLength(raw) > maxPathBytes) return { ok: false, reason: `path longer than ${maxPathBytes} bytes` };
  if (controlCharacter.test(raw)) return { ok: false, reason: 'NUL or control character in path' };
  if (raw.includes('\ufffd')) return { ok: false, reason: 'path is not valid UTF-8' };
  const segments: string[] = [];
  for (const segment of raw.replaceAll('\\', '/').split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (segments.length === 0) return { ok: false, reason: '".." above the root' };
      segments.pop();
      continue;
    }
    if (Buffer.byteLength(segment) > maxNameBytes) return { ok: false, reason: `name longer than ${maxNameBytes} bytes` };
    segments.push(segment);
  }
  return { ok: true, path: `/${segments.join('/')}`, segments };
}
