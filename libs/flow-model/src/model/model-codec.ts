/**
 * FlowModel <-> ONNX bytes. The count graph's tables are the graph's initializers (int64 and
 * float32, as the graph needs them); every other table rides along as an extra initializer
 * named `t.<table>` and the scalar facts as JSON in `metadata_props["memoco.info"]`, so one
 * file carries the whole model (issue 4). onnxruntime ignores initializers no node uses.
 */
import { createHash } from 'node:crypto';
import { MemocoError } from '@memoco/protocol';
import { decodeOnnxModel, tensorArray, type DecodedOnnx } from '../onnx/onnx-decoder.ts';
import { encodeOnnxModel, ONNX_DATA_TYPE, type OnnxDataType, type OnnxTensor, type OnnxTensorData } from '../onnx/onnx-encoder.ts';
import { COUNT_GRAPH_IO, COUNT_GRAPH_NODES, countGraphInitializers } from './count-graph.ts';
import { FLOW_MODEL_FORMAT, type FlowModel, type FlowModelInfo, type FlowModelTables } from './flow-model.ts';

type ExtraKind = 'uint8' | 'uint16' | 'uint32' | 'float32' | 'float64';

/** Tables stored as extra initializers (the graph's own are read back from `g.*`). */
const EXTRA_TABLES: readonly [keyof FlowModelTables, ExtraKind][] = [
  ['kind', 'uint8'],
  ['ipVersion', 'uint8'],
  ['proto', 'uint8'],
  ['packets', 'float64'],
  ['reverse', 'float64'],
  ['startNs', 'float64'],
  ['endNs', 'float64'],
  ['members', 'float64'],
  ['concurrency', 'float32'],
  ['headerOffset', 'uint32'],
  ['headerBytes', 'uint8'],
  ['l3Offset', 'uint16'],
  ['l4Offset', 'uint16'],
  ['firstFlags', 'uint8'],
  ['lastFlags', 'uint8'],
  ['sizeOffset', 'uint32'],
  ['sizeLo', 'uint16'],
  ['sizeSpan', 'uint16'],
  ['sizeWeight', 'uint32'],
  ['flagOffset', 'uint32'],
  ['flagValue', 'uint8'],
  ['flagWeight', 'uint32'],
  ['gapOffset', 'uint32'],
  ['gapBucket', 'uint8'],
  ['gapWeight', 'uint32'],
  ['memberSizeOffset', 'uint32'],
  ['memberSizeBucket', 'uint8'],
  ['memberSizeWeight', 'uint32'],
];

const DATA_TYPE: Record<ExtraKind, OnnxDataType> = {
  uint8: ONNX_DATA_TYPE.UINT8,
  uint16: ONNX_DATA_TYPE.UINT16,
  uint32: ONNX_DATA_TYPE.UINT32,
  float32: ONNX_DATA_TYPE.FLOAT,
  float64: ONNX_DATA_TYPE.DOUBLE,
};

export const PRODUCER_NAME = 'memoco';

export function encodeFlowModel(model: FlowModel): Uint8Array {
  const extras: OnnxTensor[] = EXTRA_TABLES.map(([name, kind]) => {
    const data = model.tables[name] as OnnxTensorData;
    return { name: `t.${name}`, dataType: DATA_TYPE[kind], dims: [data.length], data };
  });
  return encodeOnnxModel({
    irVersion: 7,
    opsetVersion: 13,
    producerName: PRODUCER_NAME,
    producerVersion: '1',
    graphName: 'memoco_flow_counts',
    docString: 'Memoco flow model: expected packets per (flow row, time bin). See docs/flow-models.md.',
    nodes: [...COUNT_GRAPH_NODES],
    initializers: [...countGraphInitializers(model), ...extras],
    inputs: COUNT_GRAPH_IO.inputs,
    outputs: COUNT_GRAPH_IO.outputs,
    metadata: { 'memoco.format': FLOW_MODEL_FORMAT, 'memoco.info': JSON.stringify(model.info) },
  });
}

/** The model id: SHA-256 of the file's bytes, lowercase hex (design.md). */
export function modelId(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function bad(message: string): MemocoError {
  return new MemocoError('FLOWMODEL_ERR_BAD_MODEL', message);
}

export function decodeFlowModel(bytes: Uint8Array): FlowModel {
  const onnx = decodeOnnxModel(bytes);
  const format = onnx.metadata['memoco.format'];
  if (format !== FLOW_MODEL_FORMAT) {
    throw bad(format ? `unsupported model format '${format}' (this memoco reads ${FLOW_MODEL_FORMAT})` : 'not a Memoco flow model (no memoco.format metadata)');
  }
  let info: FlowModelInfo;
  try {
    info = JSON.parse(onnx.metadata['memoco.info'] ?? '') as FlowModelInfo;
  } catch {
    throw bad('the model metadata memoco.info is not JSON');
  }
  const tables = { ...graphTables(onnx) } as Partial<FlowModelTables>;
  for (const [name, kind] of EXTRA_TABLES) (tables as Record<string, unknown>)[name] = tensorArray(onnx, `t.${name}`, kind);
  const model: FlowModel = { info, tables: tables as FlowModelTables };
  validateFlowModel(model);
  return model;
}

function graphTables(onnx: DecodedOnnx): Pick<FlowModelTables, 'startBin' | 'lastBin' | 'binsPerCoef' | 'coefBase' | 'coefCount' | 'coef' | 'profile'> {
  const coefLast = tensorArray(onnx, 'g.coef_last', 'int32');
  return {
    startBin: tensorArray(onnx, 'g.start_bin', 'int32'),
    lastBin: tensorArray(onnx, 'g.last_bin', 'int32'),
    binsPerCoef: tensorArray(onnx, 'g.bins_per_coef', 'int32'),
    coefBase: tensorArray(onnx, 'g.coef_base', 'int32'),
    coefCount: coefLast.map((v) => v + 1),
    coef: tensorArray(onnx, 'g.coef', 'float32'),
    profile: tensorArray(onnx, 'g.profile', 'float32'),
  };
}

/** Checks the shape invariants the regenerator relies on, so a bad file fails here with a clear message. */
export function validateFlowModel(model: FlowModel): void {
  const { info, tables: t } = model;
  const rows = t.kind.length;
  if (!(info.binNs >= 1) || !(info.windowBins >= 1) || !Number.isInteger(info.profileShift)) throw bad('the model metadata lacks binNs/windowBins/profileShift');
  const perRow: (keyof FlowModelTables)[] = ['ipVersion', 'proto', 'startBin', 'lastBin', 'binsPerCoef', 'coefBase', 'coefCount', 'packets', 'reverse', 'startNs', 'endNs', 'members', 'concurrency'];
  for (const name of perRow) if (t[name].length !== rows) throw bad(`table ${name} has ${t[name].length} entries for ${rows} rows`);
  const perDir: (keyof FlowModelTables)[] = ['l3Offset', 'l4Offset', 'firstFlags', 'lastFlags'];
  for (const name of perDir) if (t[name].length !== rows * 2) throw bad(`table ${name} has ${t[name].length} entries for ${rows * 2} row directions`);
  checkOffsets('headerOffset', t.headerOffset, rows * 2, t.headerBytes.length);
  checkOffsets('sizeOffset', t.sizeOffset, rows * 2, t.sizeLo.length);
  checkOffsets('flagOffset', t.flagOffset, rows * 2, t.flagValue.length);
  checkOffsets('gapOffset', t.gapOffset, rows, t.gapBucket.length);
  checkOffsets('memberSizeOffset', t.memberSizeOffset, rows, t.memberSizeBucket.length);
  if (t.profile.length * 2 ** info.profileShift < info.windowBins) throw bad('the activity profile is shorter than the window');
  for (let r = 0; r < rows; r++) {
    const end = t.coefBase[r]! + t.coefCount[r]!;
    if (t.coefCount[r]! < 1 || end > t.coef.length || t.binsPerCoef[r]! < 1) throw bad(`row ${r} has bad coefficients`);
    if (t.startBin[r]! < 0 || t.lastBin[r]! >= info.windowBins || t.lastBin[r]! < t.startBin[r]!) throw bad(`row ${r} has a bad bin span`);
  }
}

function checkOffsets(name: string, offsets: Uint32Array, entries: number, total: number): void {
  if (offsets.length !== entries + 1 || offsets[0] !== 0 || offsets[entries] !== total) throw bad(`table ${name} does not match its entries`);
  for (let i = 0; i < entries; i++) if (offsets[i]! > offsets[i + 1]!) throw bad(`table ${name} is not ascending`);
}
