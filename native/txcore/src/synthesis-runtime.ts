/**
 * Starts a model-synthesis run (issue 4: "ONNX inference gives counts per flow and bin; the
 * native engine expands them into packets ... and sends them with the sequence guarantee
 * across cores"). A pump walks the plan's chunks (chunkSpans) on the JavaScript thread: for
 * each it gets the expected counts (onnxruntime on the chunk's pairs, or nothing when the
 * native side evaluates the standard count graph itself: synthesis-count-source.ts) and
 * calls pushCounts, which rounds them into a chunk of the engine's bounded queue natively
 * (synth-planner.h, PlanBuilder's twin), awaiting room when the feeder is behind (memory
 * does not grow with the duration). Expansion, the global order and synthesis happen
 * natively too (model-synthesis-engine.h).
 */
import { chunkSpans, type RegenerationPlan } from '@memoco/flow-model';
import { isMemocoError, MemocoError } from '@memoco/protocol';
import { isFailed, type NativeFailure, type NativeResult, type NativeRun, type NativeSynthesisConfig, type NativeSynthesisRun, type TxcoreAddon } from './native-binding.ts';
import { failureToError } from './native-failure.ts';
import { openCountSource, type CountSource } from './synthesis-count-source.ts';
import { parseSynthesisOptions, type SynthesisOptions, type SynthesisOptionsInput } from './synthesis-options.ts';
import { nativeSynthesisPlan, regenerationPlan } from './synthesis-plan.ts';
import { TxRun } from './tx-run.ts';

export function nativeSynthesisConfig(o: SynthesisOptions): NativeSynthesisConfig {
  const p = o.pacing;
  return {
    portDevargs: o.port.devargs,
    portName: o.port.name,
    txDescriptors: o.txDescriptors,
    cores: o.cores,
    drain: o.drain,
    ringSlots: o.ringSlots,
    burst: o.burst,
    lateThresholdNs: Math.round(o.lateUs * 1000),
    leadUs: o.leadUs,
    batchDescs: o.batchDescs,
    startAtUnixMs: o.startAtUnixMs ?? 0,
    maxPackets: o.maxPackets ?? 0,
    pacingMode: p.mode,
    pacingValue: p.mode === 'speed' ? p.multiplier : p.mode === 'pps' ? p.pps : 0,
  };
}

/**
 * Feeds every chunk's counts into the engine, in bin order. Ends the input when the plan is
 * done; stops quietly when the run is over (stopped, or ended on its own); turns its own
 * failure (onnxruntime, a model the planner cannot use) into the run's failure.
 */
async function pumpChunks(native: NativeSynthesisRun, plan: RegenerationPlan, chunkBins: number, source: CountSource): Promise<void> {
  try {
    for (const { first, last } of chunkSpans(plan, chunkBins)) {
      const counts = await source.counts(first, last);
      // Native counts resolve at once: let timers, stats and signals run between chunks even
      // when the queue always has room (a sparse model, planned slower than it is sent).
      if (source.native) await new Promise((resolve) => setImmediate(resolve));
      for (;;) {
        const pushed = native.pushCounts(first, last, counts);
        if (isFailed(pushed)) throw failureToError(pushed.error);
        if (pushed) break;
        if (!(await native.waitRoom())) return;
      }
    }
    native.endInput();
  } catch (error) {
    const message = isMemocoError(error) ? `${error.code}: ${error.message}` : error instanceof Error ? error.message : String(error);
    native.abortInput(message);
  } finally {
    await source.release();
  }
}

/** done() of the run settles once the pump has let go of its ONNX session too. */
function withPump(native: NativeSynthesisRun, pump: Promise<void>): NativeRun {
  return {
    stats: () => native.stats(),
    stop: () => native.stop(),
    done: async (): Promise<NativeResult> => {
      const result = await native.done();
      await pump;
      return result;
    },
  };
}

export async function startSynthesisRun(addon: TxcoreAddon, workerLcores: number, input: SynthesisOptionsInput | SynthesisOptions): Promise<TxRun> {
  const options = 'pacing' in input && typeof input.port === 'object' && 'devargs' in input.port ? (input as SynthesisOptions) : parseSynthesisOptions(input as SynthesisOptionsInput);
  const needed = options.cores + (options.drain === 'lcore' ? 1 : 0);
  if (needed > workerLcores) {
    throw new MemocoError('TXCORE_ERR_LCORES', `--cores ${options.cores}${options.drain === 'lcore' ? ' with a drain lcore' : ''} needs ${needed} worker lcores; EAL started with ${workerLcores}`);
  }
  const plan = regenerationPlan(options);
  const source = await openCountSource(options.model, options.counts);
  let native: NativeSynthesisRun | { error: NativeFailure };
  try {
    native = addon.startSynthesis(nativeSynthesisConfig(options), nativeSynthesisPlan(plan, options, source.native));
  } catch (error) {
    await source.release();
    throw error;
  }
  if (isFailed(native)) {
    await source.release();
    throw failureToError(native.error, { modelId: options.model.modelId });
  }
  return new TxRun(withPump(native, pumpChunks(native, plan, options.chunkBins, source)), options);
}
