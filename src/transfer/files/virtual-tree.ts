import type { StoreArea } from '../../storage/index.ts';
import { feedFolders, type FeedFolder } from '../folders.ts';

/**
 * The tree an account sees (DESIGN.md "Folders an SFTP account sees"): for each of its folders F,
 * /Incoming/F, /Outgoing/F and /Archive/Incoming/F, under listable parents. Nothing else exists.
 */
export const areas = ['incoming', 'outgoing', 'archive'] as const;
export type Area = (typeof areas)[number];

export type VirtualNode =
  | { kind: 'parent'; path: string; children: string[] }
  | { kind: 'folder'; path: string; area: Area; folder: FeedFolder }
  | { kind: 'file'; path: string; area: Area; folder: FeedFolder; name: string };

export type Action = 'list' | 'read' | 'write' | 'delete' | 'rename' | 'settimes';

const permitted: Record<Area, readonly Action[]> = {
  incoming: ['list', 'write', 'rename', 'delete', 'settimes'],
  outgoing: ['list', 'read', 'delete'],
  archive: ['list', 'read'],
};

export const storeAreaOf: Record<Area, StoreArea> = { incoming: 'Incoming', outgoing: 'Outgoing', archive: 'Archive/Incoming' };

const areaRoots: Record<Area, string[]> = { incoming: ['Incoming'], outgoing: ['Outgoing'], archive: ['Archive', 'Incoming'] };

export function isPermitted(area: Area, action: Action): boolean {
  return permitted[area].includes(action);
}

/** The node at `segments` for an account with `folders`, or undefined when the path is outside its tree. */
export function locate(segments: readonly string[], folders: readonly FeedFolder[]): VirtualNode | undefined {
  const path = `/${segments.join('/')}`;
  const parent = parentChildren(segments, folders);
  if (parent) return { kind: 'parent', path, children: parent };
  for (const area of areas) {
    const root = areaRoots[area];
    if (!startsWith(segments, root)) continue;
    const folder = segments[root.length];
    if (folder === undefined || !folders.includes(folder as FeedFolder)) return undefined;
    const rest = segments.slice(root.length + 1);
    if (rest.length === 0) return { kind: 'folder', path, area, folder: folder as FeedFolder };
    if (rest.length === 1) return { kind: 'file', path, area, folder: folder as FeedFolder, name: rest[0]! };
    return undefined;
  }
  return undefined;
}

/** Children of the listable parents: /, /Incoming, /Outgoing, /Archive, /Archive/Incoming. */
function parentChildren(segments: readonly string[], folders: readonly FeedFolder[]): string[] | undefined {
  const key = segments.join('/');
  const ordered = feedFolders.filter((f) => folders.includes(f));
  switch (key) {
    case '':
      return ['Archive', 'Incoming', 'Outgoing'];
    case 'Incoming':
    case 'Outgoing':
    case 'Archive/Incoming':
      return [...ordered];
    case 'Archive':
      return ['Incoming'];
    default:
      return undefined;
  }
}

function startsWith(segments: readonly string[], prefix: readonly string[]): boolean {
  return prefix.every((part, i) => segments[i] === part) && segments.length > prefix.length;
}
