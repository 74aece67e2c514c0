/**
 * A minimal protocol-buffers encoder: just what ModelProto needs (varints, 32-bit floats,
 * length-delimited bytes/strings/messages). Messages are built inside-out: a nested message
 * is encoded to bytes first, then written as a length-delimited field.
 */
const WIRE_VARINT = 0;
const WIRE_LENGTH_DELIMITED = 2;
const WIRE_FIXED32 = 5;

const encoder = new TextEncoder();

export class ProtobufWriter {
  private chunks: Uint8Array[] = [];
  private scratch = new Uint8Array(16);
  private length = 0;

  /** A varint field (int32/int64/enum). Negative values are written as 10-byte two's complement, as protobuf does. */
  varint(field: number, value: number | bigint): this {
    this.tag(field, WIRE_VARINT);
    this.anyVarint(value);
    return this;
  }

  float(field: number, value: number): this {
    this.tag(field, WIRE_FIXED32);
    const bytes = new Uint8Array(4);
    new DataView(bytes.buffer).setFloat32(0, value, true);
    this.push(bytes);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.rawUint(value.length);
    this.push(value);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, encoder.encode(value));
  }

  /** A nested message: its chunks are taken over as they are, not copied into one buffer first (a model's tensors are about a megabyte, nested three deep). */
  message(field: number, message: ProtobufWriter): this {
    this.tag(field, WIRE_LENGTH_DELIMITED);
    this.rawUint(message.length);
    for (const chunk of message.chunks) this.push(chunk);
    return this;
  }

  /** A packed repeated varint field (proto3 default for repeated scalars). */
  packedVarints(field: number, values: readonly (number | bigint)[]): this {
    const inner = new ProtobufWriter();
    for (const v of values) inner.anyVarint(v);
    return this.bytes(field, inner.finish());
  }

  finish(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const chunk of this.chunks) {
      out.set(chunk, at);
      at += chunk.length;
    }
    this.chunks = [out];
    return out;
  }

  private tag(field: number, wire: number): void {
    this.rawUint(field * 8 + wire);
  }

  /** A varint of any int64/uint64 value: non-negative safe integers without BigInt (the same bytes). */
  private anyVarint(value: number | bigint): void {
    if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) this.rawUint(value);
    else this.rawVarint(BigInt.asUintN(64, BigInt(value)));
  }

  /** The varint of a non-negative safe integer (lengths, tags, most values), in number arithmetic. */
  private rawUint(value: number): void {
    let n = 0;
    let v = value;
    while (v >= 0x80) {
      this.scratch[n++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.scratch[n++] = v;
    this.push(this.scratch.slice(0, n));
  }

  private rawVarint(value: bigint): void {
    let n = 0;
    let v = value;
    while (v >= 0x80n) {
      this.scratch[n++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.scratch[n++] = Number(v);
    this.push(this.scratch.slice(0, n));
  }

  private push(bytes: Uint8Array): void {
    this.chunks.push(bytes);
    this.length += bytes.length;
  }
}
