/**
 * Writes a large synthetic capture quickly, for the training benchmark (issue 4: "peak RSS
 * on a generated trace at two sizes 10x apart"). A fixed population of flows (TCP and UDP,
 * IPv4 and a share of IPv6) sends bursts on and off; the trace grows by running longer, so
 * two sizes differ in length, not in flow count: exactly what "memory does not grow with the
 * trace's length" is about. Deterministic for a seed.
 */
import { PcapWriter } from '@memoco/pcap';

export interface SyntheticTraceOptions {
  /** Stop once this many bytes of packet data are written. */
  targetBytes: number;
  flows: number;
  seed: number;
}

interface Flow {
  next: number;
  left: number;
  burst: number;
  periodNs: number;
  headers: [Uint8Array, Uint8Array];
  tcp: boolean;
  v6: boolean;
  turn: number;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function header(v6: boolean, tcp: boolean, client: number, reply: boolean, sport: number, dport: number): Uint8Array {
  const l3 = 14;
  const l4 = l3 + (v6 ? 40 : 20);
  const h = new Uint8Array(l4 + (tcp ? 20 : 8));
  h.set([2, 0, 0, 0, 0, reply ? 1 : 2, 2, 0, 0, 0, 0, reply ? 2 : 1, v6 ? 0x86 : 0x08, v6 ? 0xdd : 0x00]);
  const c = [10, (client >> 16) & 255, (client >> 8) & 255, client & 255];
  const s = [192, 168, (client >> 12) & 15, 1];
  if (v6) {
    h.set([0x60, 0, 0, 0, 0, 0, tcp ? 6 : 17, 64], l3);
    h.set([0x20, 0x01, 0x0d, 0xb8, ...new Array(8).fill(0), ...(reply ? s : c)], l3 + 8);
    h.set([0x20, 0x01, 0x0d, 0xb8, ...new Array(8).fill(0), ...(reply ? c : s)], l3 + 24);
  } else {
    h.set([0x45, 0, 0, 0, 0, 0, 0x40, 0, 64, tcp ? 6 : 17, 0, 0, ...(reply ? s : c), ...(reply ? c : s)], l3);
  }
  const [a, b] = reply ? [dport, sport] : [sport, dport];
  h.set([a >> 8, a & 255, b >> 8, b & 255], l4);
  if (tcp) h.set([0, 0, 0, 1, 0, 0, 0, 1, 0x50, 0x18], l4 + 4);
  return h;
}

/** Writes the trace to `path`; returns packets and bytes written. */
export async function writeSyntheticTrace(path: string, options: SyntheticTraceOptions): Promise<{ packets: number; bytes: number; durationS: number }> {
  const rand = lcg(options.seed);
  const flows: Flow[] = [];
  for (let i = 0; i < options.flows; i++) {
    const tcp = rand() < 0.7;
    const v6 = rand() < 0.2;
    const sport = 1024 + Math.floor(rand() * 60000);
    const dport = tcp ? [443, 80, 22, 8080][i % 4]! : [53, 123, 443, 5353][i % 4]!;
    const burst = 1 + Math.floor(rand() * 40);
    flows.push({ next: Math.floor(rand() * 0.5e9), left: burst, burst, periodNs: 0.5e9 + rand() * 10e9, headers: [header(v6, tcp, i, false, sport, dport), header(v6, tcp, i, true, sport, dport)], tcp, v6, turn: 0 });
  }
  const heap = new MinHeap(flows.map((f) => f.next));
  const frame = new Uint8Array(1600);
  const writer = new PcapWriter(path, { nanosecond: true });
  let bytes = 0;
  let packets = 0;
  let now = 0;
  try {
    while (bytes < options.targetBytes) {
      const i = heap.popMin();
      const f = flows[i]!;
      now = f.next;
      const reply = f.turn++ % 3 === 1;
      const size = f.tcp ? (reply ? 66 : 1514) : 80 + Math.floor(rand() * 1100);
      const h = f.headers[reply ? 1 : 0];
      const length = Math.max(size, h.length);
      frame.fill(0, 0, length);
      frame.set(h);
      const ipLength = f.v6 ? length - 54 : length - 14;
      frame[f.v6 ? 18 : 16] = ipLength >> 8;
      frame[f.v6 ? 19 : 17] = ipLength & 255;
      writer.write(1_700_000_000 + Math.floor(now / 1e9), now % 1e9, frame.subarray(0, length));
      bytes += size;
      packets++;
      f.left--;
      f.next = f.left > 0 ? now + 50_000 + Math.floor(rand() * 400_000) : now + Math.floor(f.periodNs * (0.5 + rand()));
      if (f.left === 0) f.left = f.burst;
      heap.push(i, f.next);
    }
  } finally {
    await writer.close();
  }
  return { packets, bytes, durationS: now / 1e9 };
}

/** Binary min-heap of indices by key. */
class MinHeap {
  private items: number[] = [];
  private keys: number[] = [];

  constructor(keys: number[]) {
    keys.forEach((k, i) => this.push(i, k));
  }

  push(item: number, key: number): void {
    let at = this.items.length;
    this.items.push(item);
    this.keys.push(key);
    while (at > 0) {
      const parent = (at - 1) >> 1;
      if (this.keys[parent]! <= key) break;
      this.items[at] = this.items[parent]!;
      this.keys[at] = this.keys[parent]!;
      at = parent;
    }
    this.items[at] = item;
    this.keys[at] = key;
  }

  popMin(): number {
    const top = this.items[0]!;
    const lastItem = this.items.pop()!;
    const lastKey = this.keys.pop()!;
    const n = this.items.length;
    if (n === 0) return top;
    let at = 0;
    for (;;) {
      let child = 2 * at + 1;
      if (child >= n) break;
      if (child + 1 < n && this.keys[child + 1]! < this.keys[child]!) child++;
      if (this.keys[child]! >= lastKey) break;
      this.items[at] = this.items[child]!;
      this.keys[at] = this.keys[child]!;
      at = child;
    }
    this.items[at] = lastItem;
    this.keys[at] = lastKey;
    return top;
  }
}
