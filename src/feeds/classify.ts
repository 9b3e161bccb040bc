import type { FeedFolder } from '../transfer/folders.ts';
import { FeedFileError } from './feed-error.ts';
import type { Layout } from './layouts/layout.ts';

const dataExtensions = /\.(csv|txt)(\.(pgp|gpg|asc))?$/i;

/**
 * Folder + name -> layout (bound to that one file when its name carries parameters, like a slot).
 * Core folders hold one layout each; in /Incoming/CCW the name says which.
 */
export function classify(layouts: readonly Layout[], folder: FeedFolder, fileName: string): Layout {
  const candidates = layouts.filter((layout) => layout.folder === folder);
  if (candidates.length === 0) throw new FeedFileError(`no file layout is served in /Incoming/${folder} yet`);
  if (!dataExtensions.test(fileName)) {
    throw new FeedFileError(`"${fileName}" is not a data file: expected a name ending in .csv or .txt (optionally followed by .pgp, .gpg or .asc)`);
  }
  const layout = candidates.find((l) => l.matches(fileName));
  if (!layout) {
    const expected = candidates.map((l) => l.fileNames ?? l.title).join(', ');
    throw new FeedFileError(`the name "${fileName}" does not say which layout it is; names in /Incoming/${folder} start with one of: ${expected}`);
  }
  return layout.forFile?.(fileName) ?? layout;
}
