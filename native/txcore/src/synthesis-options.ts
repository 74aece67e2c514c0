import { loadFlowModel, MAX_DURATION_S, rowCount, type LoadedModel } from '@memoco/flow-model';
import { MemocoError } from '@memoco/protocol';
import { parsePortSpec, type PortSpec } from './port-spec.ts';
import { COUNT_SOURCES, type CountSourceOption } from './synthesis-count-source.ts';
import { DEFAULT_REPLAY_OPTIONS, DRAIN_MODES, MAX_CORES, parsePacing, type DrainMode } from './replay-options.ts';

/** When synthesised packets are due (issue 4: `--speed X | --pps N | --topspeed`). */
export type SynthesisPacing = { mode: 'speed'; multiplier: number } | { mode: 'pps'; pps: number } | { mode: 'topspeed' };

/**
 * A model-synthesis run (docs/txcore.md "Model synthesis"): regenerate a flow model's
 * traffic for `durationS` from `seed`, and send it through `port` on `cores` generation
 * cores in one global order. The same model, seed and duration give the same packets as
 * `memoco generate -o` writes, byte for byte and in the same order.
 */
export interface SynthesisOptions {
  model: LoadedModel;
  /** Model rows per generation core (a fleet host's shard); rows in none are not sent here. */
  coreRows: Uint32Array[] | undefined;
  port: PortSpec;
  cores: number;
  /** Seconds of traffic; undefined = the trained window. Past it the window repeats. */
  durationS: number | undefined;
  seed: number;
  pacing: SynthesisPacing;
  /** The 24-byte sequence trailer (tag-format.ts) at the end of every frame. */
  tag: boolean;
  /** Wall-clock time (ms since the epoch) at which t = 0 is due; undefined: as soon as ready. */
  startAtUnixMs: number | undefined;
  /**
   * The run ends after this many packets, the first in the global order; undefined: when the
   * duration's are sent. A pps run of D seconds sends exactly ceil(pps x D) with it.
   */
  maxPackets: number | undefined;
  drain: DrainMode;
  ringSlots: number;
  burst: number;
  leadUs: number;
  lateUs: number;
  txDescriptors: number;
  /** Descriptors per feeder batch (4 batches). */
  batchDescs: number;
  /**
   * Bins per ONNX inference call (PlanBuilder); the packets do not depend on it. Default:
   * about CHUNK_ROWS (row, bin) pairs per call, so a dense model's chunks stay small (each
   * is garbage for V8 afterwards: peak RSS) and a sparse one's calls stay few (each costs).
   */
  chunkBins: number;
  /**
   * Expected counts: `auto` evaluates the count graph natively when the model file is the
   * standard graph (synthesis-count-source.ts), else runs onnxruntime; `onnxruntime` always does.
   */
  counts: CountSourceOption;
}

/** What callers give (the fleet agent, the CLI): the rate as separate fields, exactly one. */
export interface SynthesisOptionsInput extends Partial<Omit<SynthesisOptions, 'model' | 'port' | 'pacing'>> {
  /** A loaded model, or the ONNX file's bytes. */
  model: LoadedModel | Uint8Array;
  port: string | PortSpec;
  speed?: number;
  pps?: number;
  topspeed?: boolean;
}

export const DEFAULT_SYNTHESIS_OPTIONS = {
  cores: 1,
  seed: 1,
  pacing: { mode: 'speed', multiplier: 1 } as SynthesisPacing,
  tag: false,
  drain: DEFAULT_REPLAY_OPTIONS.drain,
  ringSlots: DEFAULT_REPLAY_OPTIONS.ringSlots,
  burst: DEFAULT_REPLAY_OPTIONS.burst,
  leadUs: DEFAULT_REPLAY_OPTIONS.leadUs,
  lateUs: DEFAULT_REPLAY_OPTIONS.lateUs,
  txDescriptors: DEFAULT_REPLAY_OPTIONS.txDescriptors,
  batchDescs: 16384,
  counts: COUNT_SOURCES.auto as CountSourceOption,
} as const satisfies Omit<SynthesisOptions, 'model' | 'port' | 'coreRows' | 'durationS' | 'startAtUnixMs' | 'maxPackets' | 'chunkBins'>;

/** (row, bin) pairs one inference call should cover by default. */
export const CHUNK_ROWS = 65536;

/** CHUNK_ROWS / (rows active in a bin, on average), within 16 .. 2048 bins. */
export function defaultChunkBins(model: LoadedModel): number {
  const t = model.model.tables;
  let spans = 0;
  for (let r = 0; r < t.kind.length; r++) if (t.packets[r]! > 0) spans += t.lastBin[r]! - t.startBin[r]! + 1;
  const activePerBin = Math.max(1, spans / model.model.info.windowBins);
  return Math.min(2048, Math.max(16, Math.round(CHUNK_ROWS / activePerBin)));
}

function bad(message: string): MemocoError {
  return new MemocoError('TXCORE_ERR_BAD_OPTION', message);
}

function integerIn(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) throw bad(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  return value;
}

function toLoadedModel(model: LoadedModel | Uint8Array): LoadedModel {
  if (model instanceof Uint8Array) return loadFlowModel(model); // FLOWMODEL_ERR_BAD_MODEL when it is not one
  if (!model || typeof model !== 'object' || !model.model || !(model.bytes instanceof Uint8Array)) throw bad('model must be a LoadedModel (@memoco/flow-model) or the ONNX bytes');
  return model;
}

/** Each row on at most one core, every index a row of the model (a RunAssignment's cores[].flows). */
function checkCoreRows(coreRows: Uint32Array[], cores: number, rows: number): Uint32Array[] {
  if (!Array.isArray(coreRows) || coreRows.length !== cores) throw bad(`coreRows must hold one Uint32Array per core (${cores}), got ${Array.isArray(coreRows) ? coreRows.length : typeof coreRows}`);
  const seen = new Uint8Array(rows);
  coreRows.forEach((list, core) => {
    if (!(list instanceof Uint32Array)) throw bad(`coreRows[${core}] must be a Uint32Array`);
    for (const row of list) {
      if (row >= rows) throw bad(`coreRows[${core}] names row ${row}; the model has ${rows}`);
      if (seen[row]) throw bad(`row ${row} is in coreRows twice: each row (flow) is bound to one core`);
      seen[row] = 1;
    }
  });
  return coreRows;
}

/** Exactly one rate, as replay's parsePacing, but --mbps has no meaning for a model here. */
function synthesisPacing(input: SynthesisOptionsInput & { mbps?: unknown }): SynthesisPacing {
  if (input.mbps !== undefined) throw bad('model synthesis is paced by --speed, --pps or --topspeed (no --mbps)');
  const pacing = parsePacing({ speed: input.speed, pps: input.pps, topspeed: input.topspeed });
  if (pacing.mode === 'mbps') throw bad('model synthesis is paced by --speed, --pps or --topspeed (no --mbps)');
  return pacing;
}

export function parseSynthesisOptions(input: SynthesisOptionsInput): SynthesisOptions {
  const d = DEFAULT_SYNTHESIS_OPTIONS;
  const model = toLoadedModel(input.model);
  const cores = integerIn('--cores', input.cores ?? d.cores, 1, MAX_CORES);
  const durationS = input.durationS;
  if (durationS !== undefined && (!Number.isFinite(durationS) || durationS <= 0 || durationS > MAX_DURATION_S)) throw bad(`--duration must be > 0 and at most ${MAX_DURATION_S} s, got ${durationS}`);
  const startAtUnixMs = input.startAtUnixMs;
  if (startAtUnixMs !== undefined && (!Number.isFinite(startAtUnixMs) || startAtUnixMs <= 0)) throw bad(`startAtUnixMs must be a time in ms since the epoch, got ${startAtUnixMs}`);
  const maxPackets = input.maxPackets === undefined ? undefined : integerIn('maxPackets', input.maxPackets, 1, Number.MAX_SAFE_INTEGER);
  const drain = input.drain ?? d.drain;
  if (!Object.values(DRAIN_MODES).includes(drain)) throw bad(`drain must be 'flush' or 'lcore', got '${drain}'`);
  const ringSlots = integerIn('ringSlots', input.ringSlots ?? d.ringSlots, 64, 1 << 16);
  if ((ringSlots & (ringSlots - 1)) !== 0) throw bad(`ringSlots must be a power of two, got ${ringSlots}`);
  return {
    model,
    coreRows: input.coreRows === undefined ? undefined : checkCoreRows(input.coreRows, cores, rowCount(model.model)),
    port: typeof input.port === 'string' ? parsePortSpec(input.port) : input.port,
    cores,
    durationS,
    seed: integerIn('--seed', input.seed ?? d.seed, 0, 0xffffffff),
    pacing: synthesisPacing(input),
    tag: input.tag ?? d.tag,
    startAtUnixMs,
    maxPackets,
    drain,
    ringSlots,
    burst: integerIn('burst', input.burst ?? d.burst, 1, 64),
    leadUs: integerIn('leadUs', input.leadUs ?? d.leadUs, 0, 1_000_000),
    lateUs: nonNegative('--late-us', input.lateUs ?? d.lateUs),
    txDescriptors: integerIn('txDescriptors', input.txDescriptors ?? d.txDescriptors, 64, 16384),
    batchDescs: integerIn('batchDescs', input.batchDescs ?? d.batchDescs, 64, 1 << 22),
    chunkBins: integerIn('chunkBins', input.chunkBins ?? defaultChunkBins(model), 1, 1 << 20),
    counts: countSource(input.counts ?? d.counts),
  };
}

function countSource(value: string): CountSourceOption {
  if (!Object.values(COUNT_SOURCES).includes(value as CountSourceOption)) throw bad(`counts must be 'auto' or 'onnxruntime', got '${value}'`);
  return value as CountSourceOption;
}

function nonNegative(name: string, value: number): number {
  if (!Number.isFinite(value) || value < 0) throw bad(`${name} must be a number >= 0, got ${value}`);
  return value;
}
