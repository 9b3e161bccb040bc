import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Where `vite build` puts the console and the Workforce pages (web/dist at the repository's root). */
export const defaultWebDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

export interface WebPagesOptions {
  /** The built single-page app: index.html and assets/. */
  dir: string;
}

const contentTypes: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/** The pages load only their own scripts and styles and talk only to this origin. */
const contentSecurityPolicy =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";

function pageHeaders(reply: FastifyReply): FastifyReply {
  return reply
    .header('Content-Security-Policy', contentSecurityPolicy)
    .header('X-Frame-Options', 'DENY')
    .header('X-Content-Type-Options', 'nosniff')
    .header('Referrer-Policy', 'same-origin');
}

/** The web pages are there to serve (built), or why not. */
export function webPagesProblem(dir: string): string | undefined {
  return fs.existsSync(path.join(dir, 'index.html')) ? undefined : `${dir}/index.html does not exist: build the pages with "npm run build:web"`;
}

/**
 * The console and the Workforce pages: index.html at /, /console/* and /workforce/* (the app routes in the
 * browser), hashed assets under /assets/ cached for a year. Nothing else: /api, /auth, /oauth2, /healthz and
 * /metrics stay the server's. Without a build, those paths answer a short page that says how to build it.
 */
export async function webPages(app: FastifyInstance, options: WebPagesOptions): Promise<void> {
  const assetsDir = path.join(options.dir, 'assets');
  let index: Buffer | undefined;
  const readIndex = async (): Promise<Buffer | undefined> => {
    if (index) return index;
    const loaded = await fs.promises.readFile(path.join(options.dir, 'index.html')).catch(() => undefined);
    // Kept once read: the build is replaced by a restart, not under a running server.
    if (loaded) index = loaded;
    return loaded;
  };

  const sendIndex = async (_request: unknown, reply: FastifyReply) => {
    const html = await readIndex();
    pageHeaders(reply).header('Cache-Control', 'no-cache');
    if (!html) {
      return reply
        .code(503)
        .type('text/html; charset=utf-8')
        .send('<!doctype html><title>Workgate</title><h1>The web pages are not built</h1><p>Run <code>npm run build:web</code> (npm start does it) and restart.</p>');
    }
    return reply.type('text/html; charset=utf-8').send(html);
  };

  for (const url of ['/', '/console', '/console/*', '/workforce', '/workforce/*']) app.get(url, sendIndex);

  app.get<{ Params: { '*': string } }>('/assets/*', async (request, reply) => {
    const name = request.params['*'];
    // Vite's file names: letters, digits, '-', '_' and '.', no folders; anything else is not ours.
    if (!/^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/.test(name) || name.includes('..')) return reply.code(404).type('text/plain').send('not found');
    const file = path.join(assetsDir, name);
    const stat = await fs.promises.stat(file).catch(() => undefined);
    if (!stat?.isFile()) return reply.code(404).type('text/plain').send('not found');
    return pageHeaders(reply)
      .header('Cache-Control', 'public, max-age=31536000, immutable')
      .header('Content-Length', stat.size)
      .type(contentTypes[path.extname(name)] ?? 'application/octet-stream')
      .send(fs.createReadStream(file));
  });
}
