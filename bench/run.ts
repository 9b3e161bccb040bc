/**
 * Benchmark dispatcher: `node bench/run.ts <name> [--option value ...]` runs bench/<name>.bench.ts;
 * without a name it lists the benchmarks there. `npm run bench -- <name> --help` lists a benchmark's options.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { Benchmark } from './lib/benchmark.ts';

const benchDir = import.meta.dirname;
const suffix = '.bench.ts';

function availableNames(): string[] {
  return fs
    .readdirSync(benchDir)
    .filter((file) => file.endsWith(suffix))
    .map((file) => file.slice(0, -suffix.length))
    .sort();
}

async function load(name: string): Promise<Benchmark> {
  const module = (await import(pathToFileURL(path.join(benchDir, `${name}${suffix}`)).href)) as { benchmark?: Benchmark };
  if (!module.benchmark) throw new Error(`bench/${name}${suffix} does not export "benchmark"`);
  return module.benchmark;
}

async function list(): Promise<void> {
  console.log('usage: npm run bench -- <name> [options]   (options: npm run bench -- <name> --help)\n\navailable benchmarks:');
  for (const name of availableNames()) {
    const description = await load(name).then(
      (benchmark) => benchmark.description,
      (error: unknown) => `(cannot load: ${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
    );
    console.log(`  ${name.padEnd(10)} ${description}`);
  }
}

function usage(name: string, benchmark: Benchmark): string {
  const lines = Object.entries(benchmark.options).map(([option, spec]) => `  --${option.padEnd(14)} ${spec.description} (default ${spec.default})`);
  return `usage: npm run bench -- ${name} [options]\n${benchmark.description}\n\noptions:\n${lines.join('\n')}`;
}

function parseOptions(benchmark: Benchmark, args: string[]): Record<string, string> | 'help' {
  const parsed = parseArgs({
    args,
    strict: true,
    allowPositionals: false,
    options: {
      help: { type: 'boolean', short: 'h' },
      ...Object.fromEntries(Object.entries(benchmark.options).map(([option, spec]) => [option, { type: 'string' as const, default: spec.default }])),
    },
  });
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help === true) return 'help';
  return Object.fromEntries(Object.entries(values).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h') {
    await list();
    return 0;
  }
  if (!availableNames().includes(name)) {
    console.error(`unknown benchmark "${name}"; available: ${availableNames().join(', ')}`);
    return 2;
  }
  const benchmark = await load(name);
  let options: Record<string, string> | 'help';
  try {
    options = parseOptions(benchmark, args);
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage(name, benchmark)}`);
    return 2;
  }
  if (options === 'help') {
    console.log(usage(name, benchmark));
    return 0;
  }
  return (await benchmark.run(options)) ? 0 : 1;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exit(1);
  },
);
