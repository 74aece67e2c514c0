import { NO_FLOW } from './per-flow-order.ts';
import type { ExampleCollector } from './verify-result.ts';

/**
 * Finds the first examples of lateness while packets stream in: a packet whose expected
 * place is below the highest place seen so far (globally, and within its flow) arrived late.
 * The counts themselves come from the LIS pass afterwards; this only names packets.
 */
export class OrderTracker {
  private globalMax = -1;
  private flowMax: Float64Array;

  constructor(private readonly examples: ExampleCollector, flowCount = 0) {
    this.flowMax = new Float64Array(Math.max(16, flowCount)).fill(-1);
  }

  observe(received: number, expected: number, flow: number): void {
    if (expected < this.globalMax) this.examples.add('outOfOrder', { received, expected, after: this.globalMax });
    else this.globalMax = expected;
    if (flow === NO_FLOW) return;
    if (flow >= this.flowMax.length) this.growFlows(flow + 1);
    const max = this.flowMax[flow]!;
    if (expected < max) this.examples.add('flowOutOfOrder', { received, expected, after: max, flow });
    else this.flowMax[flow] = expected;
  }

  private growFlows(needed: number): void {
    const next = new Float64Array(Math.max(needed, this.flowMax.length * 2)).fill(-1);
    next.set(this.flowMax);
    this.flowMax = next;
  }
}
