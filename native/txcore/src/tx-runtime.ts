import { statSync } from 'node:fs';
import { MemocoError } from '@memoco/protocol';
import { ealArguments, parseEalOptions, type EalOptions } from './eal-options.ts';
import { isFailed, loadAddon, type NativeReplayConfig, type TxcoreAddon } from './native-binding.ts';
import { failureToError } from './native-failure.ts';
import { parseReplayOptions, type ReplayOptions, type ReplayOptionsInput } from './replay-options.ts';
import type { SynthesisOptions, SynthesisOptionsInput } from './synthesis-options.ts';
import { startSynthesisRun } from './synthesis-runtime.ts';
import { TxRun } from './tx-run.ts';
import { nativeTsConfig } from './ts-native-config.ts';
import { parseTsReplayOptions, type TsReplayOptions, type TsReplayOptionsInput } from './ts-replay-options.ts';
import { TsReplayRun } from './ts-replay-run.ts';

let current: TxRuntime | undefined;

/**
 * The process's DPDK runtime: EAL started once (design.md invariant) from options checked
 * here first, then any number of runs, one at a time, each hot-plugging its port.
 */
export class TxRuntime {
  private constructor(
    private readonly addon: TxcoreAddon,
    readonly options: EalOptions,
    readonly workerLcores: readonly number[],
    readonly tscHz: number,
  ) {}

  /**
   * Starts EAL, or returns the runtime already started when it can serve `input` (enough
   * worker lcores, same memory and PCI set); otherwise TXCORE_ERR_EAL_INIT.
   */
  static start(input: Partial<EalOptions> = {}): TxRuntime {
    const options = parseEalOptions(input);
    if (current) {
      const same = current.options.hugepages === options.hugepages && current.options.pciAllow.join() === options.pciAllow.join();
      if (same && current.workerLcores.length >= options.workerLcores) return current;
      throw new MemocoError('TXCORE_ERR_EAL_INIT', `EAL already runs in this process with other options (${current.workerLcores.length} worker lcores, hugepages ${current.options.hugepages}); it starts once per process`);
    }
    const addon = loadAddon();
    const info = addon.initEal(ealArguments(options), options.echoLogs);
    if (isFailed(info)) throw failureToError(info.error);
    current = new TxRuntime(addon, options, info.workerLcores, info.tscHz);
    return current;
  }

  /** The runtime of this process, if EAL was started. */
  static current(): TxRuntime | undefined {
    return current;
  }

  /** Starts an exact replay of a trace (issue 3); resolves through the returned run. */
  startReplay(input: ReplayOptionsInput | ReplayOptions): TxRun {
    const options = 'pacing' in input && typeof input.port === 'object' ? (input as ReplayOptions) : parseReplayOptions(input as ReplayOptionsInput);
    checkTrace(options.trace);
    const needed = options.cores + (options.drain === 'lcore' ? 1 : 0);
    if (needed > this.workerLcores.length) {
      throw new MemocoError('TXCORE_ERR_LCORES', `--cores ${options.cores}${options.drain === 'lcore' ? ' with a drain lcore' : ''} needs ${needed} worker lcores; EAL started with ${this.workerLcores.length}`);
    }
    const native = this.addon.startExactReplay(nativeConfig(options));
    if (isFailed(native)) throw failureToError(native.error, { file: options.trace });
    return new TxRun(native, options);
  }

  /** Starts a time-series replay of an archive (issue 5); resolves through the returned run. */
  startTsReplay(input: TsReplayOptionsInput | TsReplayOptions): TsReplayRun {
    const options = 'timing' in input ? (input as TsReplayOptions) : parseTsReplayOptions(input as TsReplayOptionsInput);
    const threads = options.tx + (options.ooo?.threads ?? 0);
    if (threads > this.workerLcores.length) {
      throw new MemocoError('TXCORE_ERR_LCORES', `--tx ${options.tx}${options.ooo ? ` + --ooo-threads ${options.ooo.threads}` : ''} needs ${threads} worker lcores; EAL started with ${this.workerLcores.length}`);
    }
    const native = this.addon.startTsReplay(nativeTsConfig(options));
    if (isFailed(native)) throw failureToError(native.error, { file: options.archive });
    return new TsReplayRun(native, options);
  }

  /** Regenerates a flow model's traffic through a port (issue 4; synthesis-runtime.ts). */
  startSynthesis(input: SynthesisOptionsInput | SynthesisOptions): Promise<TxRun> {
    return startSynthesisRun(this.addon, this.workerLcores.length, input);
  }
}

function checkTrace(path: string): void {
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch (error) {
    throw new MemocoError('TXCORE_ERR_TRACE_OPEN', `cannot open '${path}': ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { file: path });
  }
  if (!isFile) throw new MemocoError('TXCORE_ERR_TRACE_OPEN', `'${path}' is not a regular file`, { file: path });
}

export function nativeConfig(o: ReplayOptions): NativeReplayConfig {
  const p = o.pacing;
  const value = p.mode === 'speed' ? p.multiplier : p.mode === 'pps' ? p.pps : p.mode === 'mbps' ? p.mbps : 0;
  return {
    portDevargs: o.port.devargs,
    portName: o.port.name,
    txDescriptors: o.txDescriptors,
    cores: o.cores,
    order: o.order,
    drain: o.drain,
    ringSlots: o.ringSlots,
    burst: o.burst,
    lateThresholdNs: Math.round(o.lateUs * 1000),
    tracePath: o.trace,
    bufferBytes: o.bufferMb * 1024 * 1024,
    loops: o.loops,
    maxPackets: o.maxPackets ?? 0,
    tag: o.tag,
    leadUs: o.leadUs,
    pacingMode: p.mode,
    pacingValue: value,
  };
}
