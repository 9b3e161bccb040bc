import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { webPages } from './web-pages.ts';

describe('web pages served by Fastify', () => {
  let dir: string;
  let app: FastifyInstance;

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'workgate-web-'));
    fs.mkdirSync(path.join(dir, 'assets'));
    fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><div id="root"></div>');
    fs.writeFileSync(path.join(dir, 'assets', 'index-abc123.js'), 'console.log(1)');
    fs.writeFileSync(path.join(dir, 'secret.txt'), 'not served');
    app = Fastify();
    await app.register(webPages, { dir });
    app.get('/api/users', async () => ({ api: true }));
    app.get('/healthz', async () => ({ status: 'ok' }));
  });

  after(async () => {
    await app.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers index.html at /, /console/* and /workforce/*, not cached, with a strict CSP', async () => {
    for (const url of ['/', '/console', '/console/runs/12', '/workforce', '/workforce/approval-chain?amount=5']) {
      const res = await app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.match(res.body, /<div id="root">/);
      assert.equal(res.headers['cache-control'], 'no-cache');
      assert.match(String(res.headers['content-security-policy']), /script-src 'self'/);
      assert.equal(res.headers['x-frame-options'], 'DENY');
    }
  });

  it('serves hashed assets for a year and nothing outside assets/', async () => {
    const asset = await app.inject({ url: '/assets/index-abc123.js' });
    assert.equal(asset.statusCode, 200);
    assert.equal(asset.headers['cache-control'], 'public, max-age=31536000, immutable');
    assert.match(String(asset.headers['content-type']), /^text\/javascript/);
    for (const url of ['/assets/missing.js', '/assets/..%2fsecret.txt', '/assets/../secret.txt', '/secret.txt', '/assets/']) {
      assert.equal((await app.inject({ url })).statusCode, 404, url);
    }
  });

  it('leaves /api and /healthz to the server', async () => {
    assert.deepEqual((await app.inject({ url: '/api/users' })).json(), { api: true });
    assert.deepEqual((await app.inject({ url: '/healthz' })).json(), { status: 'ok' });
  });

  it('says how to build the pages when there is no build', async () => {
    const bare = Fastify();
    await bare.register(webPages, { dir: path.join(dir, 'nothing-here') });
    const res = await bare.inject({ url: '/console' });
    assert.equal(res.statusCode, 503);
    assert.match(res.body, /npm run build:web/);
    await bare.close();
  });
});
