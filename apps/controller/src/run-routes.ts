/**
 * The run API (issue 6): `POST /v1/runs`, `GET /v1/runs`, `GET /v1/runs/:id`,
 * `POST /v1/runs/:id/cancel`. Thin: parsing here, the work in RunLauncher and the store.
 */
import type { FastifyInstance } from 'fastify';
import { MemocoError, RUN_ID_PATTERN, RUN_STATUSES, type RunStatus } from '@memoco/protocol';
import type { RunRepository } from '@memoco/run-store';
import { cancelRun, type RunLauncher, type RunLauncherDeps } from './run-launcher.ts';
import { parseRunRequest } from './run-request.ts';

export interface RunRouteDeps {
  launcher: RunLauncher;
  runs: RunRepository;
  cancelDeps: Pick<RunLauncherDeps, 'runs' | 'fleet' | 'clock'>;
}

function badQuery(message: string): MemocoError {
  return new MemocoError('CONTROLLER_ERR_BAD_REQUEST', message, { status: 400 });
}

function parseListQuery(query: Record<string, string | undefined>): { limit?: number; status?: RunStatus; beforeUnixMs?: number } {
  const out: { limit?: number; status?: RunStatus; beforeUnixMs?: number } = {};
  if (query.limit !== undefined) {
    const limit = Number(query.limit);
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw badQuery(`limit must be an integer 1..1000, got "${query.limit}"`);
    out.limit = limit;
  }
  if (query.status !== undefined) {
    if (!(RUN_STATUSES as readonly string[]).includes(query.status)) throw badQuery(`status must be one of ${RUN_STATUSES.join('|')}, got "${query.status}"`);
    out.status = query.status as RunStatus;
  }
  if (query.before !== undefined) {
    const before = Number(query.before);
    if (!Number.isSafeInteger(before) || before < 0) throw badQuery(`before must be a unix time in ms, got "${query.before}"`);
    out.beforeUnixMs = before;
  }
  return out;
}

function runIdOf(params: unknown): string {
  const id = (params as { id?: string }).id ?? '';
  if (!RUN_ID_PATTERN.test(id)) throw new MemocoError('CONTROLLER_ERR_RUN_NOT_FOUND', `no run ${id}`, { status: 404 });
  return id;
}

export function registerRunRoutes(app: FastifyInstance, deps: RunRouteDeps): void {
  app.post('/v1/runs', async (request, reply) => {
    const result = await deps.launcher.launch(parseRunRequest(request.body));
    return reply.status(201).send(result);
  });

  app.get('/v1/runs', async (request) => ({ runs: await deps.runs.listRuns(parseListQuery(request.query as Record<string, string | undefined>)) }));

  app.get('/v1/runs/:id', async (request) => {
    const id = runIdOf(request.params);
    const detail = await deps.runs.getRunDetail(id);
    if (!detail) throw new MemocoError('CONTROLLER_ERR_RUN_NOT_FOUND', `no run ${id}`, { status: 404 });
    return detail;
  });

  app.post('/v1/runs/:id/cancel', async (request, reply) => {
    const { run } = await cancelRun(deps.cancelDeps, runIdOf(request.params));
    return reply.status(202).send({ run });
  });
}
