import { describe, expect, it } from 'vitest';
import { planFleet } from '@memoco/fleet-plan';
import { decodeFlowSet, validateMessage } from '@memoco/protocol';
import { buildAssignment, hostRate } from './assignment-builder.ts';

const plan = planFleet({ predictedPackets: [30, 10, 10, 10, 0], hosts: [{ name: 'a', cores: 1 }, { name: 'b', cores: 2 }], nowUnixMs: 1000 }, { leadMs: 500 });
const params = { runId: 'r1', modelId: 'c'.repeat(64), durationS: 5, rate: { unit: 'pps' as const, value: 600 }, seed: 3, port: 1, issuedAtUnixMs: 1000 };

describe('buildAssignment', () => {
  it('splits a pps rate by predicted-packet share and keeps a scale rate as is', () => {
    expect(plan.hosts.map((h) => hostRate(plan, h, params.rate).value)).toEqual([300, 300]);
    expect(hostRate(plan, plan.hosts[0]!, { unit: 'scale', value: 2 })).toEqual({ unit: 'scale', value: 2 });
  });

  it('produces valid assignments whose flow sets decode to the planned shard', () => {
    for (const host of plan.hosts) {
      const assignment = validateMessage('assignment', buildAssignment(plan, host, params, 2));
      expect(assignment).toMatchObject({ startAtUnixMs: 1500, modelSha256: params.modelId, hostCount: 2, port: 1 });
      expect(assignment.cores.map((c) => Array.from(decodeFlowSet(c.flows)))).toEqual(host.cores.map((c) => Array.from(c.flowIds)));
    }
  });
});
