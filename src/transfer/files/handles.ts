import type { FileHandle } from 'node:fs/promises';
import { badHandle, tooManyHandles } from './file-errors.ts';
import type { FileInfo } from './listing.ts';
import type { Upload } from './upload.ts';
import type { VirtualNode } from './virtual-tree.ts';

export type FileNode = Extract<VirtualNode, { kind: 'file' }>;

export type OpenHandle =
  | { kind: 'directory'; path: string; entries: FileInfo[]; position: number }
  | { kind: 'download'; node: FileNode; file: FileHandle; bytes: number }
  | { kind: 'upload'; node: FileNode; upload: Upload };

/** The handles of one session, numbered; a bounded number may be open at once. */
export class HandleTable {
  readonly #max: number;
  readonly #open = new Map<number, OpenHandle>();
  #next = 1;

  constructor(max: number) {
    this.#max = max;
  }

  add(handle: OpenHandle): number {
    if (this.#open.size >= this.#max) throw tooManyHandles(this.#max);
    const id = this.#next;
    this.#next = this.#next >= 0x7fffffff ? 1 : this.#next + 1;
    this.#open.set(id, handle);
    return id;
  }

  /** Reserves a slot before slow work (opening a file), so the limit holds under concurrent opens. */
  assertRoom(): void {
    if (this.#open.size >= this.#max) throw tooManyHandles(this.#max);
  }

  get(id: number): OpenHandle {
    const handle = this.#open.get(id);
    if (!handle) throw badHandle();
    return handle;
  }

  take(id: number): OpenHandle {
    const handle = this.get(id);
    this.#open.delete(id);
    return handle;
  }

  drain(): OpenHandle[] {
    const all = [...this.#open.values()];
    this.#open.clear();
    return all;
  }
}
