/**
 * What the repositories hand out: plain objects with unix-millisecond times and numbers, the
 * same whichever driver read the row (pg gives bigint as string, PGlite as number or BigInt).
 */
import type { Selectable } from 'kysely';
import type { ErrorInfo, HostPartStatus, RunRate, RunStatus } from '@memoco/protocol';
import type { HostsTable, ModelsTable, RunEventsTable, RunHostsTable, RunsTable } from './database-schema.ts';

export interface NewRunHost {
  host: string;
  hostIndex: number;
  cores: number;
  flowCount: number;
  predictedPackets: number;
}

export interface NewRun {
  id: string;
  modelId: string;
  startAtUnixMs: number;
  durationS: number;
  rate: RunRate;
  seed: number;
  flowCount: number;
  predictedPackets: number;
  planMs: number;
  hostImbalance: number;
  request: Record<string, unknown>;
  createdAtUnixMs: number;
  hosts: NewRunHost[];
}

export interface RunRecord {
  id: string;
  modelId: string;
  status: RunStatus;
  startAtUnixMs: number;
  durationS: number;
  rate: RunRate;
  seed: number;
  hostCount: number;
  flowCount: number;
  predictedPackets: number;
  planMs: number;
  hostImbalance: number;
  /** When a cancel was asked; null when none was. */
  cancelRequestedAtUnixMs: number | null;
  request: Record<string, unknown>;
  createdAtUnixMs: number;
  updatedAtUnixMs: number;
  finishedAtUnixMs: number | null;
}

export interface RunHostRecord {
  runId: string;
  host: string;
  hostIndex: number;
  status: HostPartStatus;
  cores: number;
  flowCount: number;
  predictedPackets: number;
  packets: number;
  bytes: number;
  outOfOrder: number;
  error: ErrorInfo | null;
  startedAtUnixMs: number | null;
  finishedAtUnixMs: number | null;
  lastReportAtUnixMs: number | null;
}

export interface RunEventRecord {
  id: number;
  runId: string;
  atUnixMs: number;
  host: string | null;
  kind: string;
  message: string;
  data: Record<string, unknown> | null;
}

export interface NewRunEvent {
  atUnixMs: number;
  kind: string;
  message: string;
  host?: string;
  data?: Record<string, unknown>;
}

export interface RunDetail {
  run: RunRecord;
  hosts: RunHostRecord[];
  events: RunEventRecord[];
}

export interface ModelRecord {
  id: string;
  bytes: number;
  flows: number;
  predictedPackets: number;
  trainer: string;
  summary: Record<string, number | string>;
  createdAtUnixMs: number;
}

export interface HostSeenRecord {
  name: string;
  version: string;
  cores: number;
  ports: unknown[];
  firstSeenAtUnixMs: number;
  lastSeenAtUnixMs: number;
}

const toMs = (d: Date) => d.getTime();
const toMsOrNull = (d: Date | null) => (d === null ? null : d.getTime());

export function runFromRow(row: Selectable<RunsTable>): RunRecord {
  return {
    id: row.id,
    modelId: row.model_id,
    status: row.status,
    startAtUnixMs: toMs(row.start_at),
    durationS: row.duration_s,
    rate: { unit: row.rate_unit as RunRate['unit'], value: row.rate_value },
    seed: Number(row.seed),
    hostCount: row.host_count,
    flowCount: Number(row.flow_count),
    predictedPackets: row.predicted_packets,
    planMs: row.plan_ms,
    hostImbalance: row.host_imbalance,
    cancelRequestedAtUnixMs: toMsOrNull(row.cancel_requested_at),
    request: row.request,
    createdAtUnixMs: toMs(row.created_at),
    updatedAtUnixMs: toMs(row.updated_at),
    finishedAtUnixMs: toMsOrNull(row.finished_at),
  };
}

export function runHostFromRow(row: Selectable<RunHostsTable>): RunHostRecord {
  return {
    runId: row.run_id,
    host: row.host,
    hostIndex: row.host_index,
    status: row.status,
    cores: row.cores,
    flowCount: Number(row.flow_count),
    predictedPackets: row.predicted_packets,
    packets: Number(row.packets),
    bytes: Number(row.bytes),
    outOfOrder: Number(row.out_of_order),
    error: row.error_code === null ? null : { code: row.error_code, message: row.error_message ?? '' },
    startedAtUnixMs: toMsOrNull(row.started_at),
    finishedAtUnixMs: toMsOrNull(row.finished_at),
    lastReportAtUnixMs: toMsOrNull(row.last_report_at),
  };
}

export function runEventFromRow(row: Selectable<RunEventsTable>): RunEventRecord {
  return { id: Number(row.id), runId: row.run_id, atUnixMs: toMs(row.at), host: row.host, kind: row.kind, message: row.message, data: row.data };
}

export function modelFromRow(row: Selectable<ModelsTable>): ModelRecord {
  return {
    id: row.id,
    bytes: Number(row.bytes),
    flows: Number(row.flows),
    predictedPackets: row.predicted_packets,
    trainer: row.trainer,
    summary: row.summary,
    createdAtUnixMs: toMs(row.created_at),
  };
}

export function hostSeenFromRow(row: Selectable<HostsTable>): HostSeenRecord {
  return {
    name: row.name,
    version: row.version,
    cores: row.cores,
    ports: row.ports,
    firstSeenAtUnixMs: toMs(row.first_seen_at),
    lastSeenAtUnixMs: toMs(row.last_seen_at),
  };
}
