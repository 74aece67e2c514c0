import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planFleet, type FleetPlan, type PlanHost } from './fleet-planner.ts';

const hostsOf = (cores: number[]): PlanHost[] => cores.map((c, i) => ({ name: `tx-${i}`, cores: c }));

function flowOwners(plan: FleetPlan, flowCount: number): Int32Array {
  const owner = new Int32Array(flowCount).fill(-1);
  for (const host of plan.hosts) {
    for (const core of host.cores) {
      for (const id of core.flowIds) {
        expect(owner[id], `flow ${id} planned twice`).toBe(-1);
        owner[id] = host.hostIndex;
      }
    }
  }
  return owner;
}

describe('planFleet', () => {
  it('puts every flow on exactly one host and core, ids ascending per core, loads summed right', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e6, noNaN: true })), { maxLength: 300 }),
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 12 }),
        (packets, cores) => {
          const plan = planFleet({ predictedPackets: packets, hosts: hostsOf(cores), nowUnixMs: 0 });
          const owner = flowOwners(plan, packets.length);
          expect(owner.every((o) => o >= 0)).toBe(true);
          for (const host of plan.hosts) {
            expect(host.cores.map((c) => c.core)).toEqual([...Array(cores[host.hostIndex]).keys()]);
            for (const core of host.cores) {
              for (let i = 1; i < core.flowIds.length; i++) expect(core.flowIds[i]).toBeGreaterThan(core.flowIds[i - 1]!);
              const sum = Array.from(core.flowIds).reduce((s, id) => s + packets[id]!, 0);
              expect(core.predictedPackets).toBeCloseTo(sum, 3);
            }
          }
          expect(plan.flowCount).toBe(packets.length);
        },
      ),
    );
  });

  it('keeps every host within the largest flow of the mean load (greedy list-scheduling bound)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e4, noNaN: true }), { minLength: 1, maxLength: 500 }),
        fc.integer({ min: 1, max: 20 }),
        (packets, hostCount) => {
          const plan = planFleet({ predictedPackets: packets, hosts: hostsOf(Array(hostCount).fill(1)), nowUnixMs: 0 });
          const total = packets.reduce((a, b) => a + b, 0);
          const largest = Math.max(...packets);
          for (const host of plan.hosts) expect(host.predictedPackets).toBeLessThanOrEqual(total / hostCount + largest + 1e-6);
        },
      ),
    );
  });

  it('balances a Zipf-like 100k-flow table across 10 hosts of 4 cores within 1%', () => {
    const packets = Float64Array.from({ length: 100_000 }, (_, i) => Math.floor(1e3 / (i + 1)) + 1);
    const plan = planFleet({ predictedPackets: packets, hosts: hostsOf(Array(10).fill(4)), nowUnixMs: 0 });
    expect(plan.imbalance.hostMaxOverMean).toBeLessThan(1.01);
    expect(plan.imbalance.coreMaxOverMean).toBeLessThan(1.01);
  });

  it('cannot split one elephant flow: the core holding it sets the core imbalance', () => {
    const packets = [1000, 1, 1, 1];
    const plan = planFleet({ predictedPackets: packets, hosts: hostsOf([2]), nowUnixMs: 0 });
    expect(plan.hosts[0]!.cores.map((c) => Array.from(c.flowIds))).toEqual([[0], [1, 2, 3]]);
    expect(plan.imbalance.coreMaxOverMean).toBeCloseTo(1000 / (1003 / 2), 9);
  });

  it('stays within 4/3 of the optimum on the classic LPT worst case', () => {
    // Graham 1969: 2 machines, jobs 5,4,3,3,3: optimum 9 (5+4 | 3+3+3), LPT gives 10.
    const plan = planFleet({ predictedPackets: [5, 4, 3, 3, 3], hosts: hostsOf([1, 1]), nowUnixMs: 0 });
    expect(plan.hosts.map((h) => h.predictedPackets).sort()).toEqual([10, 8]);
    expect(Math.max(...plan.hosts.map((h) => h.predictedPackets))).toBeLessThanOrEqual((4 / 3) * 9);
  });

  it('sizes shares by cores when asked', () => {
    const packets = new Float64Array(3000).fill(1);
    const equal = planFleet({ predictedPackets: packets, hosts: hostsOf([1, 2]), nowUnixMs: 0 });
    expect(equal.hosts.map((h) => h.flowCount)).toEqual([1500, 1500]);
    const byCores = planFleet({ predictedPackets: packets, hosts: hostsOf([1, 2]), nowUnixMs: 0 }, { hostCapacity: 'cores' });
    expect(byCores.hosts.map((h) => h.flowCount)).toEqual([1000, 2000]);
    expect(byCores.imbalance.hostMaxOverMean).toBe(1);
  });

  it('deals flows predicted to send nothing round-robin over hosts and cores', () => {
    const plan = planFleet({ predictedPackets: new Float64Array(12), hosts: hostsOf([2, 2, 2]), nowUnixMs: 0 });
    expect(plan.hosts.flatMap((h) => h.cores.map((c) => c.flowIds.length))).toEqual([2, 2, 2, 2, 2, 2]);
    expect(plan.imbalance.hostMaxOverMean).toBe(1);
  });

  it('is deterministic and sets the common start from the injected clock plus the lead', () => {
    const packets = Float64Array.from({ length: 5000 }, (_, i) => (i * 7919) % 101);
    const a = planFleet({ predictedPackets: packets, hosts: hostsOf([2, 3, 1]), nowUnixMs: 1000.2 }, { leadMs: 2500 });
    const b = planFleet({ predictedPackets: packets, hosts: hostsOf([2, 3, 1]), nowUnixMs: 1000.2 }, { leadMs: 2500 });
    expect(a.startAtUnixMs).toBe(3501);
    expect(a.hosts.map((h) => h.cores.map((c) => Array.from(c.flowIds)))).toEqual(b.hosts.map((h) => h.cores.map((c) => Array.from(c.flowIds))));
  });

  it('keeps hosts that get no flows, with empty cores', () => {
    const plan = planFleet({ predictedPackets: [3], hosts: hostsOf([1, 1]), nowUnixMs: 0 });
    expect(plan.hosts.map((h) => h.flowCount)).toEqual([1, 0]);
  });

  it('rejects what it cannot plan with coded errors', () => {
    const at = (input: Parameters<typeof planFleet>[0], options = {}) => () => planFleet(input, options);
    expect(at({ predictedPackets: [1], hosts: [], nowUnixMs: 0 })).toThrowError(expect.objectContaining({ code: 'FLEETPLAN_ERR_NO_HOSTS' }));
    expect(at({ predictedPackets: [1], hosts: [{ name: 'a', cores: 1 }, { name: 'a', cores: 1 }], nowUnixMs: 0 })).toThrowError('host "a" is listed twice');
    expect(at({ predictedPackets: [1], hosts: [{ name: 'a', cores: 0 }], nowUnixMs: 0 })).toThrowError(/expected an integer 1..1024/);
    expect(at({ predictedPackets: [1, Number.NaN], hosts: hostsOf([1]), nowUnixMs: 0 })).toThrowError('flow 1 has predicted packets NaN; expected a finite number >= 0');
    expect(at({ predictedPackets: [-1], hosts: hostsOf([1]), nowUnixMs: 0 })).toThrowError(expect.objectContaining({ code: 'FLEETPLAN_ERR_BAD_FLOWS' }));
    expect(at({ predictedPackets: [1], hosts: hostsOf([1]), nowUnixMs: 0 }, { leadMs: -1 })).toThrowError('leadMs must be an integer 0..86400000, got -1');
    expect(at({ predictedPackets: [1], hosts: hostsOf([1]), nowUnixMs: 0 }, { hostCapacity: 'weird' })).toThrowError(/hostCapacity must be one of equal\|cores/);
  });
});
