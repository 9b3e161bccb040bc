import { randomInt } from '../lib/random.ts';

/** A supervisor tree over users 1..n: managerOf[id] is the manager's id (0 = none), always a smaller id. */
export interface Hierarchy {
  managerOf: Int32Array;
  reportsOf: Int32Array;
  depthOf: Uint8Array;
  maxDepth: number;
  topManagers: number;
  managers: number;
}

const topManagers = 5;
/** Chance that a user (other than the top) manages people, and how many: skewed toward small teams. */
const managerChance = 0.3;
const minReports = 2;
const maxReports = 40;

function reportsFor(random: () => number, id: number): number {
  if (id <= topManagers) return randomInt(random, 6, 12);
  if (random() >= managerChance) return 0;
  return minReports + Math.floor((maxReports - minReports + 1) * random() ** 2);
}

/**
 * Breadth-first: users are handed out as reports to the users before them, in id order, so every
 * manager has a smaller id and the tree grows about 4.4x per level (8-10 levels for a million users).
 */
export function buildHierarchy(n: number, random: () => number): Hierarchy {
  const managerOf = new Int32Array(n + 1);
  const reportsOf = new Int32Array(n + 1);
  const depthOf = new Uint8Array(n + 1);
  let next = Math.min(n, topManagers) + 1;
  for (let id = 1; id <= n && next <= n; id++) {
    const reports = reportsFor(random, id);
    for (let k = 0; k < reports && next <= n; k++, next++) {
      managerOf[next] = id;
      depthOf[next] = (depthOf[id] ?? 0) + 1;
      reportsOf[id] = (reportsOf[id] ?? 0) + 1;
    }
  }
  if (next <= n) throw new Error('hierarchy ran out of managers; raise managerChance');
  let maxDepth = 0;
  let managers = 0;
  for (let id = 1; id <= n; id++) {
    maxDepth = Math.max(maxDepth, depthOf[id] ?? 0);
    if ((reportsOf[id] ?? 0) > 0) managers++;
  }
  return { managerOf, reportsOf, depthOf, maxDepth: maxDepth + 1, topManagers: Math.min(n, topManagers), managers };
}

/** Up to `count` managers whose number of direct reports is within [min, max], spread over the ids. */
export function managersWithReports(hierarchy: Hierarchy, min: number, max: number, count: number): number[] {
  const candidates: number[] = [];
  for (let id = 1; id < hierarchy.reportsOf.length; id++) {
    const reports = hierarchy.reportsOf[id] ?? 0;
    if (reports >= min && reports <= max) candidates.push(id);
  }
  const step = Math.max(1, Math.floor(candidates.length / count));
  return candidates.filter((_, i) => i % step === 0).slice(0, count);
}
