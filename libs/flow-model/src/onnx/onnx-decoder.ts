/**
 * Reads back what Memoco stores in its ONNX files: `metadata_props` and the graph's
 * initializers (raw little-endian tensors), by name. The graph itself is left to
 * onnxruntime; this is only so the flow table and distributions that travel in the same
 * file can be used without running anything.
 */
import { MemocoError } from '@memoco/protocol';
import { decodePackedVarints, decodeString, protobufFields } from './protobuf-reader.ts';
import type { OnnxDataType } from './onnx-encoder.ts';

export interface DecodedTensor {
  name: string;
  dataType: OnnxDataType;
  dims: number[];
  /** The raw_data bytes (a copy, aligned for typed-array views). */
  raw: Uint8Array;
}

export interface DecodedOnnx {
  irVersion: number;
  producerName: string;
  metadata: Record<string, string>;
  initializers: Map<string, DecodedTensor>;
  opTypes: string[];
}

export function decodeOnnxModel(bytes: Uint8Array): DecodedOnnx {
  const result: DecodedOnnx = { irVersion: 0, producerName: '', metadata: {}, initializers: new Map(), opTypes: [] };
  for (const f of protobufFields(bytes)) {
    if (f.field === 1 && f.wire === 0) result.irVersion = f.value;
    else if (f.field === 2 && f.wire === 2) result.producerName = decodeString(f.bytes);
    else if (f.field === 7 && f.wire === 2) decodeGraph(f.bytes, result);
    else if (f.field === 14 && f.wire === 2) {
      let key = '';
      let value = '';
      for (const e of protobufFields(f.bytes)) {
        if (e.field === 1) key = decodeString(e.bytes);
        else if (e.field === 2) value = decodeString(e.bytes);
      }
      result.metadata[key] = value;
    }
  }
  return result;
}

function decodeGraph(bytes: Uint8Array, into: DecodedOnnx): void {
  for (const f of protobufFields(bytes)) {
    if (f.field === 5 && f.wire === 2) {
      const tensor = decodeTensor(f.bytes);
      into.initializers.set(tensor.name, tensor);
    } else if (f.field === 1 && f.wire === 2) {
      for (const n of protobufFields(f.bytes)) if (n.field === 4) into.opTypes.push(decodeString(n.bytes));
    }
  }
}

function decodeTensor(bytes: Uint8Array): DecodedTensor {
  const tensor: DecodedTensor = { name: '', dataType: 1, dims: [], raw: new Uint8Array(0) };
  for (const f of protobufFields(bytes)) {
    if (f.field === 1) tensor.dims.push(...(f.wire === 2 ? decodePackedVarints(f.bytes) : [f.value]));
    else if (f.field === 2) tensor.dataType = f.value as OnnxDataType;
    else if (f.field === 8) tensor.name = decodeString(f.bytes);
    else if (f.field === 9) tensor.raw = f.bytes.slice();
  }
  return tensor;
}

type ArrayOf = {
  float32: Float32Array;
  float64: Float64Array;
  uint8: Uint8Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  int32: Int32Array;
  int64: BigInt64Array;
};

const ELEMENT: { [K in keyof ArrayOf]: { type: OnnxDataType; make: (b: ArrayBuffer, o: number, n: number) => ArrayOf[K]; size: number } } = {
  float32: { type: 1, size: 4, make: (b, o, n) => new Float32Array(b, o, n) },
  float64: { type: 11, size: 8, make: (b, o, n) => new Float64Array(b, o, n) },
  uint8: { type: 2, size: 1, make: (b, o, n) => new Uint8Array(b, o, n) },
  uint16: { type: 4, size: 2, make: (b, o, n) => new Uint16Array(b, o, n) },
  uint32: { type: 12, size: 4, make: (b, o, n) => new Uint32Array(b, o, n) },
  int32: { type: 6, size: 4, make: (b, o, n) => new Int32Array(b, o, n) },
  int64: { type: 7, size: 8, make: (b, o, n) => new BigInt64Array(b, o, n) },
};

/** The initializer `name` as a typed array of the expected element type, or FLOWMODEL_ERR_BAD_MODEL. */
export function tensorArray<K extends keyof ArrayOf>(onnx: DecodedOnnx, name: string, kind: K): ArrayOf[K] {
  const tensor = onnx.initializers.get(name);
  const spec = ELEMENT[kind];
  if (!tensor) throw new MemocoError('FLOWMODEL_ERR_BAD_MODEL', `the model has no '${name}' table`);
  if (tensor.dataType !== spec.type || tensor.raw.length % spec.size !== 0) {
    throw new MemocoError('FLOWMODEL_ERR_BAD_MODEL', `the model's '${name}' table has element type ${tensor.dataType}, expected ${spec.type}`);
  }
  return spec.make(tensor.raw.buffer as ArrayBuffer, tensor.raw.byteOffset, tensor.raw.length / spec.size);
}
