import { MemocoError } from '@memoco/protocol';

/**
 * A minimal protocol-buffers decoder: walks the fields of one message, handing each to a
 * visitor with its number, wire type and value (a varint as a number, or the bytes of a
 * length-delimited field). Unknown fields are skipped, as protobuf requires.
 */
export interface ProtobufField {
  field: number;
  wire: number;
  /** Varint value (exact below 2^53), or the 32/64-bit field's raw bits as a number where they fit. */
  value: number;
  /** The bytes of a length-delimited field (a view, not a copy). */
  bytes: Uint8Array;
}

const EMPTY = new Uint8Array(0);
const decoder = new TextDecoder();

function bad(message: string, offset: number): MemocoError {
  return new MemocoError('FLOWMODEL_ERR_BAD_MODEL', `not a valid ONNX protobuf: ${message}`, { offset });
}

export function* protobufFields(data: Uint8Array): Generator<ProtobufField> {
  let at = 0;
  const readVarint = (): number => {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      if (at >= data.length) throw bad('truncated varint', at);
      const byte = data[at++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) return result;
      scale *= 128;
    }
    throw bad('varint longer than 10 bytes', at);
  };
  while (at < data.length) {
    const tag = readVarint();
    const field = Math.floor(tag / 8);
    const wire = tag % 8;
    if (wire === 0) {
      yield { field, wire, value: readVarint(), bytes: EMPTY };
    } else if (wire === 2) {
      const length = readVarint();
      if (at + length > data.length) throw bad(`field ${field} runs past the end`, at);
      yield { field, wire, value: length, bytes: data.subarray(at, at + length) };
      at += length;
    } else if (wire === 5 || wire === 1) {
      const size = wire === 5 ? 4 : 8;
      if (at + size > data.length) throw bad(`field ${field} runs past the end`, at);
      yield { field, wire, value: 0, bytes: data.subarray(at, at + size) };
      at += size;
    } else {
      throw bad(`unsupported wire type ${wire}`, at);
    }
  }
}

export function decodeString(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}

/** The values of a repeated varint field given packed (one length-delimited field). */
export function decodePackedVarints(bytes: Uint8Array): number[] {
  const values: number[] = [];
  let at = 0;
  while (at < bytes.length) {
    let result = 0;
    let scale = 1;
    for (;;) {
      const byte = bytes[at++]!;
      result += (byte & 0x7f) * scale;
      if (byte < 0x80) break;
      scale *= 128;
    }
    values.push(result);
  }
  return values;
}
