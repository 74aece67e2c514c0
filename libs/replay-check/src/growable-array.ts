import { MemocoError } from '@memoco/protocol';

type TypedArrayCtor<T> = { new (length: number): T; BYTES_PER_ELEMENT: number };
type NumericArray = Int32Array | Uint32Array | Float64Array;

/** Typed arrays cap at 2^31 - 1 elements in practice; the checker indexes packets with int32. */
export const MAX_PACKETS = 0x7fffffff;

/**
 * An append-only typed array that doubles as it fills: millions of packets cost a few bytes
 * each instead of an object each (a capture of 10M packets must fit, issue 4).
 */
export class GrowableArray<T extends NumericArray> {
  private data: T;
  length = 0;

  constructor(private readonly ctor: TypedArrayCtor<T>, initialCapacity = 1024) {
    this.data = new ctor(initialCapacity);
  }

  push(value: number): void {
    if (this.length === this.data.length) this.grow();
    this.data[this.length++] = value;
  }

  /** The filled part (a view: valid until the next push). */
  view(): T {
    return this.data.subarray(0, this.length) as T;
  }

  private grow(): void {
    if (this.data.length >= MAX_PACKETS) throw new MemocoError('VERIFY_ERR_TOO_LARGE', `more than ${MAX_PACKETS} packets`);
    const next = new this.ctor(Math.min(MAX_PACKETS, this.data.length * 2));
    next.set(this.data);
    this.data = next;
  }
}
