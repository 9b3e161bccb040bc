/** The file store: atomic writes, fsync, listings that never follow links. */
export { assertPlainName, createFileStore, newStorageKey, storeAreas, type FileStore, type StoreArea, type WrittenFile } from './file-store.ts';
export { durableRename, errnoCode, fsyncDir, LinkRefusedError, lstatFile, openNoFollow, O_NOFOLLOW, removeIfPresent, type StoredFile } from './safe-fs.ts';
