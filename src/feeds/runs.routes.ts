import fs from 'node:fs';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { parseListQuery } from '../http/api/query/parse-list-query.ts';
import { actorOf, parseId, shape } from '../http/api/resources/resource-routes.ts';
import { send } from '../http/api/respond.ts';
import type { RouteDoc } from '../http/api/route-docs.ts';
import { requireScope } from '../http/auth/index.ts';
import { AppError, NotFoundError } from '../shared/errors.ts';
import type { Feeds } from './feeds.service.ts';
import { runQuerySchema } from './runs.query-schema.ts';
import { presentRun, runElements } from './runs.presenter.ts';
import type { Run } from './runs.repo.ts';

export interface RunsRoutesOptions {
  feeds: Feeds;
  /** Username of an SFTP account, for the records. */
  usernameOf: (accountId: number) => Promise<string | undefined>;
  /** Where a published result file is on disk. */
  resultPath: (run: Run) => string | undefined;
}

const run = { description: 'The run (upload-errors only when shown alone)', elements: runElements };
const docs = {
  list: { summary: 'Loaded files and how their processing went, newest first', list: runQuerySchema, response: { ...run, description: 'Runs', many: true } },
  show: { summary: 'One run, with its first 1,000 errors (line, column, message)', response: run },
  result: { summary: "A run's result file, as the customer got it in /Outgoing (encrypted when the account has a PGP key)", response: { description: 'The result file', contentType: 'text/csv' } },
  approve: { summary: 'Apply a held Full file (one that would deactivate more than the hold percentage)', response: run },
  reprocess: { summary: "Process a run's file again, as a new run", response: { ...run, status: 201 } },
} satisfies Record<string, RouteDoc>;

function params(request: FastifyRequest): URLSearchParams {
  const index = request.url.indexOf('?');
  return new URLSearchParams(index < 0 ? '' : request.url.slice(index + 1));
}

/**
 * data_file_sources: the processing record of every loaded file, in the Core API's query language,
 * JSON or XML; plus approving a held Full file, reprocessing, and downloading the result.
 */
export async function runsRoutes(app: FastifyInstance, options: RunsRoutesOptions): Promise<void> {
  const { feeds } = options;
  const readScope = requireScope('core.integration.read');
  const writeScope = requireScope('core.integration.write');
  const read = (doc: RouteDoc) => ({ preHandler: readScope, config: { doc } });
  const write = (doc: RouteDoc) => ({ preHandler: writeScope, config: { doc } });

  const present = async (run: Run, withErrors: boolean) =>
    presentRun(run, {
      username: await options.usernameOf(run.accountId),
      ...(feeds.progress.get(run.id) ? { progress: feeds.progress.get(run.id)! } : {}),
      ...(withErrors ? { errors: await feeds.runs.errors(run.id) } : {}),
    });

  const load = async (request: FastifyRequest): Promise<Run> => {
    const id = parseId((request.params as { id: string }).id, 'data-file-source');
    const run = await feeds.runs.get(id);
    if (!run) throw new NotFoundError('data-file-source', id);
    return run;
  };

  app.get('/api/data_file_sources', read(docs.list), async (request, reply) => {
    const query = parseListQuery(params(request), runQuerySchema, { ignore: ['return_object', 'fields'] });
    const runs = await feeds.runs.list(query);
    const presented = await Promise.all(runs.map((run) => present(run, false)));
    return send(request, reply, 200, shape(params(request), presented) ?? [], 'data-file-sources');
  });

  app.get('/api/data_file_sources/:id', read(docs.show), async (request, reply) => {
    const presented = await present(await load(request), true);
    return send(request, reply, 200, shape(params(request), presented) ?? presented, 'data-file-source');
  });

  app.get('/api/data_file_sources/:id/result', read(docs.result), async (request, reply) => {
    const run = await load(request);
    const file = options.resultPath(run);
    if (!file || !fs.existsSync(file)) throw new AppError('not_found', `data file source ${run.id} has no result file (yet)`);
    const name = run.resultFile ?? 'result.csv';
    reply.header('content-disposition', `attachment; filename="${name.replace(/["\\\r\n]/g, '_')}"`);
    return reply.type(name.endsWith('.pgp') ? 'application/pgp-encrypted' : 'text/csv; charset=utf-8').send(fs.createReadStream(file));
  });

  app.post('/api/data_file_sources/:id/approve', write(docs.approve), async (request, reply) => {
    const run = await feeds.approve((await load(request)).id, actorOf(request));
    return send(request, reply, 200, await present(run, false), 'data-file-source');
  });

  app.post('/api/data_file_sources/:id/reprocess', write(docs.reprocess), async (request, reply) => {
    const run = await feeds.reprocess((await load(request)).id, actorOf(request));
    return send(request, reply, 201, await present(run, false), 'data-file-source');
  });
}
