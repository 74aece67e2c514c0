/**
 * Messages of a fleet run (issue 6): the controller's assignment of a shard to one host and
 * its cancel; the agent's progress (every second) and final result. All travel on the
 * MEMOCO_RUNS stream, so an agent or controller that reconnects after a NATS restart still
 * gets them.
 */
import { HOST_NAME_PATTERN, MODEL_ID_PATTERN, RUN_ID_PATTERN } from './fleet-subjects.ts';
import { FLOW_SET_ENCODINGS, type EncodedFlowSet } from './flow-set-codec.ts';
import { PROGRESS_STATES, RESULT_STATUSES, type ProgressState, type ResultStatus } from './fleet-status.ts';
import { arr, int, num, obj, oneOf, opt, nullable, refine, str, tagged, type Schema } from './message-schema.ts';

/**
 * How fast a run sends, in exactly one unit (style.md): `pps` is the whole fleet's packets per
 * second, split among hosts by their share of predicted packets; `scale` multiplies the
 * model's own timing (1 = as in the trace) on every host.
 */
export type RunRate = { unit: 'pps'; value: number } | { unit: 'scale'; value: number };

export interface CoreShard {
  /** Index of the TX core on the agent (0 .. cores-1). */
  core: number;
  flows: EncodedFlowSet;
  predictedPackets: number;
}

export interface RunAssignment {
  runId: string;
  host: string;
  /** This host's position among the run's hosts (stable; seeds per-host randomness). */
  hostIndex: number;
  hostCount: number;
  modelId: string;
  /** The agent refuses the model unless the SHA-256 of the fetched bytes equals this. */
  modelSha256: string;
  /** Wall-clock start common to every host of the run. */
  startAtUnixMs: number;
  durationS: number;
  /** This host's rate (a `pps` run rate is already scaled to the host's share). */
  rate: RunRate;
  seed: number;
  /** DPDK port id to send on. */
  port: number;
  /** The shard: this host's flows, already split across its TX cores. */
  cores: CoreShard[];
  flowCount: number;
  predictedPackets: number;
  issuedAtUnixMs: number;
}

export interface RunCancel {
  runId: string;
  atUnixMs: number;
  reason: string;
}

export interface RunProgress {
  runId: string;
  host: string;
  atUnixMs: number;
  state: ProgressState;
  packets: number;
  bytes: number;
  outOfOrder: number;
}

export interface ErrorInfo {
  code: string;
  message: string;
}

export interface RunHostResult {
  runId: string;
  host: string;
  status: ResultStatus;
  packets: number;
  bytes: number;
  outOfOrder: number;
  /** When sending really began; null when it never did (refused model, cancelled early). */
  startedAtUnixMs: number | null;
  finishedAtUnixMs: number;
  /** Why a `failed` part failed (e.g. AGENT_ERR_MODEL_DIGEST_MISMATCH). */
  error?: ErrorInfo;
}

const unixMs = int({ min: 0 });
const count = int({ min: 0 });
const runId = str({ pattern: RUN_ID_PATTERN, what: 'a run id' });
const host = str({ pattern: HOST_NAME_PATTERN, what: 'a host name' });
const sha256 = str({ pattern: MODEL_ID_PATTERN, what: 'a SHA-256 hex digest (64 lowercase hex digits)' });

export const runRateSchema: Schema<RunRate> = tagged<'unit', RunRate>('unit', {
  pps: obj({ unit: oneOf(['pps'] as const), value: num({ min: 0, exclusiveMin: true, max: 1e12 }) }),
  scale: obj({ unit: oneOf(['scale'] as const), value: num({ min: 0, exclusiveMin: true, max: 1e6 }) }),
});

export const encodedFlowSetSchema: Schema<EncodedFlowSet> = obj<EncodedFlowSet>({
  encoding: oneOf(FLOW_SET_ENCODINGS),
  count: int({ min: 0, max: 2 ** 32 }),
  data: str({ pattern: /^[A-Za-z0-9+/]*={0,2}$/, what: 'base64 data' }),
});

export const coreShardSchema: Schema<CoreShard> = obj<CoreShard>({
  core: int({ min: 0, max: 1023 }),
  flows: encodedFlowSetSchema,
  predictedPackets: num({ min: 0 }),
});

export const runAssignmentSchema: Schema<RunAssignment> = refine(
  obj<RunAssignment>({
    runId,
    host,
    hostIndex: int({ min: 0 }),
    hostCount: int({ min: 1 }),
    modelId: sha256,
    modelSha256: sha256,
    startAtUnixMs: unixMs,
    durationS: num({ min: 0, exclusiveMin: true, max: 366 * 24 * 3600 }),
    rate: runRateSchema,
    seed: int({ min: 0 }),
    port: int({ min: 0, max: 65535 }),
    cores: arr(coreShardSchema, { minLength: 1, maxLength: 1024 }),
    flowCount: count,
    predictedPackets: num({ min: 0 }),
    issuedAtUnixMs: unixMs,
  }),
  (a) => {
    if (a.hostIndex >= a.hostCount) return `hostIndex ${a.hostIndex} is not below hostCount ${a.hostCount}`;
    const flows = a.cores.reduce((sum, c) => sum + c.flows.count, 0);
    if (flows !== a.flowCount) return `the cores hold ${flows} flows, flowCount says ${a.flowCount}`;
    if (new Set(a.cores.map((c) => c.core)).size !== a.cores.length) return 'a core appears twice';
    return undefined;
  },
);

export const runCancelSchema: Schema<RunCancel> = obj<RunCancel>({ runId, atUnixMs: unixMs, reason: str({ maxLength: 1000 }) });

export const runProgressSchema: Schema<RunProgress> = obj<RunProgress>({
  runId,
  host,
  atUnixMs: unixMs,
  state: oneOf(PROGRESS_STATES),
  packets: count,
  bytes: count,
  outOfOrder: count,
});

export const errorInfoSchema: Schema<ErrorInfo> = obj<ErrorInfo>({
  code: str({ pattern: /^[A-Z0-9]+_ERR_[A-Z0-9_]+$/, what: 'an error code like AGENT_ERR_X' }),
  message: str({ maxLength: 2000 }),
});

export const runHostResultSchema: Schema<RunHostResult> = refine(
  obj<RunHostResult>({
    runId,
    host,
    status: oneOf(RESULT_STATUSES),
    packets: count,
    bytes: count,
    outOfOrder: count,
    startedAtUnixMs: nullable(unixMs),
    finishedAtUnixMs: unixMs,
    error: opt(errorInfoSchema),
  }),
  (r) => (r.status === 'failed' && !r.error ? 'a failed result must carry its error' : undefined),
);
