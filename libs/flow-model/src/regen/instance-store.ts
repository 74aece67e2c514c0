/**
 * The plan's instance table, growing as class members start. Arrays have spare capacity:
 * `view.count` is the number of valid instances.
 */
import { emptyInstances, type PlanInstances } from './regeneration-plan.ts';

export class InstanceStore {
  view: PlanInstances;

  constructor(initial: PlanInstances) {
    this.view = initial;
  }

  get count(): number {
    return this.view.count;
  }

  append(template: number, variant: number, packets: number, reverse: number): number {
    const id = this.view.count;
    if (id >= this.view.template.length) this.grow(Math.max(1024, id * 2));
    const v = this.view;
    v.template[id] = template;
    v.variant[id] = variant;
    v.packets[id] = packets;
    v.reverse[id] = reverse;
    v.startNs[id] = Number.NaN;
    v.endNs[id] = Number.NaN;
    v.count = id + 1;
    return id;
  }

  /** A copy of instances [from, count). */
  slice(from: number): PlanInstances {
    const v = this.view;
    const n = v.count - from;
    const out = emptyInstances(n);
    out.template.set(v.template.subarray(from, v.count));
    out.variant.set(v.variant.subarray(from, v.count));
    out.packets.set(v.packets.subarray(from, v.count));
    out.reverse.set(v.reverse.subarray(from, v.count));
    out.startNs.set(v.startNs.subarray(from, v.count));
    out.endNs.set(v.endNs.subarray(from, v.count));
    return out;
  }

  private grow(capacity: number): void {
    const v = this.view;
    const next = emptyInstances(capacity);
    next.template.set(v.template.subarray(0, v.count));
    next.variant.set(v.variant.subarray(0, v.count));
    next.packets.set(v.packets.subarray(0, v.count));
    next.reverse.set(v.reverse.subarray(0, v.count));
    next.startNs.set(v.startNs.subarray(0, v.count));
    next.endNs.set(v.endNs.subarray(0, v.count));
    next.count = v.count;
    this.view = next;
  }
}
