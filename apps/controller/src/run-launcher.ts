/**
 * `POST /v1/runs` behind the route (issue 6): choose the hosts, read the model's flow table,
 * plan (flows -> hosts -> cores, common start), record the run, publish the assignments.
 * Publishing is per host and does not stop at the first failure (style.md: fleet operations
 * report per host); a host whose assignment could not be sent has its part failed at once.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { MemocoError, isFinalRunStatus, type RunStatus } from '@memoco/protocol';
import { planFleet, type FleetPlan, type HostCapacityMode, type PlanImbalance } from '@memoco/fleet-plan';
import type { CatalogRepository, RunHostRecord, RunRecord, RunRepository } from '@memoco/run-store';
import { buildAssignment } from './assignment-builder.ts';
import type { Clock } from './clock.ts';
import type { FleetGateway } from './fleet-gateway.ts';
import { selectHosts } from './host-selection.ts';
import type { ModelFlowTables } from './model-flow-tables.ts';
import type { RunRequest } from './run-request.ts';
import { settleRun } from './run-settlement.ts';

export interface RunLauncherDeps {
  runs: RunRepository;
  catalog: CatalogRepository;
  fleet: FleetGateway;
  flowTables: ModelFlowTables;
  clock: Clock;
  config: { hostTimeoutMs: number; startLeadMs: number; hostCapacity: HostCapacityMode };
  newRunId?: () => string;
  randomSeed?: () => number;
}

export interface LaunchResult {
  run: RunRecord;
  hosts: RunHostRecord[];
  plan: { planMs: number; startAtUnixMs: number; imbalance: PlanImbalance; unusedHosts: string[] };
}

export class RunLauncher {
  constructor(private readonly deps: RunLauncherDeps) {}

  async launch(request: RunRequest): Promise<LaunchResult> {
    const { fleet, clock, config, runs } = this.deps;
    const hosts = selectHosts(await fleet.listHosts(), request.hosts, clock.now(), config.hostTimeoutMs);
    const table = await this.deps.flowTables.get(request.model);
    if (table.predictedPackets.length === 0) throw new MemocoError('CONTROLLER_ERR_MODEL_CORRUPT', `model ${request.model} has an empty flow table`, { status: 422 });
    const started = performance.now();
    const plan = planFleet({ predictedPackets: table.predictedPackets, hosts, nowUnixMs: clock.now() }, { leadMs: request.startLeadMs ?? config.startLeadMs, hostCapacity: config.hostCapacity });
    const planMs = performance.now() - started;
    const used = plan.hosts.filter((h) => h.flowCount > 0).map((h, i) => ({ ...h, hostIndex: i }));
    const unusedHosts = plan.hosts.filter((h) => h.flowCount === 0).map((h) => h.host);
    const runId = (this.deps.newRunId ?? randomUUID)();
    const seed = request.seed ?? (this.deps.randomSeed ?? (() => randomInt(0, 2 ** 32 - 1)))();
    const createdAt = clock.now();
    await this.recordModel(request.model, table.bytes, table.predictedPackets.length, plan.predictedPackets, createdAt);
    await runs.createRun({
      id: runId,
      modelId: request.model,
      startAtUnixMs: plan.startAtUnixMs,
      durationS: request.durationS,
      rate: request.rate,
      seed,
      flowCount: plan.flowCount,
      predictedPackets: plan.predictedPackets,
      planMs,
      hostImbalance: plan.imbalance.hostMaxOverMean,
      request: { ...request },
      createdAtUnixMs: createdAt,
      hosts: used.map((h) => ({ host: h.host, hostIndex: h.hostIndex, cores: h.cores.length, flowCount: h.flowCount, predictedPackets: h.predictedPackets })),
    });
    if (unusedHosts.length > 0) {
      await runs.addEvent(runId, { atUnixMs: createdAt, kind: 'hosts-unused', message: `no flows left for ${unusedHosts.join(', ')}`, data: { hosts: unusedHosts } });
    }
    const params = { runId, modelId: request.model, durationS: request.durationS, rate: request.rate, seed, port: request.port ?? 0, issuedAtUnixMs: createdAt };
    await this.publishAll({ ...plan, hosts: used }, params);
    await settleRun(runs, runId, clock.now());
    const detail = await runs.getRunDetail(runId);
    return { run: detail!.run, hosts: detail!.hosts, plan: { planMs, startAtUnixMs: plan.startAtUnixMs, imbalance: plan.imbalance, unusedHosts } };
  }

  private async recordModel(id: string, bytes: number, flows: number, predictedPackets: number, atUnixMs: number): Promise<void> {
    await this.deps.catalog.recordModel({ id, bytes, flows, predictedPackets, trainer: 'unknown', summary: {}, createdAtUnixMs: atUnixMs });
  }

  private async publishAll(plan: FleetPlan, params: Parameters<typeof buildAssignment>[2]): Promise<void> {
    const { fleet, runs, clock } = this.deps;
    const outcomes = await Promise.allSettled(plan.hosts.map((h) => fleet.publishAssignment(buildAssignment(plan, h, params, plan.hosts.length))));
    const failed: string[] = [];
    for (const [i, outcome] of outcomes.entries()) {
      if (outcome.status === 'fulfilled') continue;
      const host = plan.hosts[i]!.host;
      failed.push(host);
      const why = (outcome.reason as Error).message;
      const error = { code: 'CONTROLLER_ERR_ASSIGN_FAILED', message: `assignment to ${host} not sent: ${why}` };
      if (await runs.endPart(params.runId, host, { status: 'failed', atUnixMs: clock.now(), error })) {
        await runs.addEvent(params.runId, { atUnixMs: clock.now(), kind: 'host-failed', host, message: error.message, data: { code: error.code } });
      }
    }
    const sent = plan.hosts.length - failed.length;
    await runs.addEvent(params.runId, {
      atUnixMs: clock.now(),
      kind: 'assigned',
      message: `assignments sent to ${sent} of ${plan.hosts.length} hosts; start at ${new Date(plan.startAtUnixMs).toISOString()}`,
      data: { sent, failed },
    });
  }
}

/** Cancels an open run: flags it, tells its agents, and records the request. */
export async function cancelRun(deps: Pick<RunLauncherDeps, 'runs' | 'fleet' | 'clock'>, runId: string): Promise<{ run: RunRecord; status: RunStatus }> {
  const existing = await deps.runs.getRun(runId);
  if (!existing) throw new MemocoError('CONTROLLER_ERR_RUN_NOT_FOUND', `no run ${runId}`, { status: 404 });
  const now = deps.clock.now();
  const run = await deps.runs.requestCancel(runId, now);
  if (!run || isFinalRunStatus(run.status)) {
    throw new MemocoError('CONTROLLER_ERR_RUN_FINISHED', `run ${runId} already ended (${existing.status})`, { status: 409 });
  }
  await deps.fleet.publishCancel({ runId, atUnixMs: now, reason: 'cancelled through the API' });
  await deps.runs.addEvent(runId, { atUnixMs: now, kind: 'cancel-requested', message: 'cancel requested through the API' });
  return { run, status: run.status };
}
