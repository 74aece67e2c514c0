import { availableParallelism } from 'node:os';
import { MemocoError } from '@memoco/protocol';
import { parsePortSpec, type PortSpec } from './port-spec.ts';

/**
 * Options of time-series replay (issue 5; paper 2, sections V.B and V.C), validated here
 * before anything crosses into C++ (ts-replay-napi-config.cc reads the result).
 *
 * Threads: one IO thread (the only count that works: each chunk is cut after its last
 * whole record, so the next read cannot start before that cut), `workers` worker threads
 * and `tx` TX threads, plus `ooo.threads` out-of-order TX threads. Defaults for this kind
 * of 2-CPU host: 1 worker and 1 TX thread. The TX thread spins close to each due time and
 * keeps one CPU; the IO thread, the worker and Node's event loop share the other (a worker
 * decodes and queues a record in ~50 ns, so one keeps up with a TX thread); a second TX
 * thread would compete with them for that CPU (measured in docs/timeseries.md).
 */
export const TS_TIMING_MODES = { TIMESTAMPS: 'timestamps', TIGHT_LOOP: 'tight-loop' } as const;
export type TsTimingMode = (typeof TS_TIMING_MODES)[keyof typeof TS_TIMING_MODES];

/** When records are due: their timestamps (scaled by 1/fastForward), or n x intervalNs. */
export type TsTiming = { mode: 'timestamps'; fastForward: number } | { mode: 'tight-loop'; intervalNs: number };

/** What a record puts in its UDP payload: its Data field (default) or the whole record. */
export const TS_PAYLOADS = { DATA: 'data', RECORD: 'record' } as const;
export type TsPayload = (typeof TS_PAYLOADS)[keyof typeof TS_PAYLOADS];

/**
 * How TX threads are scheduled (needs root or CAP_SYS_NICE, else they keep their priority):
 * 'realtime' SCHED_FIFO 1, 'nice' nice -20, 'auto' (default) SCHED_FIFO when every TX
 * thread gets a CPU of its own and one CPU is left for the IO and worker threads, else
 * nice -20. On this loaded 2-CPU host nice -20 still lost whole 4 ms ticks to neighbours.
 */
export const TS_TX_PRIORITIES = { AUTO: 'auto', REALTIME: 'realtime', NICE: 'nice' } as const;
export type TsTxPriority = (typeof TS_TX_PRIORITIES)[keyof typeof TS_TX_PRIORITIES];

function parseTxPriority(p: TsTxPriority): TsTxPriority {
  if (!Object.values(TS_TX_PRIORITIES).includes(p)) throw bad(`--tx-priority must be 'auto', 'realtime' or 'nice', got '${p}'`);
  return p;
}

/** How devices the flow map does not name get their 5-tuple. */
export const TS_FLOW_RULES = { PORT_PER_DEVICE: 'port-per-device', SINGLE: 'single' } as const;
export type TsFlowRule = (typeof TS_FLOW_RULES)[keyof typeof TS_FLOW_RULES];

/** A UDP flow: addresses, ports and the Ethernet addresses of its frames. */
export interface TsFlowTuple {
  srcIp: string;
  srcPort: number;
  dstIp: string;
  dstPort: number;
  srcMac: string;
  dstMac: string;
}

/** Device ID -> flow (libs/tsarchive's parseFlowMap makes one from map.json). */
export interface TsFlowMap {
  flows: TsFlowTuple[];
  /** `id`: the 16-byte Device ID; `flow`: an index into `flows`. */
  devices: { device: string; id: Uint8Array; flow: number }[];
}

export interface TsOutOfOrder {
  probability: number;
  windowUs: number;
  threads: number;
}

export interface TsReplayOptions {
  archive: string;
  port: PortSpec;
  io: number;
  workers: number;
  tx: number;
  timing: TsTiming;
  /** Drifted time window T_d in us; null: no window (nothing is dropped). */
  driftUs: number | null;
  ooo: TsOutOfOrder | null;
  /** Seed of the out-of-order choices and delays. */
  seed: number;
  flowRule: TsFlowRule;
  /** The rule's flow (port-per-device adds the device's number to srcPort). */
  base: TsFlowTuple;
  flowMap: TsFlowMap | null;
  payload: TsPayload;
  perFlow: boolean;
  /** Size of EACH buffer; a worker has two. */
  bufferMb: number;
  /** Descriptors per MPMC queue (a power of two). */
  queueSlots: number;
  ringSlots: number;
  burst: number;
  txDescriptors: number;
  /** Frames are built at most this long before they are due. */
  leadUs: number;
  /** A record sent more than this after its due time counts as late. */
  lateUs: number;
  /** Scheduling of the TX threads (ts-thread-placement.h): 'auto' is SCHED_FIFO when they can be pinned with a CPU to spare. */
  txPriority: TsTxPriority;
}

/** What callers give: each option like the command line. */
export interface TsReplayOptionsInput {
  archive: string;
  port: string | PortSpec;
  io?: number;
  workers?: number;
  tx?: number;
  tightLoopNs?: number;
  fastForward?: number;
  driftUs?: number;
  oooProbability?: number;
  oooWindowUs?: number;
  oooThreads?: number;
  seed?: number;
  flowRule?: TsFlowRule;
  /** `IP` or `IP:PORT` (the port is the rule's base source port). */
  src?: string;
  /** `IP:PORT`. */
  dst?: string;
  srcMac?: string;
  dstMac?: string;
  flowMap?: TsFlowMap;
  payload?: TsPayload;
  perFlow?: boolean;
  bufferMb?: number;
  queueSlots?: number;
  ringSlots?: number;
  burst?: number;
  txDescriptors?: number;
  leadUs?: number;
  lateUs?: number;
  txPriority?: TsTxPriority;
}

export const DEFAULT_TS_REPLAY_OPTIONS = {
  io: 1,
  workers: 1,
  tx: 1,
  timing: { mode: 'timestamps', fastForward: 1 } as TsTiming,
  seed: 1,
  flowRule: TS_FLOW_RULES.PORT_PER_DEVICE as TsFlowRule,
  base: { srcIp: '10.0.0.1', srcPort: 10000, dstIp: '10.0.0.2', dstPort: 9000, srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02' } as TsFlowTuple,
  payload: TS_PAYLOADS.DATA as TsPayload,
  perFlow: false,
  bufferMb: 64,
  queueSlots: 65536,
  ringSlots: 2048,
  burst: 32,
  txDescriptors: 1024,
  leadUs: 5,
  lateUs: 10,
  txPriority: 'auto' as TsTxPriority,
} as const;

export const MAX_TS_WORKERS = 16; // kTsMaxWorkers in ts-record-pipeline.h
export const MAX_TS_TX_THREADS = Math.max(8, availableParallelism());

function bad(message: string): MemocoError {
  return new MemocoError('TXCORE_ERR_BAD_OPTION', message);
}

function conflict(message: string): MemocoError {
  return new MemocoError('TXCORE_ERR_OPTION_CONFLICT', message);
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw bad(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

function powerOfTwo(name: string, value: number, min: number, max: number): number {
  integerIn(name, value, min, max);
  if ((value & (value - 1)) !== 0) throw bad(`${name} must be a power of two, got ${value}`);
  return value;
}

/** One timing: time-conforming (optionally fast-forwarded) or a tight loop. */
export function parseTsTiming(input: Pick<TsReplayOptionsInput, 'tightLoopNs' | 'fastForward'>): TsTiming {
  if (input.tightLoopNs !== undefined && input.fastForward !== undefined) {
    throw conflict('give one timing, not --tight-loop-ns and --fast-forward (--fast-forward F scales the timestamps, --tight-loop-ns N ignores them)');
  }
  if (input.tightLoopNs !== undefined) return { mode: 'tight-loop', intervalNs: integerIn('--tight-loop-ns', input.tightLoopNs, 0, 1e12) };
  if (input.fastForward !== undefined) {
    if (!Number.isFinite(input.fastForward) || input.fastForward <= 0 || input.fastForward > 1e9) throw bad(`--fast-forward must be a number > 0 and <= 1e9, got ${input.fastForward}`);
    return { mode: 'timestamps', fastForward: input.fastForward };
  }
  return DEFAULT_TS_REPLAY_OPTIONS.timing;
}

/** Out-of-order simulation: all three numbers together, or none. */
export function parseTsOutOfOrder(input: Pick<TsReplayOptionsInput, 'oooProbability' | 'oooWindowUs' | 'oooThreads'>): TsOutOfOrder | null {
  if (input.oooProbability === undefined) {
    if (input.oooWindowUs !== undefined) throw conflict('--ooo-window-us needs --ooo-probability P (the share of records sent out of order)');
    if (input.oooThreads !== undefined) throw conflict('--ooo-threads needs --ooo-probability P (the share of records sent out of order)');
    return null;
  }
  const p = input.oooProbability;
  if (!Number.isFinite(p) || p <= 0 || p > 1) throw bad(`--ooo-probability must be a number > 0 and <= 1, got ${p}`);
  if (input.oooWindowUs === undefined) throw conflict('--ooo-probability needs --ooo-window-us W (an out-of-order record is sent up to W us late)');
  return {
    probability: p,
    windowUs: integerIn('--ooo-window-us', input.oooWindowUs, 1, 1_000_000),
    threads: integerIn('--ooo-threads', input.oooThreads ?? 1, 1, MAX_TS_TX_THREADS),
  };
}

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const MAC = /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i;

export function checkIpv4(name: string, ip: string): string {
  const m = IPV4.exec(ip);
  if (!m || m.slice(1).some((o) => Number(o) > 255)) throw bad(`${name}: '${ip}' is not an IPv4 address`);
  return ip;
}

/** `IP` or `IP:PORT` (port 0-65535); the port falls back to `fallback`. */
export function parseEndpoint(name: string, text: string, fallback: number): { ip: string; port: number } {
  const colon = text.lastIndexOf(':');
  const ip = colon >= 0 ? text.slice(0, colon) : text;
  const port = colon >= 0 ? Number(text.slice(colon + 1)) : fallback;
  if (!Number.isInteger(port) || port < 0 || port > 65535 || (colon >= 0 && text.slice(colon + 1) === '')) throw bad(`${name}: port in '${text}' must be 0-65535`);
  return { ip: checkIpv4(name, ip), port };
}

export function checkMac(name: string, mac: string): string {
  if (!MAC.test(mac)) throw bad(`${name}: '${mac}' is not a MAC address like 02:00:00:00:00:01`);
  return mac.toLowerCase();
}

function parseBase(input: TsReplayOptionsInput): TsFlowTuple {
  const d = DEFAULT_TS_REPLAY_OPTIONS.base;
  const src = input.src === undefined ? { ip: d.srcIp, port: d.srcPort } : parseEndpoint('--src', input.src, d.srcPort);
  const dst = input.dst === undefined ? { ip: d.dstIp, port: d.dstPort } : parseEndpoint('--dst', input.dst, d.dstPort);
  return {
    srcIp: src.ip, srcPort: src.port, dstIp: dst.ip, dstPort: dst.port,
    srcMac: checkMac('--src-mac', input.srcMac ?? d.srcMac), dstMac: checkMac('--dst-mac', input.dstMac ?? d.dstMac),
  };
}

function checkTuple(name: string, t: TsFlowTuple): TsFlowTuple {
  const port = (what: string, v: number) => integerIn(`${name} ${what}`, v, 0, 65535);
  return {
    srcIp: checkIpv4(name, t.srcIp), srcPort: port('srcPort', t.srcPort), dstIp: checkIpv4(name, t.dstIp), dstPort: port('dstPort', t.dstPort),
    srcMac: checkMac(name, t.srcMac), dstMac: checkMac(name, t.dstMac),
  };
}

/** A flow map given through the API is checked like the parsed file (libs/tsarchive parseFlowMap). */
function checkFlowMap(map: TsFlowMap | undefined): TsFlowMap | null {
  if (map === undefined) return null;
  const flows = map.flows.map((t, i) => checkTuple(`flow map flow ${i}`, t));
  const seen = new Set<string>();
  for (const d of map.devices) {
    if (!(d.id instanceof Uint8Array) || d.id.length !== 16) throw bad(`flow map device '${d.device}': id must be the 16-byte Device ID`);
    integerIn(`flow map device '${d.device}' flow`, d.flow, 0, flows.length - 1);
    const key = Buffer.from(d.id).toString('hex');
    if (seen.has(key)) throw bad(`flow map lists device '${d.device}' twice`);
    seen.add(key);
  }
  return { flows, devices: map.devices };
}

function parseThreads(input: TsReplayOptionsInput) {
  const d = DEFAULT_TS_REPLAY_OPTIONS;
  const io = input.io ?? d.io;
  if (io !== 1) {
    throw bad(`--io must be 1, got ${io}: one IO thread reads the archive front to back and cuts each chunk after its last whole record, so a second read cannot start before that cut (paper 2, V.B.3: one IO thread keeps up with the disk)`);
  }
  return { io, workers: integerIn('--workers', input.workers ?? d.workers, 1, MAX_TS_WORKERS), tx: integerIn('--tx', input.tx ?? d.tx, 1, MAX_TS_TX_THREADS) };
}

export function parseTsReplayOptions(input: TsReplayOptionsInput): TsReplayOptions {
  if (typeof input.archive !== 'string' || input.archive === '') throw bad('an archive file is required');
  const d = DEFAULT_TS_REPLAY_OPTIONS;
  const timing = parseTsTiming(input);
  let driftUs: number | null = null;
  if (input.driftUs !== undefined) {
    driftUs = integerIn('--drift-us', input.driftUs, 0, 3_600_000_000);
    if (timing.mode === 'tight-loop' && timing.intervalNs === 0) {
      throw conflict('--drift-us needs due times: --tight-loop-ns 0 makes every record due at the start, so all but the first microsecond\'s would be time violations');
    }
  }
  const flowRule = input.flowRule ?? d.flowRule;
  if (!Object.values(TS_FLOW_RULES).includes(flowRule)) throw bad(`--flow-rule must be 'port-per-device' or 'single', got '${flowRule}'`);
  const payload = input.payload ?? d.payload;
  if (!Object.values(TS_PAYLOADS).includes(payload)) throw bad(`--payload must be 'data' or 'record', got '${payload}'`);
  return {
    archive: input.archive,
    port: typeof input.port === 'string' ? parsePortSpec(input.port) : input.port,
    ...parseThreads(input),
    timing,
    driftUs,
    ooo: parseTsOutOfOrder(input),
    seed: integerIn('--seed', input.seed ?? d.seed, 0, Number.MAX_SAFE_INTEGER),
    flowRule,
    base: parseBase(input),
    flowMap: checkFlowMap(input.flowMap),
    payload,
    perFlow: input.perFlow ?? d.perFlow,
    bufferMb: integerIn('--buffer-mb', input.bufferMb ?? d.bufferMb, 1, 4095),
    queueSlots: powerOfTwo('queueSlots', input.queueSlots ?? d.queueSlots, 64, 1 << 22),
    ringSlots: powerOfTwo('ringSlots', input.ringSlots ?? d.ringSlots, 128, 1 << 16),
    burst: integerIn('burst', input.burst ?? d.burst, 1, 64),
    txDescriptors: integerIn('txDescriptors', input.txDescriptors ?? d.txDescriptors, 64, 16384),
    leadUs: integerIn('leadUs', input.leadUs ?? d.leadUs, 0, 1000),
    lateUs: integerIn('--late-us', input.lateUs ?? d.lateUs, 0, 1_000_000_000),
    txPriority: parseTxPriority(input.txPriority ?? d.txPriority),
  };
}
