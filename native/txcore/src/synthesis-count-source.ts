/**
 * Where a synthesis run's expected packets per (row, bin) come from (docs/txcore.md "Model
 * synthesis"). A Memoco model's count graph is fixed: COUNT_GRAPH_NODES over tables the
 * model carries, which the native planner evaluates bit for bit (synth-count-graph.h gives
 * the argument node by node; synthesis-counts.spec.ts compares it with onnxruntime on every
 * pair of trained models). A file holds exactly that graph when encoding its decoded model
 * gives its bytes back: the encoder is deterministic and writes the graph, every initializer
 * and the metadata from the tables. Such a model is counted natively (`native`); any other
 * file (another producer's graph, edited bytes), or `counts: 'onnxruntime'`, runs its graph
 * in onnxruntime-node, chunk by chunk, and the native planner rounds its output.
 */
import { chunkPairs, CountSession, encodeFlowModel, type LoadedModel } from '@memoco/flow-model';

export const COUNT_SOURCES = { auto: 'auto', onnxruntime: 'onnxruntime' } as const;
export type CountSourceOption = (typeof COUNT_SOURCES)[keyof typeof COUNT_SOURCES];

/** True when the model's bytes are exactly what the standard encoder writes for its tables. */
export function isStandardCountGraph(model: LoadedModel): boolean {
  const again = encodeFlowModel(model.model);
  if (again.length !== model.bytes.length) return false;
  return Buffer.from(again.buffer, again.byteOffset, again.length).equals(Buffer.from(model.bytes.buffer, model.bytes.byteOffset, model.bytes.length));
}

/** Expected counts of chunk [first, last): undefined = the native planner evaluates them itself. */
export interface CountSource {
  readonly native: boolean;
  counts(first: number, last: number): Promise<Float32Array | undefined>;
  release(): Promise<void>;
}

const NATIVE_SOURCE: CountSource = { native: true, counts: async () => undefined, release: async () => {} };

/** onnxruntime-node on the chunk's pairs (chunkPairs: the order the planner reads them in). */
class OnnxCountSource implements CountSource {
  readonly native = false;
  constructor(
    private readonly model: LoadedModel,
    private readonly session: CountSession,
  ) {}
  async counts(first: number, last: number): Promise<Float32Array> {
    const { flow, bin } = chunkPairs(this.model.model, first, last);
    return this.session.counts(flow, bin);
  }
  release(): Promise<void> {
    return this.session.release();
  }
}

export async function openCountSource(model: LoadedModel, option: CountSourceOption): Promise<CountSource> {
  if (option === COUNT_SOURCES.auto && isStandardCountGraph(model)) return NATIVE_SOURCE;
  return new OnnxCountSource(model, await CountSession.create(model.bytes));
}
