/**
 * Starts a model-synthesis run (issue 4: "ONNX inference gives counts per flow and bin; the
 * native engine expands them into packets ... and sends them with the sequence guarantee
 * across cores"). ONNX inference stays here: PlanBuilder + onnxruntime-node make count
 * chunks, and a pump pushes them into the engine's bounded queue, awaiting room when the
 * native side is behind (memory does not grow with the duration). Expansion, the global
 * order and synthesis happen natively (model-synthesis-engine.h).
 */
import { CountSession, PlanBuilder } from '@memoco/flow-model';
import { isMemocoError, MemocoError } from '@memoco/protocol';
import { isFailed, type NativeFailure, type NativeResult, type NativeRun, type NativeSynthesisConfig, type NativeSynthesisRun, type TxcoreAddon } from './native-binding.ts';
import { failureToError } from './native-failure.ts';
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
    pacingMode: p.mode,
    pacingValue: p.mode === 'speed' ? p.multiplier : p.mode === 'pps' ? p.pps : 0,
  };
}

/**
 * Feeds every count chunk into the engine, in bin order. Ends the input when the plan is
 * done; stops quietly when the run is over (stopped, or ended on its own); turns its own
 * failure (onnxruntime, a model the builder cannot use) into the run's failure.
 */
async function pumpChunks(native: NativeSynthesisRun, builder: PlanBuilder, session: CountSession): Promise<void> {
  try {
    for await (const chunk of builder.chunks()) {
      for (;;) {
        const pushed = native.pushChunk(chunk);
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
    await session.release();
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
  const session = await CountSession.create(options.model.bytes);
  let native: NativeSynthesisRun | { error: NativeFailure };
  try {
    native = addon.startSynthesis(nativeSynthesisConfig(options), nativeSynthesisPlan(plan, options));
  } catch (error) {
    await session.release();
    throw error;
  }
  if (isFailed(native)) {
    await session.release();
    throw failureToError(native.error, { modelId: options.model.modelId });
  }
  const builder = new PlanBuilder(options.model.model, session, plan, options.chunkBins);
  return new TxRun(withPump(native, pumpChunks(native, builder, session)), options);
}
