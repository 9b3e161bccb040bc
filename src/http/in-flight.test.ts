import assert from 'node:assert/strict';
import http from 'node:http';
import { describe, it } from 'node:test';
import Fastify from 'fastify';
import { waitForInFlightOnClose } from './in-flight.ts';

function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A server whose /slow handler waits for `gate`, and what it saw. */
async function slowServer(maxWaitMs?: number) {
  const app = Fastify();
  waitForInFlightOnClose(app, maxWaitMs);
  const started = deferred();
  const disconnected = deferred();
  const gate = deferred();
  const events: string[] = [];
  app.get('/slow', async (request) => {
    request.raw.socket.once('close', () => disconnected.resolve());
    started.resolve();
    await gate.promise;
    events.push('handler finished');
    return { ok: true };
  });
  app.get('/fast', async () => ({ ok: true }));
  const url = new URL(await app.listen({ host: '127.0.0.1', port: 0 }));
  const close = async () => {
    await app.close();
    events.push('closed');
  };
  return { app, url, started, disconnected, gate, events, close };
}

/** Lets every pending callback and timer of this turn run. */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setTimeout(resolve, 10));
}

describe('closing the HTTP app with requests in flight', () => {
  it('waits for the handler of a client that has disconnected before it resolves', async () => {
    const server = await slowServer();
    const request = http.get({ host: server.url.hostname, port: server.url.port, path: '/slow' });
    request.on('error', () => {});
    await server.started.promise;
    request.destroy();
    await server.disconnected.promise; // the connection is gone: Fastify's own close has nothing to wait for
    const closing = server.close();
    await settle();
    assert.deepEqual(server.events, [], 'close must not finish while the handler is still at work');
    server.gate.resolve();
    await closing;
    assert.deepEqual(server.events, ['handler finished', 'closed']);
  });

  it('closes at once when nothing is in flight, after answering earlier requests', async () => {
    const server = await slowServer();
    const answer = await fetch(new URL('/fast', server.url));
    assert.equal(answer.status, 200);
    await answer.json();
    await server.close();
    assert.deepEqual(server.events, ['closed']);
  });

  it('goes on after its longest wait when a handler never finishes', async () => {
    const server = await slowServer(50);
    const request = http.get({ host: server.url.hostname, port: server.url.port, path: '/slow' });
    request.on('error', () => {});
    await server.started.promise;
    request.destroy();
    await server.disconnected.promise;
    await server.close();
    assert.deepEqual(server.events, ['closed']);
    server.gate.resolve();
    await settle();
  });
});
