import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { serverNodeOptions } from './gc-policy.ts';

/**
 * A child process streams 2 GiB through 256 KiB Buffers, 32 of them alive at a time (a transfer's
 * in-flight requests), and counts its full (major) collections, with and without the server's policy.
 * V8's memory reducer adds a few time-driven collections on a busy machine (CI saw 3 with the policy
 * against 8 without at 768 MiB), so the volume is large enough that the default's per-64-MB collections
 * (17-26 seen here) stay well apart from the policy's (0-6).
 */
const churn = (withPolicy: boolean) => `
  import { constants, PerformanceObserver } from 'node:perf_hooks';
  ${withPolicy ? `import { applyServerGcPolicy } from ${JSON.stringify(path.join(import.meta.dirname, 'gc-policy.ts'))}; applyServerGcPolicy();` : ''}
  let majors = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if (entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
  });
  observer.observe({ entryTypes: ['gc'] });
  const alive = [];
  for (let i = 0; i < 8192; i++) {
    const buffer = Buffer.allocUnsafe(256 * 1024);
    buffer[0] = i;
    alive[i % 32] = buffer;
    if (i % 64 === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  await new Promise((resolve) => setTimeout(resolve, 50));
  observer.disconnect();
  console.log(JSON.stringify({ majors, rssMiB: Math.round(process.memoryUsage().rss / 1048576) }));
`;

function run(withPolicy: boolean): { majors: number; rssMiB: number } {
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', churn(withPolicy)], { encoding: 'utf8' });
  assert.equal(child.status, 0, child.stderr);
  return JSON.parse(child.stdout.trim()) as { majors: number; rssMiB: number };
}

test('under Buffer churn the server policy runs far fewer full collections, with memory still bounded', () => {
  const without = run(false);
  const withPolicy = run(true);
  assert.ok(without.majors >= 12, `expected V8's default to collect often here: ${JSON.stringify(without)}`);
  assert.ok(withPolicy.majors * 2 <= without.majors, `policy: ${JSON.stringify(withPolicy)}, default: ${JSON.stringify(without)}`);
  assert.ok(withPolicy.rssMiB < 512, `memory grew without bound: ${JSON.stringify(withPolicy)}`);
});

test('npm start and the workgate command both pass serverNodeOptions to node (V8 reads them at start-up only)', () => {
  const root = path.join(import.meta.dirname, '..');
  const start = (JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
  const shebang = fs.readFileSync(path.join(root, 'bin', 'workgate.js'), 'utf8').split('\n')[0]!;
  assert.equal(start, `node ${serverNodeOptions.join(' ')} src/cli.ts serve`);
  assert.equal(shebang, `#!/usr/bin/env -S node ${serverNodeOptions.join(' ')}`);
});
