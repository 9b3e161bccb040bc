/**
 * The top costs of a V8 CPU profile (node --cpu-prof), by self time and by total time per function:
 *   node bench/feeds/profile-top.ts <file.cpuprofile> [count]
 * Self time: the function itself (for a native call such as better-sqlite3's run/all, the database work).
 * Total time: the function and everything it called, counted once per sample.
 */
import fs from 'node:fs';
import path from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const file = process.argv[2];
if (!file) throw new Error('usage: node bench/feeds/profile-top.ts <file.cpuprofile> [count]');
const count = Number(process.argv[3] ?? 25);
const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

const root = path.resolve(import.meta.dirname, '..', '..');
const label = (n: ProfileNode) => {
  const { functionName, url, lineNumber } = n.callFrame;
  const where = url ? `${url.replace(`file://${root}/`, '').replace(/^file:\/\//, '')}:${lineNumber + 1}` : '(native)';
  return `${functionName || '(anonymous)'} ${where}`;
};

const self = new Map<string, number>();
const total = new Map<string, number>();
let all = 0;
profile.samples.forEach((id, i) => {
  const ms = (profile.timeDeltas[i] ?? 0) / 1000;
  all += ms;
  const node = byId.get(id)!;
  self.set(label(node), (self.get(label(node)) ?? 0) + ms);
  const seen = new Set<string>();
  for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
    const l = label(byId.get(at)!);
    if (seen.has(l)) continue;
    seen.add(l);
    total.set(l, (total.get(l) ?? 0) + ms);
  }
});

const show = (title: string, map: Map<string, number>) => {
  console.log(`\n${title} (of ${(all / 1000).toFixed(1)} s sampled)`);
  for (const [l, ms] of [...map].sort((a, b) => b[1] - a[1]).slice(0, count)) {
    console.log(`${(ms / 1000).toFixed(2).padStart(8)} s ${((ms / all) * 100).toFixed(1).padStart(5)}%  ${l}`);
  }
};
show('self time', self);
show('total time, Workgate functions (src/)', new Map([...total].filter(([l]) => l.includes(' src/'))));
