import { describe, expect, it } from 'vitest';
import * as ort from 'onnxruntime-node';
import { decodeOnnxModel, tensorArray } from './onnx-decoder.ts';
import { encodeOnnxModel, ONNX_DATA_TYPE, type OnnxModel } from './onnx-encoder.ts';

function linearModel(): OnnxModel {
  return {
    irVersion: 7,
    opsetVersion: 13,
    producerName: 'memoco-test',
    producerVersion: '0',
    graphName: 'linear',
    nodes: [
      { opType: 'MatMul', inputs: ['x', 'w'], outputs: ['xw'] },
      { opType: 'Add', inputs: ['xw', 'b'], outputs: ['y'] },
      { opType: 'Gather', inputs: ['table', 'i'], outputs: ['picked'], intAttributes: { axis: 0 } },
    ],
    initializers: [
      { name: 'w', dataType: ONNX_DATA_TYPE.FLOAT, dims: [3, 1], data: new Float32Array([1, -2, 0.5]) },
      { name: 'b', dataType: ONNX_DATA_TYPE.FLOAT, dims: [1], data: new Float32Array([10]) },
      { name: 'table', dataType: ONNX_DATA_TYPE.INT64, dims: [4], data: new BigInt64Array([7n, -1n, 1n << 40n, 3n]) },
      { name: 'extra', dataType: ONNX_DATA_TYPE.UINT8, dims: [3], data: new Uint8Array([1, 2, 3]) },
    ],
    inputs: [
      { name: 'x', elemType: ONNX_DATA_TYPE.FLOAT, dims: ['N', 3] },
      { name: 'i', elemType: ONNX_DATA_TYPE.INT64, dims: ['M'] },
    ],
    outputs: [
      { name: 'y', elemType: ONNX_DATA_TYPE.FLOAT, dims: ['N', 1] },
      { name: 'picked', elemType: ONNX_DATA_TYPE.INT64, dims: ['M'] },
    ],
    metadata: { 'memoco.format': 'test', note: 'héllo' },
  };
}

describe('encodeOnnxModel', () => {
  it('produces a model onnxruntime loads and evaluates as written', async () => {
    const bytes = encodeOnnxModel(linearModel());
    const session = await ort.InferenceSession.create(bytes, { logSeverityLevel: 3 });
    const x = new ort.Tensor('float32', new Float32Array([1, 1, 1, 2, 0, 4]), [2, 3]);
    const i = new ort.Tensor('int64', new BigInt64Array([2n, 0n, 1n]), [3]);
    const out = await session.run({ x, i });
    expect(Array.from(out.y!.data as Float32Array)).toEqual([9.5, 14]);
    expect(Array.from(out.picked!.data as BigInt64Array)).toEqual([1n << 40n, 7n, -1n]);
    await session.release();
  });

  it('round-trips metadata and initializers through the decoder', () => {
    const decoded = decodeOnnxModel(encodeOnnxModel(linearModel()));
    expect(decoded.irVersion).toBe(7);
    expect(decoded.producerName).toBe('memoco-test');
    expect(decoded.metadata).toEqual({ 'memoco.format': 'test', note: 'héllo' });
    expect(Array.from(tensorArray(decoded, 'w', 'float32'))).toEqual([1, -2, 0.5]);
    expect(Array.from(tensorArray(decoded, 'table', 'int64'))).toEqual([7n, -1n, 1n << 40n, 3n]);
    expect(decoded.initializers.get('w')!.dims).toEqual([3, 1]);
    expect(Array.from(tensorArray(decoded, 'extra', 'uint8'))).toEqual([1, 2, 3]);
    expect(decoded.opTypes).toEqual(['MatMul', 'Add', 'Gather']);
  });

  it('names a missing or mistyped table in a coded error', () => {
    const decoded = decodeOnnxModel(encodeOnnxModel(linearModel()));
    expect(() => tensorArray(decoded, 'nope', 'float32')).toThrow(expect.objectContaining({ code: 'FLOWMODEL_ERR_BAD_MODEL' }));
    expect(() => tensorArray(decoded, 'w', 'int64')).toThrow(/element type 1, expected 7/);
  });

  it('rejects bytes that are not protobuf', () => {
    expect(() => decodeOnnxModel(new Uint8Array([0x0a, 0x50, 1, 2]))).toThrow(expect.objectContaining({ code: 'FLOWMODEL_ERR_BAD_MODEL' }));
  });
});
