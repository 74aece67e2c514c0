/**
 * Turns a fleet plan into one assignment per host (issue 6). A `pps` rate is the whole
 * run's: each host gets the share of it that its predicted packets are of the total (by
 * flow count when nothing is predicted), so the hosts finish together.
 */
import { encodeFlowSet, type RunAssignment, type RunRate } from '@memoco/protocol';
import type { FleetPlan, HostPlan } from '@memoco/fleet-plan';

export interface RunParameters {
  runId: string;
  modelId: string;
  durationS: number;
  rate: RunRate;
  seed: number;
  port: number;
  issuedAtUnixMs: number;
}

export function hostRate(plan: FleetPlan, host: HostPlan, rate: RunRate): RunRate {
  if (rate.unit === 'scale') return rate;
  const share = plan.predictedPackets > 0 ? host.predictedPackets / plan.predictedPackets : host.flowCount / Math.max(plan.flowCount, 1);
  return { unit: 'pps', value: rate.value * share };
}

export function buildAssignment(plan: FleetPlan, host: HostPlan, run: RunParameters, hostCount: number): RunAssignment {
  return {
    runId: run.runId,
    host: host.host,
    hostIndex: host.hostIndex,
    hostCount,
    modelId: run.modelId,
    modelSha256: run.modelId,
    startAtUnixMs: plan.startAtUnixMs,
    durationS: run.durationS,
    rate: hostRate(plan, host, run.rate),
    seed: run.seed,
    port: run.port,
    cores: host.cores.map((c) => ({ core: c.core, flows: encodeFlowSet(c.flowIds), predictedPackets: c.predictedPackets })),
    flowCount: host.flowCount,
    predictedPackets: host.predictedPackets,
    issuedAtUnixMs: run.issuedAtUnixMs,
  };
}
