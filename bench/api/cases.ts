import { createRandom, pick, randomInt } from '../lib/random.ts';
import type { ChartFixture } from './seed-accounts.ts';

/** What the cases need to know about the seeded data. */
export interface ApiFixtures {
  users: number;
  charts: ChartFixture[];
  /** Logins of managers with 10-50 direct reports. */
  managerLogins: string[];
}

/** Goals hold on SQLite (the embedded default); PostgreSQL is measured against no goal. */
export interface Goal {
  minRequestsPerSecond: number;
  maxP99Ms?: number;
}

export interface ApiCase {
  key: 'a' | 'b' | 'c' | 'd';
  title: string;
  /** Example of the request, for the report. */
  example: string;
  goal: Goal;
  /** Whether a list answer must hold at least one record (sanity check before measuring). */
  list: boolean;
  /** The path of the next request; varies the parameters so no answer is served twice in a row. */
  nextPath(): string;
}

export function describeGoal(goal: Goal): string {
  const rate = `>= ${goal.minRequestsPerSecond.toLocaleString('en-US')} req/s`;
  return goal.maxP99Ms === undefined ? rate : `${rate}, p99 < ${goal.maxP99Ms} ms`;
}

export function goalMet(goal: Goal, measured: { requestsPerSecond: number; p99Ms: number; errors: number }): boolean {
  return measured.errors === 0 && measured.requestsPerSecond >= goal.minRequestsPerSecond && (goal.maxP99Ms === undefined || measured.p99Ms < goal.maxP99Ms);
}

export function apiCases(fixtures: ApiFixtures, prefix: string): ApiCase[] {
  const random = createRandom(5);
  const listGoal: Goal = { minRequestsPerSecond: 500, maxP99Ms: 100 };
  if (fixtures.managerLogins.length === 0) throw new Error('no manager with 10-50 reports: seed more users');
  const combos = fixtures.charts.flatMap((chart) => chart.departments.map((department) => ({ chart: chart.name, department })));
  if (combos.length === 0) throw new Error('no accounts seeded: raise --accounts');
  const byPrefix = `/api/users?status=active&lastname[starts_with]=${prefix}&limit=50`;
  return [
    {
      key: 'a',
      title: 'user by id',
      example: `/api/users/${Math.ceil(fixtures.users / 2)}`,
      goal: { minRequestsPerSecond: 2000 },
      list: false,
      nextPath: () => `/api/users/${randomInt(random, 1, fixtures.users)}`,
    },
    {
      key: 'b',
      title: 'active users by last-name prefix',
      example: byPrefix,
      goal: listGoal,
      list: true,
      nextPath: () => byPrefix,
    },
    {
      key: 'c',
      title: 'accounts by chart and segment 2',
      example: accountsPath(combos[0]!),
      goal: listGoal,
      list: true,
      nextPath: () => accountsPath(pick(random, combos)),
    },
    {
      key: 'd',
      title: "a manager's direct reports",
      example: reportsPath(fixtures.managerLogins[0]!),
      goal: listGoal,
      list: true,
      nextPath: () => reportsPath(pick(random, fixtures.managerLogins)),
    },
  ];
}

function accountsPath(combo: { chart: string; department: string }): string {
  return `/api/accounts?account_type[name]=${encodeURIComponent(combo.chart)}&segment_2=${encodeURIComponent(combo.department)}`;
}

function reportsPath(login: string): string {
  return `/api/users?manager[login]=${encodeURIComponent(login)}`;
}
