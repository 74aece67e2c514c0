/**
 * A hand-written ONNX ModelProto encoder (design.md: "a hand-written ONNX encoder for a
 * linear model is about 40 lines"). Covers the subset Memoco's count graph uses: one graph,
 * nodes with int attributes, initializers as raw little-endian tensors, typed inputs and
 * outputs with symbolic dimensions, and `metadata_props`. Field numbers are those of
 * onnx/onnx.proto (IR version 7 goes with opset 13).
 */
import { ProtobufWriter } from './protobuf-writer.ts';

export const ONNX_DATA_TYPE = {
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  BOOL: 9,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
} as const;
export type OnnxDataType = (typeof ONNX_DATA_TYPE)[keyof typeof ONNX_DATA_TYPE];

export type OnnxTensorData = Float32Array | Float64Array | Uint8Array | Uint16Array | Int32Array | Uint32Array | BigInt64Array;

export interface OnnxTensor {
  name: string;
  dataType: OnnxDataType;
  dims: number[];
  /** Elements in row-major order; their bytes are stored as raw_data (little-endian). */
  data: OnnxTensorData;
}

export interface OnnxNode {
  opType: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  /** Integer attributes (Cast's `to`, Gather's `axis`, Mod's `fmod`). */
  intAttributes?: Record<string, number>;
}

export interface OnnxValueInfo {
  name: string;
  elemType: OnnxDataType;
  /** A number is a fixed size, a string a symbolic dimension such as "N". */
  dims: (number | string)[];
}

export interface OnnxModel {
  irVersion: number;
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  graphName: string;
  docString?: string;
  nodes: OnnxNode[];
  initializers: OnnxTensor[];
  inputs: OnnxValueInfo[];
  outputs: OnnxValueInfo[];
  metadata: Record<string, string>;
}

const ATTRIBUTE_TYPE_INT = 2;

if (new Uint8Array(new Uint16Array([1]).buffer)[0] !== 1) {
  throw new Error('the ONNX encoder writes typed-array bytes as raw_data and needs a little-endian host');
}

export function encodeOnnxModel(model: OnnxModel): Uint8Array {
  const opset = new ProtobufWriter().string(1, '').varint(2, model.opsetVersion);
  const out = new ProtobufWriter()
    .varint(1, model.irVersion)
    .string(2, model.producerName)
    .string(3, model.producerVersion)
    .message(8, opset);
  if (model.docString) out.string(6, model.docString);
  out.message(7, encodeGraph(model));
  for (const [key, value] of Object.entries(model.metadata)) {
    out.message(14, new ProtobufWriter().string(1, key).string(2, value));
  }
  return out.finish();
}

function encodeGraph(model: OnnxModel): ProtobufWriter {
  const graph = new ProtobufWriter();
  for (const node of model.nodes) graph.message(1, encodeNode(node));
  graph.string(2, model.graphName);
  for (const tensor of model.initializers) graph.message(5, encodeTensor(tensor));
  for (const input of model.inputs) graph.message(11, encodeValueInfo(input));
  for (const output of model.outputs) graph.message(12, encodeValueInfo(output));
  return graph;
}

function encodeNode(node: OnnxNode): ProtobufWriter {
  const w = new ProtobufWriter();
  for (const input of node.inputs) w.string(1, input);
  for (const output of node.outputs) w.string(2, output);
  if (node.name) w.string(3, node.name);
  w.string(4, node.opType);
  for (const [name, value] of Object.entries(node.intAttributes ?? {})) {
    w.message(5, new ProtobufWriter().string(1, name).varint(3, value).varint(20, ATTRIBUTE_TYPE_INT));
  }
  return w;
}

export function encodeTensor(tensor: OnnxTensor): ProtobufWriter {
  const w = new ProtobufWriter();
  if (tensor.dims.length > 0) w.packedVarints(1, tensor.dims);
  w.varint(2, tensor.dataType);
  w.string(8, tensor.name);
  w.bytes(9, new Uint8Array(tensor.data.buffer, tensor.data.byteOffset, tensor.data.byteLength));
  return w;
}

function encodeValueInfo(info: OnnxValueInfo): ProtobufWriter {
  const shape = new ProtobufWriter();
  for (const dim of info.dims) {
    shape.message(1, typeof dim === 'number' ? new ProtobufWriter().varint(1, dim) : new ProtobufWriter().string(2, dim));
  }
  const tensorType = new ProtobufWriter().varint(1, info.elemType).message(2, shape);
  const type = new ProtobufWriter().message(1, tensorType);
  return new ProtobufWriter().string(1, info.name).message(2, type);
}
