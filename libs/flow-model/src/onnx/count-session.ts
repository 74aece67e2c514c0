/**
 * Runs a flow model's count graph in onnxruntime-node (design.md: "runs ONNX inference
 * (onnxruntime-node)"), in-process on the CPU. Rows go in as int64 (flow, bin) pairs and come
 * back as float32 expected counts.
 */
import { MemocoError } from '@memoco/protocol';
import type * as Ort from 'onnxruntime-node';
import { COUNT_GRAPH_OUTPUT } from '../model/count-graph.ts';

/** onnxruntime is loaded on first use: training never needs it, and its native addon takes time to load. */
let runtime: Promise<typeof Ort> | undefined;
function loadRuntime(): Promise<typeof Ort> {
  runtime ??= import('onnxruntime-node');
  return runtime;
}

/** onnxruntime's ERROR level: its warnings (unused initializers) are expected and not the user's concern. */
const ORT_LOG_ERROR = 3;

export class CountSession {
  private constructor(
    private readonly ort: typeof Ort,
    private readonly session: Ort.InferenceSession,
  ) {}

  static async create(modelBytes: Uint8Array): Promise<CountSession> {
    const ort = await loadRuntime();
    try {
      const session = await ort.InferenceSession.create(modelBytes, { logSeverityLevel: ORT_LOG_ERROR, intraOpNumThreads: 1, interOpNumThreads: 1 });
      return new CountSession(ort, session);
    } catch (error) {
      throw new MemocoError('FLOWMODEL_ERR_INFERENCE', `onnxruntime could not load the model: ${(error as Error).message}`, {}, { cause: error });
    }
  }

  /** Expected packets for each (flow[i], bin[i]). */
  async counts(flow: BigInt64Array, bin: BigInt64Array): Promise<Float32Array> {
    if (flow.length === 0) return new Float32Array(0);
    try {
      const { Tensor } = this.ort;
      const out = await this.session.run({ flow: new Tensor('int64', flow, [flow.length]), bin: new Tensor('int64', bin, [bin.length]) });
      return out[COUNT_GRAPH_OUTPUT]!.data as Float32Array;
    } catch (error) {
      throw new MemocoError('FLOWMODEL_ERR_INFERENCE', `onnxruntime failed to run the count graph: ${(error as Error).message}`, {}, { cause: error });
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
