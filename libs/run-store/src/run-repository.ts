/**
 * Queries the controller needs on runs, their per-host parts and events (issue 6). Every
 * state change is a conditional UPDATE that leaves finished parts and runs alone, so several
 * controllers sharing one database (and one NATS consumer) can apply the same reports in any
 * order without undoing each other.
 */
import { sql, type Kysely } from 'kysely';
import { MemocoError, isFinalRunStatus, type ErrorInfo, type ProgressState, type ResultStatus, type RunStatus } from '@memoco/protocol';
import type { MemocoDatabase } from './database-schema.ts';
import {
  runEventFromRow,
  runFromRow,
  runHostFromRow,
  type NewRun,
  type NewRunEvent,
  type RunDetail,
  type RunEventRecord,
  type RunHostRecord,
  type RunRecord,
} from './run-records.ts';

const OPEN_PART = ['assigned', 'accepted', 'running'] as const;
const OPEN_RUN = ['planned', 'running'] as const;

export interface ProgressUpdate {
  state: ProgressState;
  packets: number;
  bytes: number;
  outOfOrder: number;
  atUnixMs: number;
}

export type ProgressOutcome = 'ignored' | 'applied' | 'started';

export interface PartEnding {
  status: ResultStatus;
  atUnixMs: number;
  error?: ErrorInfo;
  /** Final counters; absent keeps the last progress (a host that vanished). */
  counters?: { packets: number; bytes: number; outOfOrder: number };
  startedAtUnixMs?: number | null;
}

export interface ListRunsQuery {
  limit?: number;
  status?: RunStatus;
  /** Runs created strictly before this time (paging backwards). */
  beforeUnixMs?: number;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

export class RunRepository {
  constructor(private readonly db: Kysely<MemocoDatabase>) {}

  /** Records a planned run with its parts and a `created` event, in one transaction. */
  async createRun(run: NewRun): Promise<void> {
    const at = new Date(run.createdAtUnixMs);
    try {
      await this.db.transaction().execute(async (tx) => {
        await tx.insertInto('runs').values({
          id: run.id,
          model_id: run.modelId,
          status: 'planned',
          start_at: new Date(run.startAtUnixMs),
          duration_s: run.durationS,
          rate_unit: run.rate.unit,
          rate_value: run.rate.value,
          seed: run.seed,
          host_count: run.hosts.length,
          flow_count: run.flowCount,
          predicted_packets: run.predictedPackets,
          plan_ms: run.planMs,
          host_imbalance: run.hostImbalance,
          request: JSON.stringify(run.request),
          created_at: at,
          updated_at: at,
        }).execute();
        if (run.hosts.length > 0) {
          await tx.insertInto('run_hosts').values(run.hosts.map((h) => ({
            run_id: run.id,
            host: h.host,
            host_index: h.hostIndex,
            status: 'assigned' as const,
            cores: h.cores,
            flow_count: h.flowCount,
            predicted_packets: h.predictedPackets,
            packets: 0,
            bytes: 0,
            out_of_order: 0,
          }))).execute();
        }
        await tx.insertInto('run_events').values({ run_id: run.id, at, kind: 'created', message: `planned on ${run.hosts.length} hosts`, data: null }).execute();
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new MemocoError('RUNSTORE_ERR_DUPLICATE', `run ${run.id} (or one of its hosts) is already recorded`, { status: 409 }, { cause: error });
      throw error;
    }
  }

  async getRun(id: string): Promise<RunRecord | undefined> {
    const row = await this.db.selectFrom('runs').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? runFromRow(row) : undefined;
  }

  async getRunDetail(id: string): Promise<RunDetail | undefined> {
    const run = await this.getRun(id);
    if (!run) return undefined;
    return { run, hosts: await this.listParts(id), events: await this.listEvents(id) };
  }

  async listRuns(query: ListRunsQuery = {}): Promise<RunRecord[]> {
    let q = this.db.selectFrom('runs').selectAll().orderBy('created_at', 'desc').orderBy('id', 'desc').limit(Math.min(Math.max(query.limit ?? 50, 1), 1000));
    if (query.status) q = q.where('status', '=', query.status);
    if (query.beforeUnixMs !== undefined) q = q.where('created_at', '<', new Date(query.beforeUnixMs));
    return (await q.execute()).map(runFromRow);
  }

  /** Runs not finished yet: what a (re)started controller must keep following. */
  async listOpenRuns(): Promise<RunRecord[]> {
    const rows = await this.db.selectFrom('runs').selectAll().where('status', 'in', [...OPEN_RUN]).orderBy('created_at').execute();
    return rows.map(runFromRow);
  }

  async listParts(runId: string): Promise<RunHostRecord[]> {
    const rows = await this.db.selectFrom('run_hosts').selectAll().where('run_id', '=', runId).orderBy('host_index').execute();
    return rows.map(runHostFromRow);
  }

  async listEvents(runId: string, limit = 1000): Promise<RunEventRecord[]> {
    const rows = await this.db.selectFrom('run_events').selectAll().where('run_id', '=', runId).orderBy('id').limit(limit).execute();
    return rows.map(runEventFromRow);
  }

  /**
   * Applies a progress report to an open part. The status only moves forward
   * (assigned -> accepted -> running). Returns `started` when this report is the part's
   * first in state running, `applied` otherwise, `ignored` when the part is ended or unknown.
   */
  async applyProgress(runId: string, host: string, update: ProgressUpdate): Promise<ProgressOutcome> {
    const next = update.state === 'running' || update.state === 'stopping' ? 'running' : 'accepted';
    const at = new Date(update.atUnixMs);
    const row = await this.db
      .updateTable('run_hosts')
      .set({
        packets: update.packets,
        bytes: update.bytes,
        out_of_order: update.outOfOrder,
        last_report_at: at,
        status: sql<'accepted' | 'running'>`case when status = 'running' then 'running' else ${next} end`,
        started_at: next === 'running' ? sql<Date>`coalesce(started_at, ${at})` : sql<Date | null>`started_at`,
      })
      .where('run_id', '=', runId)
      .where('host', '=', host)
      .where('status', 'in', [...OPEN_PART])
      // started_at is `at` only if this update set it (a part starts once).
      .returning(sql<boolean>`started_at is not null and started_at = ${at}`.as('started_now'))
      .executeTakeFirst();
    if (!row) return 'ignored';
    return next === 'running' && row.started_now ? 'started' : 'applied';
  }

  /** Ends an open part (its result arrived, or it was declared lost); false when already ended. */
  async endPart(runId: string, host: string, ending: PartEnding): Promise<boolean> {
    const at = new Date(ending.atUnixMs);
    const result = await this.db
      .updateTable('run_hosts')
      .set({
        status: ending.status,
        finished_at: at,
        last_report_at: at,
        error_code: ending.error?.code ?? null,
        error_message: ending.error?.message ?? null,
        ...(ending.counters ? { packets: ending.counters.packets, bytes: ending.counters.bytes, out_of_order: ending.counters.outOfOrder } : {}),
        ...(ending.startedAtUnixMs !== undefined ? { started_at: ending.startedAtUnixMs === null ? null : new Date(ending.startedAtUnixMs) } : {}),
      })
      .where('run_id', '=', runId)
      .where('host', '=', host)
      .where('status', 'in', [...OPEN_PART])
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /** Moves an open run to `status`; false when it had already finished. */
  async setRunStatus(runId: string, status: RunStatus, atUnixMs: number): Promise<boolean> {
    const at = new Date(atUnixMs);
    const result = await this.db
      .updateTable('runs')
      .set({ status, updated_at: at, finished_at: isFinalRunStatus(status) ? at : null })
      .where('id', '=', runId)
      .where('status', 'in', [...OPEN_RUN])
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  /**
   * Flags an open run as cancel-requested (the first request's time is kept); returns the run
   * as it now is, undefined when there is no such run.
   */
  async requestCancel(runId: string, atUnixMs: number): Promise<RunRecord | undefined> {
    const at = new Date(atUnixMs);
    await this.db
      .updateTable('runs')
      .set({ cancel_requested_at: sql<Date>`coalesce(cancel_requested_at, ${at})`, updated_at: at })
      .where('id', '=', runId)
      .where('status', 'in', [...OPEN_RUN])
      .execute();
    return this.getRun(runId);
  }

  /** Moves a planned run to running (its first host started); false when it was not planned. */
  async markRunRunning(runId: string, atUnixMs: number): Promise<boolean> {
    const result = await this.db
      .updateTable('runs')
      .set({ status: 'running', updated_at: new Date(atUnixMs) })
      .where('id', '=', runId)
      .where('status', '=', 'planned')
      .executeTakeFirst();
    return result.numUpdatedRows > 0n;
  }

  async addEvent(runId: string, event: NewRunEvent): Promise<void> {
    await this.db
      .insertInto('run_events')
      .values({
        run_id: runId,
        at: new Date(event.atUnixMs),
        host: event.host ?? null,
        kind: event.kind,
        message: event.message,
        data: event.data ? JSON.stringify(event.data) : null,
      })
      .execute();
  }
}
