/**
 * The body of `POST /v1/runs` (issue 6: "a model, hosts (names or a count), duration, rate
 * and seed"), validated with the protocol's schema helper:
 *
 *   { "model": "<sha256>", "hosts": ["tx-1","tx-2"] | 2, "durationS": 60,
 *     "rate": { "unit": "pps", "value": 1e6 } | { "unit": "scale", "value": 1 },
 *     "seed": 7, "port": 0, "startLeadMs": 2000 }
 */
import {
  HOST_NAME_PATTERN,
  MODEL_ID_PATTERN,
  MemocoError,
  arr,
  either,
  int,
  isMemocoError,
  num,
  obj,
  opt,
  refine,
  runRateSchema,
  str,
  type RunRate,
  type Schema,
} from '@memoco/protocol';

export interface RunRequest {
  model: string;
  hosts: string[] | number;
  durationS: number;
  rate: RunRate;
  seed?: number;
  port?: number;
  startLeadMs?: number;
}

const MAX_HOSTS = 10_000;

const runRequestSchema: Schema<RunRequest> = refine(
  obj<RunRequest>({
    model: str({ pattern: MODEL_ID_PATTERN, what: 'a model id (SHA-256 hex)' }),
    hosts: either(
      arr(str({ pattern: HOST_NAME_PATTERN, what: 'a host name' }), { minLength: 1, maxLength: MAX_HOSTS }),
      int({ min: 1, max: MAX_HOSTS }),
      `a list of host names or a host count 1..${MAX_HOSTS}`,
    ),
    durationS: num({ min: 0, exclusiveMin: true, max: 366 * 24 * 3600 }),
    rate: runRateSchema,
    seed: opt(int({ min: 0, max: 0xffffffff })),
    port: opt(int({ min: 0, max: 65535 })),
    startLeadMs: opt(int({ min: 0, max: 3_600_000 })),
  }),
  (r) => (Array.isArray(r.hosts) && new Set(r.hosts).size !== r.hosts.length ? 'hosts: a host is named twice' : undefined),
);

export function parseRunRequest(body: unknown): RunRequest {
  try {
    return runRequestSchema(body ?? null, 'body');
  } catch (error) {
    if (isMemocoError(error) && error.code === 'PROTOCOL_ERR_INVALID_MESSAGE') {
      throw new MemocoError('CONTROLLER_ERR_BAD_REQUEST', error.message, { status: 400 });
    }
    throw error;
  }
}
