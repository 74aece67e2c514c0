/**
 * `npm run bench -- fleet-plan [--quick] [--flows N] [--hosts N] [--cores N] [--runs N]`:
 * the controller's planning time for a run over 1,000 hosts and 1M flows (issue 6, "Done
 * when"): planFleet (LPT over hosts, then over each host's cores) and the encoding of every
 * host's assignment as it goes on the wire. Flow sizes follow a Pareto law (alpha 1.2), as
 * flow sizes in real traces do. No anchor exists for planning: the figures are absolute
 * (milliseconds, median of several runs) plus the max/mean load imbalance.
 */
import { planFleet, type FleetPlan } from '@memoco/fleet-plan';
import { encodeFlowSet, encodeMessage, type RunAssignment } from '@memoco/protocol';

interface BenchArgs {
  flows: number;
  hosts: number;
  cores: number;
  runs: number;
}

function parseArgs(args: string[]): BenchArgs {
  const quick = args.includes('--quick');
  const value = (name: string, fallback: number) => {
    const at = args.indexOf(`--${name}`);
    if (at < 0) return fallback;
    const parsed = Number(args[at + 1]);
    if (!Number.isInteger(parsed) || parsed < 1) throw new Error(`--${name} needs a positive integer`);
    return parsed;
  };
  return { flows: value('flows', 1_000_000), hosts: value('hosts', 1000), cores: value('cores', 4), runs: value('runs', quick ? 3 : 9) };
}

/** Deterministic Pareto(alpha 1.2, min 1) packet counts from a small xorshift PRNG. */
function paretoPackets(count: number, seed = 0x9e3779b9): Float64Array {
  let state = seed >>> 0;
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const u = ((state >>> 0) + 1) / 4294967297;
    out[i] = Math.floor(Math.pow(u, -1 / 1.2));
  }
  return out;
}

function encodeAssignments(plan: FleetPlan): { totalBytes: number; maxBytes: number } {
  let totalBytes = 0;
  let maxBytes = 0;
  const sha = '0'.repeat(64);
  for (const host of plan.hosts) {
    const assignment: RunAssignment = {
      runId: 'bench',
      host: host.host,
      hostIndex: host.hostIndex,
      hostCount: plan.hosts.length,
      modelId: sha,
      modelSha256: sha,
      startAtUnixMs: plan.startAtUnixMs,
      durationS: 60,
      rate: { unit: 'scale', value: 1 },
      seed: 1,
      port: 0,
      cores: host.cores.map((c) => ({ core: c.core, flows: encodeFlowSet(c.flowIds), predictedPackets: c.predictedPackets })),
      flowCount: host.flowCount,
      predictedPackets: host.predictedPackets,
      issuedAtUnixMs: 0,
    };
    const bytes = encodeMessage('assignment', assignment).length;
    totalBytes += bytes;
    maxBytes = Math.max(maxBytes, bytes);
  }
  return { totalBytes, maxBytes };
}

/**
 * The same planning over flow sizes with no dominating flow (uniform 1..1000 packets), where
 * the imbalance shows LPT's own quality rather than the elephant-flow lower bound.
 */
function balancedScenario(hosts: { name: string; cores: number }[], args: BenchArgs): object {
  const packets = paretoPackets(args.flows).map((p, i) => 1 + ((i * 2654435761 + p) % 1000));
  const t0 = performance.now();
  const plan = planFleet({ predictedPackets: packets, hosts, nowUnixMs: 0 });
  return { flowSizes: 'uniform-ish 1..1000 packets', planMsOneRun: Number((performance.now() - t0).toFixed(1)), imbalance: plan.imbalance };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export async function runBench(argv: string[]): Promise<object> {
  const args = parseArgs(argv);
  const packets = paretoPackets(args.flows);
  const hosts = Array.from({ length: args.hosts }, (_, i) => ({ name: `tx-${i}`, cores: args.cores }));
  const planMs: number[] = [];
  const encodeMs: number[] = [];
  let last: FleetPlan | undefined;
  let wire = { totalBytes: 0, maxBytes: 0 };
  planFleet({ predictedPackets: packets.subarray(0, 10_000), hosts, nowUnixMs: 0 }); // warm-up (JIT)
  for (let run = 0; run < args.runs; run++) {
    const t0 = performance.now();
    last = planFleet({ predictedPackets: packets, hosts, nowUnixMs: Date.now() });
    const t1 = performance.now();
    wire = encodeAssignments(last);
    const t2 = performance.now();
    planMs.push(t1 - t0);
    encodeMs.push(t2 - t1);
    process.stderr.write(`fleet-plan: run ${run + 1}/${args.runs}: plan ${(t1 - t0).toFixed(1)} ms, encode ${(t2 - t1).toFixed(1)} ms\n`);
  }
  const round = (x: number, digits = 2) => Number(x.toFixed(digits));
  return {
    setup: { flows: args.flows, hosts: args.hosts, coresPerHost: args.cores, runs: args.runs, flowSizes: 'Pareto alpha 1.2, min 1 packet' },
    planMsMedian: round(median(planMs)),
    encodeAssignmentsMsMedian: round(median(encodeMs)),
    totalMsMedian: round(median(planMs.map((p, i) => p + encodeMs[i]!))),
    planMsAll: planMs.map((x) => round(x, 1)),
    imbalance: Object.fromEntries(Object.entries(last!.imbalance).map(([k, v]) => [k, round(v, 6)])),
    balancedScenario: balancedScenario(hosts, args),
    assignmentBytes: { total: wire.totalBytes, maxPerHost: wire.maxBytes },
    anchor: 'none (no published planner to compare with): absolute figures only',
  };
}
