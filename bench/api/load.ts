import autocannon, { type RequestData, type Result } from 'autocannon';
import { startCpuInterval, waitForQuiet, type CpuUse } from '../lib/machine.ts';
import type { BenchServer } from '../lib/server.ts';
import type { ApiCase } from './cases.ts';

export interface LoadOptions {
  duration: number;
  connections: number;
  warmup: number;
  /** Seconds to wait at most for a quiet machine before each measured run (0: do not wait). */
  quietWait: number;
}

export interface Measurement {
  requestsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  requests: number;
  /** Responses other than 200, plus connection errors and timeouts. */
  errors: number;
  statusCodes: Record<string, number>;
  /** CPU used while measured, in percent of one core: the server, autocannon (this process), everything else. */
  cpu: CpuUse;
  /** Server CPU time per answered request: what the request costs whatever else the machine is doing. */
  serverCpuMsPerRequest: number | undefined;
  /** Machine busy share (percent of one core) just before the measured run started. */
  busyBefore: number | undefined;
  /** Records in a sample answer (lists), for the report. */
  sampleRecords: number | undefined;
  problems: string[];
}

/** Checks a few answers by hand first: 200, JSON, and for a list at least one record. */
async function sanityCheck(server: BenchServer, apiCase: ApiCase): Promise<{ records: number | undefined; problems: string[] }> {
  const problems: string[] = [];
  let records: number | undefined;
  for (let i = 0; i < 3; i++) {
    const path = apiCase.nextPath();
    const response = await fetch(`${server.url}${path}`, { headers: { 'x-coupa-api-key': server.adminApiKey } });
    const body = await response.text();
    if (response.status !== 200) {
      problems.push(`${path} answered ${response.status}: ${body.slice(0, 200)}`);
      continue;
    }
    const value: unknown = JSON.parse(body);
    if (apiCase.list) {
      if (!Array.isArray(value) || value.length === 0) problems.push(`${path} answered no records`);
      else records = value.length;
    }
  }
  return { records, problems };
}

async function run(server: BenchServer, apiCase: ApiCase, seconds: number, connections: number): Promise<Result> {
  return await autocannon({
    url: server.url,
    connections,
    duration: seconds,
    timeout: 10,
    headers: { 'x-coupa-api-key': server.adminApiKey, accept: 'application/json' },
    requests: [{ method: 'GET', setupRequest: (request: RequestData) => ({ ...request, path: apiCase.nextPath() }) }],
  });
}

function countErrors(result: Result): { errors: number; statusCodes: Record<string, number> } {
  const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats).map(([code, stat]) => [code, stat.count]));
  const notOk = Object.entries(statusCodes).reduce((sum, [code, count]) => sum + (code === '200' ? 0 : count), 0);
  return { errors: notOk + result.errors, statusCodes };
}

/** Warm-up (discarded), then the measured run; the server's CPU use is read from /proc around it. */
export async function measure(server: BenchServer, apiCase: ApiCase, options: LoadOptions): Promise<Measurement> {
  const sanity = await sanityCheck(server, apiCase);
  const busyBefore = options.quietWait > 0 ? await waitForQuiet(options.quietWait * 1000) : undefined;
  if (options.warmup > 0) {
    const warmup = countErrors(await run(server, apiCase, options.warmup, options.connections));
    if (warmup.errors > 0) sanity.problems.push(`warm-up: ${warmup.errors} errors (${JSON.stringify(warmup.statusCodes)})`);
  }
  const stopCpu = startCpuInterval(server.pid);
  const result = await run(server, apiCase, options.duration, options.connections);
  const cpu = stopCpu();
  const { errors, statusCodes } = countErrors(result);
  return {
    requestsPerSecond: result.requests.average,
    p50Ms: result.latency.p50,
    p90Ms: result.latency.p90,
    p99Ms: result.latency.p99,
    maxMs: result.latency.max,
    requests: result.requests.total,
    errors: errors + sanity.problems.length,
    statusCodes,
    cpu,
    serverCpuMsPerRequest: cpu.serverMs === undefined || result.requests.total === 0 ? undefined : Math.round((cpu.serverMs / result.requests.total) * 1000) / 1000,
    busyBefore,
    sampleRecords: sanity.records,
    problems: sanity.problems,
  };
}
