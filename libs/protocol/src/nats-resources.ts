/**
 * The JetStream resources every service agrees on: names, subjects and limits, as plain data
 * so this package stays free of the NATS client. Each service's NATS edge turns these into
 * `jsm.streams.add` / `Kvm.create` / `Objm.create` calls. `replicas` is 1 on one server and
 * 3 on the cluster in infra/nats (issue 6, "Scale-out").
 *
 * Limits avoid features nats-server 2.9 lacks (per-message TTL, stream metadata,
 * compression): only max_age, max_bytes and history, which 2.9 honours.
 */
import { SUBJECTS } from './fleet-subjects.ts';

const DAY_MS = 24 * 60 * 60 * 1000;

export const NATS_RESOURCE_NAMES = {
  /** KV: key = host name, value = HostRegistration, rewritten at every heartbeat. */
  hostsBucket: 'memoco-hosts',
  /** Object store: object name = model id (SHA-256 hex of the ONNX bytes). */
  modelsBucket: 'memoco-models',
  /** Stream of assignments, cancels and agent reports. */
  runsStream: 'MEMOCO_RUNS',
  /** Stream of model announcements. */
  modelsStream: 'MEMOCO_MODELS',
  /** The durable consumer every controller shares on MEMOCO_RUNS (reports only). */
  controllerConsumer: 'memoco-controller-reports',
} as const;

export interface StreamSpec {
  name: string;
  subjects: string[];
  maxAgeMs: number;
  maxBytes: number;
  /**
   * Messages kept per subject. 1 on both streams: every subject names one run and host (or
   * one model), so the stream keeps each assignment, cancel and result, and only the latest
   * progress of each host: its size grows with runs x hosts, not with run time.
   */
  maxMsgsPerSubject: number;
  replicas: number;
}

export interface KvBucketSpec {
  bucket: string;
  /** Entries not rewritten for this long vanish (a host that stopped for good). */
  ttlMs: number;
  history: number;
  replicas: number;
}

export interface ObjectBucketSpec {
  bucket: string;
  maxBytes: number;
  replicas: number;
  description: string;
}

export interface NatsResourceSpecs {
  runsStream: StreamSpec;
  modelsStream: StreamSpec;
  hostsBucket: KvBucketSpec;
  modelsBucket: ObjectBucketSpec;
}

export interface NatsResourceOptions {
  /** JetStream replicas of every stream and bucket: 1 on one server, 3 on the cluster. */
  replicas: number;
  /** How long run messages are kept (a controller that was down catches up within it). */
  runsMaxAgeMs: number;
  /** Byte cap of the model object store (-1: unlimited). */
  modelsMaxBytes: number;
  /** How long a host that stopped heartbeating stays in the registry. */
  hostTtlMs: number;
}

export const DEFAULT_NATS_RESOURCE_OPTIONS: NatsResourceOptions = {
  replicas: 1,
  runsMaxAgeMs: 7 * DAY_MS,
  modelsMaxBytes: -1,
  hostTtlMs: 10 * 60 * 1000,
};

export function natsResourceSpecs(options: Partial<NatsResourceOptions> = {}): NatsResourceSpecs {
  const o = { ...DEFAULT_NATS_RESOURCE_OPTIONS, ...options };
  return {
    runsStream: { name: NATS_RESOURCE_NAMES.runsStream, subjects: [SUBJECTS.runsAll], maxAgeMs: o.runsMaxAgeMs, maxBytes: -1, maxMsgsPerSubject: 1, replicas: o.replicas },
    modelsStream: { name: NATS_RESOURCE_NAMES.modelsStream, subjects: [SUBJECTS.modelsAll], maxAgeMs: 0, maxBytes: -1, maxMsgsPerSubject: 1, replicas: o.replicas },
    hostsBucket: { bucket: NATS_RESOURCE_NAMES.hostsBucket, ttlMs: o.hostTtlMs, history: 1, replicas: o.replicas },
    modelsBucket: { bucket: NATS_RESOURCE_NAMES.modelsBucket, maxBytes: o.modelsMaxBytes, replicas: o.replicas, description: 'Memoco flow models (ONNX), named by the SHA-256 of their bytes' },
  };
}

/**
 * nats-server's default max_payload (1 MiB). infra/nats raises it to 8 MiB; a service that
 * knows the server's value (from the INFO it received) passes that instead.
 */
export const DEFAULT_MAX_PAYLOAD_BYTES = 1024 * 1024;

/** Header names of errors carried over NATS (see error-headers.ts). */
export const ERROR_HEADERS = {
  code: 'Memoco-Error-Code',
  message: 'Memoco-Error-Message',
  /** The NATS micro-service convention, set too so generic tools show the failure. */
  serviceCode: 'Nats-Service-Error-Code',
  serviceMessage: 'Nats-Service-Error',
} as const;
