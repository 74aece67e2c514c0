/**
 * The run history's tables as Kysely sees them (issue 6: "records the run, each host's part
 * and events in Postgres"). Counters are bigint: pg returns them as strings and PGlite as
 * numbers or BigInt, so rows go through run-records.ts before anyone reads them. Only the
 * SQL common to PostgreSQL 15 and PGlite is used.
 */
import type { ColumnType, Generated, JSONColumnType } from 'kysely';
import type { HostPartStatus, RunStatus } from '@memoco/protocol';

/** A bigint column: written as number, read as whatever the driver gives. */
export type BigIntColumn = ColumnType<string | number | bigint, number, number>;
export type Timestamp = ColumnType<Date, Date, Date>;
export type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;

export interface RunsTable {
  id: string;
  model_id: string;
  status: RunStatus;
  start_at: Timestamp;
  duration_s: number;
  rate_unit: string;
  rate_value: number;
  seed: BigIntColumn;
  host_count: number;
  flow_count: BigIntColumn;
  predicted_packets: number;
  plan_ms: number;
  host_imbalance: number;
  cancel_requested_at: NullableTimestamp;
  /** The request as the user sent it (hosts by name or count, options). */
  request: JSONColumnType<Record<string, unknown>>;
  created_at: Timestamp;
  updated_at: Timestamp;
  finished_at: NullableTimestamp;
}

export interface RunHostsTable {
  run_id: string;
  host: string;
  host_index: number;
  status: HostPartStatus;
  cores: number;
  flow_count: BigIntColumn;
  predicted_packets: number;
  packets: BigIntColumn;
  bytes: BigIntColumn;
  out_of_order: BigIntColumn;
  error_code: ColumnType<string | null, string | null | undefined, string | null>;
  error_message: ColumnType<string | null, string | null | undefined, string | null>;
  started_at: NullableTimestamp;
  finished_at: NullableTimestamp;
  last_report_at: NullableTimestamp;
}

export interface RunEventsTable {
  id: Generated<string | number | bigint>;
  run_id: string;
  at: Timestamp;
  host: ColumnType<string | null, string | null | undefined, string | null>;
  kind: string;
  message: string;
  data: ColumnType<Record<string, unknown> | null, string | null | undefined, string | null>;
}

export interface ModelsTable {
  id: string;
  bytes: BigIntColumn;
  flows: BigIntColumn;
  predicted_packets: number;
  trainer: string;
  summary: JSONColumnType<Record<string, number | string>>;
  created_at: Timestamp;
}

export interface HostsTable {
  name: string;
  version: string;
  cores: number;
  ports: JSONColumnType<unknown[]>;
  first_seen_at: Timestamp;
  last_seen_at: Timestamp;
}

export interface MemocoDatabase {
  runs: RunsTable;
  run_hosts: RunHostsTable;
  run_events: RunEventsTable;
  models: ModelsTable;
  hosts: HostsTable;
}
