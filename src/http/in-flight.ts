import type { FastifyInstance, FastifyRequest } from 'fastify';

/** How long closing waits for handlers still at work before it goes on without them. */
export const IN_FLIGHT_CLOSE_WAIT_MS = 30_000;

/**
 * Makes the app's close wait until every request has been answered (its reply handed to onSend),
 * including requests whose client has gone away. Fastify's close waits for open connections only: a
 * handler still working for a client that disconnected would otherwise outlive close and run its next
 * query on a database the caller closes right after. New requests meanwhile get 503 (return503OnClosing).
 * A request that never answers (a bug) delays close by `maxWaitMs` at most, with a warning.
 */
export function waitForInFlightOnClose(app: FastifyInstance, maxWaitMs = IN_FLIGHT_CLOSE_WAIT_MS): void {
  const open = new Set<FastifyRequest>();
  let drained: (() => void) | undefined;
  const finished = (request: FastifyRequest) => {
    if (open.delete(request) && open.size === 0) drained?.();
  };
  app.addHook('onRequest', async (request) => {
    open.add(request);
  });
  app.addHook('onSend', async (request, _reply, payload) => {
    finished(request);
    return payload;
  });
  app.addHook('onResponse', async (request) => finished(request));
  app.addHook('onClose', async () => {
    if (open.size === 0) return;
    app.log.info({ requests: open.size }, 'closing: waiting for requests in flight');
    const all = new Promise<boolean>((resolve) => (drained = () => resolve(true)));
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), maxWaitMs)));
    const done = await Promise.race([all, late]);
    clearTimeout(timer);
    if (!done) app.log.warn({ requests: [...open].map((request) => `${request.method} ${request.url}`) }, 'closing without waiting longer for requests in flight');
  });
}
