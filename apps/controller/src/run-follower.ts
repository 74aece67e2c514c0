/**
 * Follows open runs (issue 6: "follows progress, and records the run, each host's part and
 * events"). Reports from agents update the store as they come; a periodic tick fails the
 * parts of hosts whose heartbeat stopped (the run goes on: `partial` at the end), parts whose
 * result is overdue, and parts whose cancel was not confirmed in time; before it ends a part
 * so, it asks the bus for the host's stored result, which wins when there is one.
 *
 * All state is in the store and NATS, so any number of controllers can follow the same runs
 * (issue 6: "the controller and trainers are stateless beyond NATS and Postgres"). Hosts are
 * not judged while this controller's own NATS link is down or freshly back: after a NATS
 * restart every agent needs a moment to reconnect and heartbeat again.
 */
import { isFinalHostPartStatus, type ErrorInfo, type ResultStatus } from '@memoco/protocol';
import type { CatalogRepository, RunHostRecord, RunRecord, RunRepository } from '@memoco/run-store';
import type { Clock } from './clock.ts';
import type { FleetGateway, FleetReport, HostView } from './fleet-gateway.ts';
import { settleRun } from './run-settlement.ts';

export interface RunFollowerConfig {
  hostTimeoutMs: number;
  resultGraceMs: number;
  cancelGraceMs: number;
  followIntervalMs: number;
}

export interface RunFollowerDeps {
  runs: RunRepository;
  catalog: CatalogRepository;
  fleet: FleetGateway;
  clock: Clock;
  config: RunFollowerConfig;
  log: (message: string) => void;
}

/** How often a live host's sighting is written to the hosts table. */
const SIGHTING_INTERVAL_MS = 60_000;

interface Verdict {
  status: ResultStatus;
  kind: string;
  error?: ErrorInfo;
  message: string;
}

export class RunFollower {
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private readonly sightings = new Map<string, number>();
  /** `<runId>/<host>` -> when looking up its stored result first failed. */
  private readonly lookupFailingSince = new Map<string, number>();

  constructor(private readonly deps: RunFollowerDeps) {}

  start(): void {
    this.deps.fleet.startReports((report) => this.handleReport(report));
    this.timer = setInterval(() => void this.tickOnce(), this.deps.config.followIntervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }

  /** One tick at a time: a slow database must not pile ticks up. */
  private tickOnce(): Promise<void> {
    this.ticking ??= this.tick()
      .catch((error) => this.deps.log(`follower tick failed: ${(error as Error).message}`))
      .finally(() => (this.ticking = undefined));
    return this.ticking;
  }

  async handleReport(report: FleetReport): Promise<void> {
    const { runs, clock } = this.deps;
    if (report.kind === 'progress') {
      const p = report.progress;
      const outcome = await runs.applyProgress(p.runId, p.host, { state: p.state, packets: p.packets, bytes: p.bytes, outOfOrder: p.outOfOrder, atUnixMs: p.atUnixMs });
      if (outcome === 'started') {
        await runs.addEvent(p.runId, { atUnixMs: clock.now(), kind: 'host-started', host: p.host, message: `${p.host} started sending` });
        await settleRun(runs, p.runId, clock.now());
      }
      return;
    }
    const r = report.result;
    this.lookupFailingSince.delete(`${r.runId}/${r.host}`);
    const ended = await runs.endPart(r.runId, r.host, {
      status: r.status,
      atUnixMs: r.finishedAtUnixMs,
      counters: { packets: r.packets, bytes: r.bytes, outOfOrder: r.outOfOrder },
      startedAtUnixMs: r.startedAtUnixMs,
      ...(r.error ? { error: r.error } : {}),
    });
    if (!ended) return;
    const detail = r.error ? `: ${r.error.code}: ${r.error.message}` : `: ${r.packets} packets, ${r.outOfOrder} out of order`;
    await runs.addEvent(r.runId, { atUnixMs: clock.now(), kind: `host-${r.status}`, host: r.host, message: `${r.host} ${r.status}${detail}`, data: { packets: r.packets, bytes: r.bytes, outOfOrder: r.outOfOrder } });
    await settleRun(runs, r.runId, clock.now());
  }

  /** Checks every open run once. Exposed for tests and for main's shutdown. */
  async tick(): Promise<void> {
    const { runs, fleet, clock, config } = this.deps;
    const views = await fleet.listHosts();
    await this.recordSightings(views);
    const open = await runs.listOpenRuns();
    if (open.length === 0) return;
    const hosts = new Map(views.map((v) => [v.registration.host, v]));
    const link = fleet.connection();
    const now = clock.now();
    const canJudgeHosts = link.connected && now - link.connectedSinceMs >= config.hostTimeoutMs;
    for (const run of open) {
      for (const part of await runs.listParts(run.id)) {
        if (isFinalHostPartStatus(part.status)) continue;
        const verdict = this.judge(run, part, hosts.get(part.host), now, canJudgeHosts);
        if (!verdict || !(await this.mayEndPart(run, part.host, now))) continue;
        if (await runs.endPart(run.id, part.host, { status: verdict.status, atUnixMs: now, ...(verdict.error ? { error: verdict.error } : {}) })) {
          await runs.addEvent(run.id, { atUnixMs: now, kind: verdict.kind, host: part.host, message: verdict.message, ...(verdict.error ? { data: { code: verdict.error.code } } : {}) });
        }
      }
      await settleRun(runs, run.id, now);
    }
  }

  /**
   * True when the bus holds no result of the host for the run, so a verdict may end its
   * part. A stored result is applied instead (and false returned) (the reports consumer lost its delivery, e.g.
   * in a cluster node's death, and would bring it again only after its ack wait). While the
   * bus cannot be asked the verdict waits, for at most one more result grace period.
   */
  private async mayEndPart(run: RunRecord, host: string, now: number): Promise<boolean> {
    const key = `${run.id}/${host}`;
    try {
      const result = await this.deps.fleet.fetchResult(run.id, host);
      this.lookupFailingSince.delete(key);
      if (!result) return true;
      this.deps.log(`result of ${host} for run ${run.id} taken from the stream: the reports consumer had not delivered it`);
      await this.handleReport({ kind: 'result', result });
      return false;
    } catch (error) {
      const since = this.lookupFailingSince.get(key);
      if (since === undefined) {
        this.lookupFailingSince.set(key, now);
        this.deps.log(`cannot look up the result of ${host} for run ${run.id} (${(error as Error).message}); judging again later`);
        return false;
      }
      if (now - since < this.deps.config.resultGraceMs) return false;
      this.lookupFailingSince.delete(key);
      return true;
    }
  }

  private judge(run: RunRecord, part: RunHostRecord, view: HostView | undefined, now: number, canJudgeHosts: boolean): Verdict | undefined {
    const { hostTimeoutMs, resultGraceMs, cancelGraceMs } = this.deps.config;
    if (run.cancelRequestedAtUnixMs !== null && now - run.cancelRequestedAtUnixMs > cancelGraceMs) {
      return { status: 'cancelled', kind: 'host-cancelled', message: `${part.host} did not confirm the cancel within ${cancelGraceMs} ms` };
    }
    if (canJudgeHosts) {
      const silentMs = view ? now - view.lastHeartbeatUnixMs : Number.POSITIVE_INFINITY;
      if (silentMs > hostTimeoutMs) {
        const message = view ? `${part.host} sent no heartbeat for ${silentMs} ms (timeout ${hostTimeoutMs} ms)` : `${part.host} left the host registry`;
        return { status: 'failed', kind: 'host-lost', message, error: { code: 'CONTROLLER_ERR_HOST_LOST', message } };
      }
    }
    const deadline = run.startAtUnixMs + run.durationS * 1000 + resultGraceMs;
    if (now > deadline) {
      const message = `${part.host} sent no result within ${resultGraceMs} ms of the run's end`;
      return { status: 'failed', kind: 'host-timeout', message, error: { code: 'CONTROLLER_ERR_RESULT_TIMEOUT', message } };
    }
    return undefined;
  }

  private async recordSightings(views: HostView[]): Promise<void> {
    for (const view of views) {
      const last = this.sightings.get(view.registration.host);
      if (last !== undefined && view.lastHeartbeatUnixMs - last < SIGHTING_INTERVAL_MS) continue;
      const r = view.registration;
      await this.deps.catalog.recordHostSeen({ name: r.host, version: r.version, cores: r.cores, ports: r.ports, seenAtUnixMs: view.lastHeartbeatUnixMs });
      this.sightings.set(r.host, view.lastHeartbeatUnixMs);
    }
  }
}
