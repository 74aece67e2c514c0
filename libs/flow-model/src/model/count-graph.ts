/**
 * The ONNX graph that computes expected packet counts (issue 4: "its graph computes expected
 * packet counts for (flow, time bin) inputs"). For row f and bin t:
 *
 *   b     = t mod windowBins                          (continuation: the window repeats)
 *   k     = clamp((b - startBin[f]) div binsPerCoef[f], 0, coefCount[f] - 1)
 *   count = coef[coefBase[f] + k] * profile[b >> profileShift]   if startBin[f] <= b <= lastBin[f]
 *           0                                                    otherwise
 *
 * i.e. a linear model in the row's coefficients over a piecewise-constant time basis
 * modulated by the activity profile (docs/flow-models.md, "The count model"). Inputs `flow`
 * and `bin` are int64 [N]; output `count` is float32 [N]. Per-row tables are stored as int32
 * (half the bytes) and widened with Cast after the Gather. Only opset-13 operators that
 * onnxruntime's CPU provider implements for int64: Mod, Gather, Cast, Sub, Div, Add, Max,
 * Min, GreaterOrEqual, LessOrEqual, And, Mul, Where.
 */
import { ONNX_DATA_TYPE, type OnnxNode, type OnnxTensor, type OnnxValueInfo } from '../onnx/onnx-encoder.ts';
import type { FlowModel } from './flow-model.ts';

export const COUNT_GRAPH_INPUTS = { flow: 'flow', bin: 'bin' } as const;
export const COUNT_GRAPH_OUTPUT = 'count';

const INT64 = ONNX_DATA_TYPE.INT64;

/** Gather an int32 per-row table at `flow` and widen it to int64. */
function rowValue(table: string, output: string): OnnxNode[] {
  return [
    { opType: 'Gather', inputs: [table, 'flow'], outputs: [`${output}_i32`], intAttributes: { axis: 0 } },
    { opType: 'Cast', inputs: [`${output}_i32`], outputs: [output], intAttributes: { to: INT64 } },
  ];
}

export const COUNT_GRAPH_NODES: readonly OnnxNode[] = [
  { opType: 'Mod', inputs: ['bin', 'g.window'], outputs: ['b'], intAttributes: { fmod: 0 } },
  ...rowValue('g.start_bin', 'start'),
  ...rowValue('g.last_bin', 'last'),
  { opType: 'Sub', inputs: ['b', 'start'], outputs: ['rel'] },
  { opType: 'GreaterOrEqual', inputs: ['rel', 'g.zero_i'], outputs: ['after_start'] },
  { opType: 'LessOrEqual', inputs: ['b', 'last'], outputs: ['before_end'] },
  { opType: 'And', inputs: ['after_start', 'before_end'], outputs: ['inside'] },
  ...rowValue('g.bins_per_coef', 'width'),
  { opType: 'Div', inputs: ['rel', 'width'], outputs: ['k_raw'] },
  { opType: 'Max', inputs: ['k_raw', 'g.zero_i'], outputs: ['k_low'] },
  ...rowValue('g.coef_last', 'k_max'),
  { opType: 'Min', inputs: ['k_low', 'k_max'], outputs: ['k'] },
  ...rowValue('g.coef_base', 'base'),
  { opType: 'Add', inputs: ['base', 'k'], outputs: ['coef_index'] },
  { opType: 'Gather', inputs: ['g.coef', 'coef_index'], outputs: ['w'], intAttributes: { axis: 0 } },
  { opType: 'Div', inputs: ['b', 'g.profile_width'], outputs: ['profile_index'] },
  { opType: 'Gather', inputs: ['g.profile', 'profile_index'], outputs: ['r'], intAttributes: { axis: 0 } },
  { opType: 'Mul', inputs: ['w', 'r'], outputs: ['value'] },
  { opType: 'Where', inputs: ['inside', 'value', 'g.zero_f'], outputs: ['count'] },
];

export const COUNT_GRAPH_IO: { inputs: OnnxValueInfo[]; outputs: OnnxValueInfo[] } = {
  inputs: [
    { name: 'flow', elemType: ONNX_DATA_TYPE.INT64, dims: ['N'] },
    { name: 'bin', elemType: ONNX_DATA_TYPE.INT64, dims: ['N'] },
  ],
  outputs: [{ name: 'count', elemType: ONNX_DATA_TYPE.FLOAT, dims: ['N'] }],
};

function int64(values: ArrayLike<number>): BigInt64Array {
  const out = new BigInt64Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = BigInt(values[i]!);
  return out;
}

/** The graph's initializers, from the model's tables. */
export function countGraphInitializers(model: FlowModel): OnnxTensor[] {
  const t = model.tables;
  const rows = t.kind.length;
  const coefLast = new Int32Array(rows);
  for (let i = 0; i < rows; i++) coefLast[i] = t.coefCount[i]! - 1;
  const vector = (name: string, values: Int32Array): OnnxTensor => ({ name, dataType: ONNX_DATA_TYPE.INT32, dims: [values.length], data: values });
  const scalar = (name: string, value: number): OnnxTensor => ({ name, dataType: ONNX_DATA_TYPE.INT64, dims: [], data: int64([value]) });
  return [
    scalar('g.window', model.info.windowBins),
    scalar('g.zero_i', 0),
    scalar('g.profile_width', 2 ** model.info.profileShift),
    { name: 'g.zero_f', dataType: ONNX_DATA_TYPE.FLOAT, dims: [], data: new Float32Array([0]) },
    vector('g.start_bin', t.startBin),
    vector('g.last_bin', t.lastBin),
    vector('g.bins_per_coef', t.binsPerCoef),
    vector('g.coef_base', t.coefBase),
    vector('g.coef_last', coefLast),
    { name: 'g.coef', dataType: ONNX_DATA_TYPE.FLOAT, dims: [t.coef.length], data: t.coef },
    { name: 'g.profile', dataType: ONNX_DATA_TYPE.FLOAT, dims: [t.profile.length], data: t.profile },
  ];
}

/**
 * The TypeScript twin of the graph (the reference the ONNX output is tested against):
 * expected packets of `row` in absolute bin `bin`, computed in float32 like onnxruntime.
 */
export function referenceCount(model: FlowModel, row: number, bin: number): number {
  const t = model.tables;
  const window = model.info.windowBins;
  const b = ((bin % window) + window) % window;
  if (b < t.startBin[row]! || b > t.lastBin[row]!) return 0;
  const k = Math.min(Math.max(Math.trunc((b - t.startBin[row]!) / t.binsPerCoef[row]!), 0), t.coefCount[row]! - 1);
  return Math.fround(t.coef[t.coefBase[row]! + k]! * t.profile[Math.floor(b / 2 ** model.info.profileShift)]!);
}
