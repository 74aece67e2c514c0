/** One packet that arrived after a packet meant to follow it. */
export interface OrderExample {
  /** Record number (0-based) of the packet in the capture. */
  received: number;
  /** Its place in the expected order (trace record number, or the tag's global sequence). */
  expected: number;
  /** The highest expected place that had already arrived (in the flow, for flow examples). */
  after: number;
  /** Flow number (the trace reader's flow id, or the tag's flowId) for flow examples. */
  flow?: number;
}

/** A packet received more often than it was sent. */
export interface DuplicateExample {
  received: number;
  /** The expected place it repeats. */
  expected: number;
}

/** The first few problems of each kind, in the order they were found. */
export interface VerifyExamples {
  /** Expected places (trace record numbers or global sequence numbers) never received. */
  missing: number[];
  duplicates: DuplicateExample[];
  /** Capture record numbers of packets that are not part of the replay. */
  unexpected: number[];
  outOfOrder: OrderExample[];
  flowOutOfOrder: OrderExample[];
}

export const VERIFY_MODES = { AGAINST: 'against', TAGS: 'tags' } as const;
export type VerifyMode = (typeof VERIFY_MODES)[keyof typeof VERIFY_MODES];

/**
 * What `memoco verify-order` found. A replay keeps the sequence guarantee when `ok`: nothing
 * missing, nothing duplicated, nothing out of order. `unexpected` packets (the kernel's own
 * IPv6 router solicitations and MLD reports on a veth, say) do not make it fail.
 */
export interface VerifyResult {
  mode: VerifyMode;
  ok: boolean;
  /** Packets the replay should have delivered. */
  expected: number;
  /** Packets in the capture, all of them. */
  received: number;
  /** Received packets matched to an expected one (first copies). */
  matched: number;
  missing: number;
  duplicates: number;
  unexpected: number;
  /** Fewest matched packets whose removal leaves the rest in the expected order (len - LIS). */
  outOfOrder: number;
  /** The same counted within each flow and summed; never more than outOfOrder. */
  flowOutOfOrder: number;
  /** Flows in the expected traffic (the trace's flows; with tags, the flows the tags name). Non-IP excluded. */
  flows: number;
  examples: VerifyExamples;
}

/** Collects up to `limit` examples of each kind. */
export class ExampleCollector {
  readonly examples: VerifyExamples = { missing: [], duplicates: [], unexpected: [], outOfOrder: [], flowOutOfOrder: [] };
  constructor(readonly limit: number) {}

  add<K extends keyof VerifyExamples>(kind: K, example: VerifyExamples[K][number]): void {
    const list = this.examples[kind] as VerifyExamples[K][number][];
    if (list.length < this.limit) list.push(example);
  }

  wants(kind: keyof VerifyExamples): boolean {
    return this.examples[kind].length < this.limit;
  }
}

/** Builds the result with `ok` derived from the counts (the one definition of passing). */
export function finishResult(fields: Omit<VerifyResult, 'ok'>): VerifyResult {
  const { mode, ...counts } = fields;
  return { mode, ok: counts.missing === 0 && counts.duplicates === 0 && counts.outOfOrder === 0, ...counts };
}
