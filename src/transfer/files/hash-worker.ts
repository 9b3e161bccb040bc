import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import { parentPort } from 'node:worker_threads';

/**
 * Worker side of hashing.ts: the SHA-256 of files being written, read back from the page cache as their
 * written prefix grows. The main thread only says how far a file is written; no data crosses threads.
 */
export type HashRequest =
  | { op: 'open'; id: number; path: string }
  | { op: 'extend'; id: number; upTo: number }
  | { op: 'digest'; id: number; size: number; restart: boolean }
  | { op: 'drop'; id: number };
export type HashReply = { op: 'ack'; id: number; position: number } | { op: 'digest'; id: number; hex: string } | { op: 'error'; id: number; message: string };

interface Stream {
  fd: number;
  hash: Hash;
  position: number;
}

const port = parentPort;
const streams = new Map<number, Stream>();
const chunk = Buffer.allocUnsafe(1024 * 1024);

function advance(stream: Stream, upTo: number): void {
  while (stream.position < upTo) {
    const read = fs.readSync(stream.fd, chunk, 0, Math.min(chunk.length, upTo - stream.position), stream.position);
    if (read === 0) throw new Error(`file ended at ${stream.position}, expected ${upTo} bytes`);
    stream.hash.update(chunk.subarray(0, read));
    stream.position += read;
  }
}

function drop(id: number): void {
  const stream = streams.get(id);
  streams.delete(id);
  if (stream) fs.closeSync(stream.fd);
}

function handle(request: HashRequest): HashReply | undefined {
  if (request.op === 'open') {
    const fd = fs.openSync(request.path, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    streams.set(request.id, { fd, hash: createHash('sha256'), position: 0 });
    return undefined;
  }
  if (request.op === 'drop') {
    drop(request.id);
    return undefined;
  }
  const stream = streams.get(request.id);
  if (!stream) return { op: 'error', id: request.id, message: 'unknown hash stream' };
  if (request.op === 'extend') {
    advance(stream, request.upTo);
    return { op: 'ack', id: request.id, position: stream.position };
  }
  if (request.restart) Object.assign(stream, { hash: createHash('sha256'), position: 0 });
  advance(stream, request.size);
  drop(request.id);
  return { op: 'digest', id: request.id, hex: stream.hash.digest('hex') };
}

port?.on('message', (request: HashRequest) => {
  let reply: HashReply | undefined;
  try {
    reply = handle(request);
  } catch (error) {
    if (request.op !== 'drop') drop(request.id);
    reply = { op: 'error', id: request.id, message: error instanceof Error ? error.message : String(error) };
  }
  if (reply) port.postMessage(reply);
});
