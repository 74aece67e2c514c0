import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemocoError } from '@memoco/protocol';
import type { FlowModelTables, PlanTemplates } from '@memoco/flow-model';
import type { NativeProfileFit, NativeTrainPassConstructor } from './native-train-pass.ts';

/** A native failure as the addon returns it (txcore-failure.h). */
export interface NativeFailure {
  stage: string;
  errno: number;
  message: string;
  offset?: number;
  record?: number;
}

export interface NativeCoreStats {
  core: number;
  packets: number;
  bytes: number;
  late: number;
  built: number;
  blocks: number;
  ringStalls: number;
  poolStalls: number;
  directBlocks: number;
}

export interface NativeSnapshot {
  cores: NativeCoreStats[];
  /** Non-empty lateness buckets: [lower bound in ns, packets]. */
  lateness: [number, number][];
  latenessMaxNs: number;
  seconds: number;
  running: boolean;
  figures: Record<string, number>;
  /** The engine's structured figures as JSON (time-series replay: per-flow counters). */
  detail?: string;
}

export interface NativeResult extends NativeSnapshot {
  /** mbufs not back in the reused pools after the run: 0 unless something leaks. */
  mbufsOutstanding?: number;
  failure: NativeFailure | null;
  stopped: boolean;
}

export interface NativeRun {
  stats(): NativeSnapshot;
  stop(): void;
  done(): Promise<NativeResult>;
}

export interface NativeEalInfo {
  mainLcore: number;
  workerLcores: number[];
  tscHz: number;
}

/** The flat config startExactReplay reads (napi-config.cc); built by tx-runtime.ts. */
export interface NativeReplayConfig {
  portDevargs: string;
  portName: string;
  txDescriptors: number;
  cores: number;
  order: 'global' | 'flow';
  drain: 'flush' | 'lcore';
  ringSlots: number;
  burst: number;
  lateThresholdNs: number;
  tracePath: string;
  bufferBytes: number;
  loops: number;
  /** 0: no limit. */
  maxPackets: number;
  tag: boolean;
  leadUs: number;
  pacingMode: 'topspeed' | 'speed' | 'pps' | 'mbps';
  pacingValue: number;
}

/** A flow as the ts-replay engine reads it (ts-replay-napi-config.cc): host-order IPv4 numbers, hex MACs. */
export interface NativeTsFlow {
  srcMac: string;
  dstMac: string;
  srcIp: number;
  dstIp: number;
  srcPort: number;
  dstPort: number;
}

/** The flat config startTsReplay reads (ts-replay-napi-config.cc); built by tx-runtime.ts. */
export interface NativeTsReplayConfig {
  portDevargs: string;
  portName: string;
  txDescriptors: number;
  ringSlots: number;
  burst: number;
  lateThresholdNs: number;
  archivePath: string;
  bufferBytes: number;
  workers: number;
  queueSlots: number;
  tx: number;
  oooThreads: number;
  timing: 'timestamps' | 'tight-loop';
  fastForward: number;
  tightLoopNs: number;
  /** -1: no drift window. */
  driftUs: number;
  oooProbability: number;
  oooWindowUs: number;
  seed: number;
  payload: 'data' | 'record';
  perFlow: boolean;
  leadUs: number;
  txPriority: 'auto' | 'realtime' | 'nice';
  flowRule: 'port-per-device' | 'single';
  base: NativeTsFlow;
  mappedFlows: NativeTsFlow[];
  /** `id`: the Device ID as 32 hex digits; `flow`: index into mappedFlows. */
  mappedDevices: { id: string; flow: number }[];
}

type Failed = { error: NativeFailure };

/** The flat config startSynthesis reads (napi-synthesis.cc readRun); built by synthesis-runtime.ts. */
export interface NativeSynthesisConfig {
  portDevargs: string;
  portName: string;
  txDescriptors: number;
  cores: number;
  drain: 'flush' | 'lcore';
  ringSlots: number;
  burst: number;
  lateThresholdNs: number;
  leadUs: number;
  batchDescs: number;
  /** 0: start as soon as ready. */
  startAtUnixMs: number;
  /** 0: no limit. */
  maxPackets: number;
  pacingMode: 'topspeed' | 'speed' | 'pps';
  pacingValue: number;
}

/**
 * The regeneration plan as startSynthesis copies it (synthesis-plan.ts builds it): the
 * plan's templates, each row's instance, and for count planning (synth-planner.h,
 * PlanBuilder's native twin) the model's own count and class tables.
 */
export interface NativeSynthesisPlan
  extends Omit<PlanTemplates, 'count'>,
    Pick<FlowModelTables, 'kind' | 'startBin' | 'lastBin' | 'binsPerCoef' | 'coefBase' | 'coefCount' | 'coef' | 'profile' | 'memberSizeOffset' | 'memberSizeBucket'> {
  seed: number;
  binNs: number;
  windowBins: number;
  totalBins: number;
  endNs: number;
  tag: boolean;
  cores: number;
  rows: number;
  rowTemplate: Uint32Array;
  rowVariant: Uint32Array;
  rowPackets: Float64Array;
  rowReverse: Float64Array;
  rowStartNs: Float64Array;
  rowEndNs: Float64Array;
  /** Generation core of each row, 0xffff for rows this host does not send. */
  rowCore: Uint16Array;
  chunkBins: number;
  /** Evaluate the count graph natively (the model file is the standard graph); else pushCounts brings onnxruntime's output. */
  nativeCounts: boolean;
  profileShift: number;
  /** The model's packets and reverse packets per window of each row. */
  modelPackets: Float64Array;
  modelReverse: Float64Array;
  /** Lanes of each class row (max(1, round(concurrency))); 0 for flows. */
  lanes: Uint32Array;
  /** Running totals of memberSizeWeight within each class's list. */
  memberSizeCum: Uint32Array;
}

/** A synthesis run: a NativeRun fed chunk by chunk with expected counts (or told to evaluate them). */
export interface NativeSynthesisRun extends NativeRun {
  /**
   * Plans bins [first, last) (the next of chunkSpans) natively into the queue, from `counts`
   * (onnxruntime's output for chunkPairs(first, last)) or, without it, from the count graph
   * evaluated natively. true: queued; false: full (await waitRoom()) or closed.
   */
  pushCounts(first: number, last: number, counts?: Float32Array): boolean | Failed;
  /** Settles true when a queue slot is free, false once the run is over. */
  waitRoom(): Promise<boolean>;
  endInput(): void;
  abortInput(message: string): void;
}

export interface TxcoreAddon {
  initEal(args: string[], echoLogs: boolean): NativeEalInfo | Failed;
  startExactReplay(config: NativeReplayConfig): NativeRun | Failed;
  startTsReplay(config: NativeTsReplayConfig): NativeRun | Failed;
  startSynthesis(config: NativeSynthesisConfig, plan: NativeSynthesisPlan): NativeSynthesisRun | Failed;
  /** The training pass (napi-train-pass.cc; native-train-pass.ts wraps it). */
  TrainPass: NativeTrainPassConstructor;
  /** The fit of a training attempt (train-fit.cc). */
  fitRowsToProfile: NativeProfileFit;
}

export function isFailed(value: unknown): value is Failed {
  return typeof value === 'object' && value !== null && 'error' in value;
}

export const ADDON_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'build', 'Release', 'txcore.node');

let loaded: TxcoreAddon | undefined;

/**
 * Loads the addon once. A missing build and missing DPDK libraries are told apart, since
 * the fixes differ (build it, or install Debian's dpdk).
 */
export function loadAddon(path: string = ADDON_PATH): TxcoreAddon {
  if (loaded && path === ADDON_PATH) return loaded;
  try {
    const addon = createRequire(import.meta.url)(path) as TxcoreAddon;
    if (path === ADDON_PATH) loaded = addon;
    return addon;
  } catch (error) {
    throw classifyLoadError(error, path);
  }
}

export function classifyLoadError(error: unknown, path: string): MemocoError {
  const message = error instanceof Error ? error.message : String(error);
  const library = /(lib(?:rte_|dpdk)[^:\s]*): cannot open shared object file/.exec(message);
  if (library) {
    return new MemocoError('TXCORE_ERR_DPDK_MISSING', `DPDK runtime library ${library[1]} cannot be loaded: install the Debian package dpdk (infra/setup.sh does)`, { cause: error });
  }
  if ((error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' || /cannot open shared object file|Cannot find module/.test(message)) {
    return new MemocoError('TXCORE_ERR_ADDON_MISSING', `the native addon is not built (${path}): run npm run build:native`, { cause: error });
  }
  return new MemocoError('TXCORE_ERR_ADDON_MISSING', `the native addon could not be loaded: ${message.split('\n')[0]}`, { cause: error });
}
