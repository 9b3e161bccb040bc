/**
 * Builds the console and Workforce pages (web/) into web/dist with Vite, unless the build is up to date.
 * `npm start` runs it first (prestart), so `npm ci && npm start` serves the pages from a fresh clone;
 * `--force` rebuilds anyway. The e2e tests call ensureWebBuilt() themselves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const webDir = path.join(root, 'web');
export const distDir = path.join(webDir, 'dist');
const stampFile = path.join(distDir, '.build-stamp');
const inputs = [path.join(webDir, 'src'), path.join(webDir, 'index.html'), path.join(webDir, 'vite.config.ts'), path.join(root, 'package-lock.json')];

function newestChange(entry: string): number {
  const stat = fs.statSync(entry, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return stat.mtimeMs;
  return fs.readdirSync(entry).reduce((newest, name) => Math.max(newest, newestChange(path.join(entry, name))), stat.mtimeMs);
}

/** Why the build must run, or undefined when web/dist is newer than everything it is built from. */
export function staleReason(): string | undefined {
  const stamp = fs.statSync(stampFile, { throwIfNoEntry: false });
  if (!stamp || !fs.existsSync(path.join(distDir, 'index.html'))) return 'web/dist is missing';
  const newest = Math.max(...inputs.map(newestChange));
  return newest > stamp.mtimeMs ? 'web/ changed since the last build' : undefined;
}

/** Builds into a temporary folder, then swaps it in: a server or a parallel build never sees half a build. */
export async function ensureWebBuilt(options: { force?: boolean; quiet?: boolean } = {}): Promise<{ built: boolean; reason?: string }> {
  const reason = options.force ? 'forced' : staleReason();
  if (!reason) return { built: false };
  const { build } = await import('vite');
  const temporary = path.join(webDir, `.dist-${process.pid}-${Date.now()}`);
  const started = Date.now();
  try {
    await build({ configFile: path.join(webDir, 'vite.config.ts'), logLevel: options.quiet ? 'warn' : 'info', build: { outDir: temporary, emptyOutDir: true } });
    fs.writeFileSync(path.join(temporary, '.build-stamp'), `${new Date().toISOString()}\n`);
    fs.rmSync(distDir, { recursive: true, force: true });
    fs.renameSync(temporary, distDir);
  } finally {
    fs.rmSync(temporary, { recursive: true, force: true });
  }
  if (!options.quiet) console.log(`web pages built into web/dist in ${Date.now() - started} ms (${reason})`);
  return { built: true, reason };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = await ensureWebBuilt({ force: process.argv.includes('--force') });
  if (!result.built) console.log('web pages are up to date (web/dist)');
}
