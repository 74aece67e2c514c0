import { MemocoError } from '@memoco/protocol';
import { parsePortSpec, type PortSpec } from './port-spec.ts';

/** When packets are due (issue 3): exactly one of original timing x speed, pps, Mbit/s, topspeed. */
export type Pacing =
  | { mode: 'speed'; multiplier: number }
  | { mode: 'pps'; pps: number }
  | { mode: 'mbps'; mbps: number }
  | { mode: 'topspeed' };

/**
 * Who hands ring blocks to the port (design.md "who drains"). Measured here (docs/txcore.md,
 * 64 B, 1 core): flush 30 Mpps on net_null and 0.70 Mpps on net_af_packet; a dedicated
 * drain lcore 10 and 0.69 Mpps (it needs a CPU of its own, which a 2-CPU host lacks).
 */
export const DRAIN_MODES = { FLUSH: 'flush', LCORE: 'lcore' } as const;
export type DrainMode = (typeof DRAIN_MODES)[keyof typeof DRAIN_MODES];

/**
 * What order a replay keeps (issue 3; design.md "The sequence guarantee"): 'global' (the
 * default) sends every packet in the one global order through one TX queue; 'flow' gives
 * each core its own TX queue, so only each flow's order holds (the NIC, or the kernel,
 * interleaves the queues) but the queues' sending runs in parallel.
 */
export const ORDER_MODES = { GLOBAL: 'global', FLOW: 'flow' } as const;
export type OrderMode = (typeof ORDER_MODES)[keyof typeof ORDER_MODES];

export interface ReplayOptions {
  trace: string;
  port: PortSpec;
  /** Generation cores; each flow is bound to one of them. */
  cores: number;
  /** Global order through one TX queue, or per-flow order with a queue per core. */
  order: OrderMode;
  pacing: Pacing;
  /** Times through the trace, timeline continued; 0 repeats until stopped. */
  loops: number;
  /** End after this many packets (across loops), the first of the trace's order; undefined: all. */
  maxPackets: number | undefined;
  /** Write the sequence trailer (tag-format.ts) into every packet. */
  tag: boolean;
  /** Size of EACH of the two trace buffers. */
  bufferMb: number;
  drain: DrainMode;
  /** Slots in the sequence ring (a power of two). */
  ringSlots: number;
  /** Packets per rte_eth_tx_burst. */
  burst: number;
  /** Paced: build a packet at most this long before it is due. */
  leadUs: number;
  /** A packet sent more than this after its due time counts as late. */
  lateUs: number;
  txDescriptors: number;
}

/** What callers give: the rate as separate fields, like the command line. */
export interface ReplayOptionsInput extends Partial<Omit<ReplayOptions, 'trace' | 'port' | 'pacing'>> {
  trace: string;
  port: string | PortSpec;
  speed?: number;
  pps?: number;
  mbps?: number;
  topspeed?: boolean;
}

export const DEFAULT_REPLAY_OPTIONS = {
  cores: 1,
  order: ORDER_MODES.GLOBAL as OrderMode,
  pacing: { mode: 'speed', multiplier: 1 } as Pacing,
  loops: 1,
  maxPackets: undefined,
  tag: false,
  bufferMb: 64,
  drain: DRAIN_MODES.FLUSH as DrainMode,
  ringSlots: 2048,
  burst: 32,
  leadUs: 100,
  lateUs: 10,
  txDescriptors: 1024,
} as const satisfies Omit<ReplayOptions, 'trace' | 'port'>;

export const MAX_CORES = 64; // kMaxCores in trace-streamer.h

function bad(message: string): MemocoError {
  return new MemocoError('TXCORE_ERR_BAD_OPTION', message);
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw bad(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

function positive(name: string, value: number): number {
  if (!Number.isFinite(value) || value <= 0) throw bad(`${name} must be a number > 0, got ${value}`);
  return value;
}

/** Exactly one rate; none means original timing (speed 1), as tcpreplay does. */
export function parsePacing(input: Pick<ReplayOptionsInput, 'speed' | 'pps' | 'mbps' | 'topspeed'>): Pacing {
  const given = (['speed', 'pps', 'mbps', 'topspeed'] as const).filter((k) => input[k] !== undefined && input[k] !== false);
  if (given.length > 1) {
    throw new MemocoError('TXCORE_ERR_RATE_CONFLICT', `give one rate, not ${given.map((k) => `--${k}`).join(' and ')} (--speed X | --pps N | --mbps N | --topspeed)`);
  }
  if (input.topspeed) return { mode: 'topspeed' };
  if (input.speed !== undefined) return { mode: 'speed', multiplier: positive('--speed', input.speed) };
  if (input.pps !== undefined) return { mode: 'pps', pps: positive('--pps', input.pps) };
  if (input.mbps !== undefined) return { mode: 'mbps', mbps: positive('--mbps', input.mbps) };
  return DEFAULT_REPLAY_OPTIONS.pacing;
}

export function parseReplayOptions(input: ReplayOptionsInput): ReplayOptions {
  if (typeof input.trace !== 'string' || input.trace === '') throw bad('a trace file is required');
  const d = DEFAULT_REPLAY_OPTIONS;
  const ringSlots = integerIn('ringSlots', input.ringSlots ?? d.ringSlots, 64, 1 << 16);
  if ((ringSlots & (ringSlots - 1)) !== 0) throw bad(`ringSlots must be a power of two, got ${ringSlots}`);
  const drain = input.drain ?? d.drain;
  if (!Object.values(DRAIN_MODES).includes(drain)) throw bad(`drain must be 'flush' or 'lcore', got '${drain}'`);
  const order = input.order ?? d.order;
  if (!Object.values(ORDER_MODES).includes(order)) throw bad(`order must be 'global' or 'flow', got '${order}'`);
  if (order === 'flow' && drain === 'lcore') throw bad("--order flow drains each core's own queue from that core: --drain lcore does not apply");
  const cores = integerIn('--cores', input.cores ?? d.cores, 1, MAX_CORES);
  const port = withQueues(typeof input.port === 'string' ? parsePortSpec(input.port) : input.port, order === 'flow' ? cores : 1);
  return {
    trace: input.trace,
    port,
    cores,
    order,
    pacing: parsePacing(input),
    loops: integerIn('--loop', input.loops ?? d.loops, 0, 2 ** 31),
    maxPackets: input.maxPackets === undefined ? undefined : integerIn('--count', input.maxPackets, 1, Number.MAX_SAFE_INTEGER),
    tag: input.tag ?? d.tag,
    bufferMb: integerIn('--buffer-mb', input.bufferMb ?? d.bufferMb, 1, 4096),
    drain,
    ringSlots,
    burst: integerIn('burst', input.burst ?? d.burst, 1, 64),
    leadUs: integerIn('leadUs', input.leadUs ?? d.leadUs, 0, 1_000_000),
    lateUs: positiveOrZero('--late-us', input.lateUs ?? d.lateUs),
    txDescriptors: integerIn('txDescriptors', input.txDescriptors ?? d.txDescriptors, 64, 16384),
  };
}

/** net_af_packet makes its sockets at probe time: one per queue pair, so ask for enough. */
function withQueues(port: PortSpec, queues: number): PortSpec {
  if (queues <= 1 || port.driver !== 'net_af_packet' || 'qpairs' in port.args) return port;
  return { ...port, devargs: `${port.devargs},qpairs=${queues}`, args: { ...port.args, qpairs: String(queues) } };
}

function positiveOrZero(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw bad(`${name} must be a number >= 0, got ${value}`);
  return value;
}
