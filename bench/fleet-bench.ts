/**
 * `npm run bench -- fleet [--quick] [--runs N] [--agents N] [--mb N]` (issue 6, "Done when"):
 *
 * 1. Start skew between agents on one machine: a local fleet (memoco up's launcher: NATS,
 *    controller, trainer, N agents as processes, each on its own net_pcap port) runs a paced
 *    model several times; at a fixed pps every host's first packet is due exactly at the
 *    run's common start, so the spread of the first-packet times in the agents' captures is
 *    the skew. p50 and max over the runs; goal under 1 ms.
 * 2. The trainer's upload-to-model latency for a 100 MB trace (the trainer bench's
 *    measureUploadToModel, against this fleet's trainer): last byte sent to the model's
 *    announcement; goal within 1 s.
 * 3. The controller's planning time for 1,000 hosts and 1M flows (bench/fleet-plan-bench.ts).
 *
 * No anchor runs a fleet; the figures are absolute (median of runs) with their goals.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { writeSyntheticTrace } from '@memoco/flow-model';
import { TraceReader } from '@memoco/pcap';
import { isFinalRunStatus } from '@memoco/protocol';
import type { RunDetail } from '@memoco/run-store';
import { median, repoRoot, waitUntil } from '@memoco/testbed';
import { LocalFleet } from '../apps/cli/src/fleet/local-fleet.ts';
import { runBench as runPlanBench } from './fleet-plan-bench.ts';
import { measureUploadToModel } from './trainer-upload-measure.ts';

const SKEW_GOAL_US = 1000;
const log = (line: string) => void process.stderr.write(`fleet: ${line}\n`);

function option(args: string[], name: string, fallback: number): number {
  const at = args.indexOf(name);
  return at < 0 ? fallback : Number(args[at + 1]);
}

async function api<T>(fleet: LocalFleet, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${fleet.controllerUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${fleet.token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const json = (await response.json()) as T;
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(json)}`);
  return json;
}

/** Unix time in ns of a capture's first packet (as a float: the spread is what matters). */
async function firstPacketUnixNs(file: string): Promise<number> {
  for await (const batch of new TraceReader(file, { decode: false }).batches()) {
    if (batch.count > 0) return batch.tsSec[0]! * 1e9 + batch.tsNsec[0]!;
  }
  throw new Error(`${file} holds no packet`);
}

async function uploadSample(fleet: LocalFleet): Promise<string> {
  const response = await fetch(`${fleet.trainerUrl}/v1/traces`, { method: 'POST', headers: { authorization: `Bearer ${fleet.token}` }, body: readFileSync(join(repoRoot(), 'samples/pcpp__tls2.pcap')) });
  const json = (await response.json()) as { modelId: string };
  if (response.status !== 201) throw new Error(`upload: ${response.status} ${JSON.stringify(json)}`);
  return json.modelId;
}

/** One paced run across every agent; the spread of their first packets around the common start. */
async function skewRun(fleet: LocalFleet, dir: string, model: string, seed: number) {
  const hosts = fleet.agents.length;
  const created = await api<{ run: { id: string; startAtUnixMs: number } }>(fleet, 'POST', '/v1/runs', { model, hosts, durationS: 1, rate: { unit: 'pps', value: 1000 * hosts }, seed, startLeadMs: 3000 });
  const detail = await waitUntil(async () => {
    const d = await api<RunDetail>(fleet, 'GET', `/v1/runs/${created.run.id}`);
    return isFinalRunStatus(d.run.status) ? d : undefined;
  }, 60_000, 200);
  if (detail?.run.status !== 'completed') throw new Error(`run ${created.run.id} ended ${detail?.run.status}`);
  const firsts = await Promise.all(detail.hosts.map((h) => firstPacketUnixNs(join(dir, 'captures', `${h.host}-${created.run.id}.pcap`))));
  const startNs = created.run.startAtUnixMs * 1e6;
  const skewUs = (Math.max(...firsts) - Math.min(...firsts)) / 1000;
  const offsetsUs = Object.fromEntries(detail.hosts.map((h, i) => [h.host, Math.round((firsts[i]! - startNs) / 100) / 10]));
  log(`run ${created.run.id.slice(0, 8)}: first packets within ${skewUs.toFixed(1)} us of each other; offsets from the start (us) ${JSON.stringify(offsetsUs)}`);
  return { runId: created.run.id, skewUs: Math.round(skewUs * 10) / 10, offsetsUs };
}

async function measureSkew(fleet: LocalFleet, dir: string, runs: number) {
  const model = await uploadSample(fleet);
  const perRun = [];
  for (let i = 0; i < runs; i++) perRun.push(await skewRun(fleet, dir, model, i + 1));
  const skews = perRun.map((r) => r.skewUs);
  const p50Us = median(skews);
  const maxUs = Math.max(...skews);
  const offsets = perRun.flatMap((r) => Object.values(r.offsetsUs).map(Math.abs));
  return { runs, p50Us, maxUs, offsetFromStartUs: { p50: median(offsets), max: Math.max(...offsets) }, goalUs: SKEW_GOAL_US, goalMet: maxUs < SKEW_GOAL_US, perRun };
}

async function measureUpload(fleet: LocalFleet, dir: string, mb: number, runs: number) {
  const trace = join(dir, 'upload.pcap');
  log(`writing a ${mb} MB synthetic trace`);
  await writeSyntheticTrace(trace, { targetBytes: mb * 1e6, flows: 5000, seed: 1 });
  log(`uploading it ${runs} time(s) to the fleet's trainer`);
  const result = await measureUploadToModel({
    tracePath: trace,
    trainer: { url: fleet.trainerUrl!, token: fleet.token },
    nats: { servers: fleet.nats.servers, user: fleet.nats.user, password: fleet.nats.password },
    runs,
    log,
  });
  rmSync(trace, { force: true });
  return result;
}

export async function runBench(args: string[]): Promise<object> {
  const quick = args.includes('--quick');
  const agents = option(args, '--agents', 3);
  const runs = option(args, '--runs', quick ? 3 : 7);
  const mb = option(args, '--mb', quick ? 20 : 100);
  const dir = mkdtempSync(join(tmpdir(), 'memoco-fleet-bench-'));
  log(`starting a local fleet with ${agents} agents in ${dir}`);
  const fleet = await LocalFleet.start({
    dir,
    agents: Array.from({ length: agents }, (_, i) => {
      const capture = join(dir, 'captures', `tx-${i + 1}-{runId}.pcap`);
      return { host: `tx-${i + 1}`, ports: [`net_pcap0,tx_pcap=${capture}`], capture };
    }),
    trainer: true,
    tag: false,
  });
  try {
    const engine = /engine ([\w-]+)/.exec(fleet.agents[0]!.process.output(200))?.[1] ?? 'unknown';
    const startSkew = await measureSkew(fleet, dir, runs);
    const uploadToModel = await measureUpload(fleet, dir, mb, quick ? 1 : 3);
    log('planning 1M flows over 1,000 hosts (fleet-plan bench)');
    const planning = await runPlanBench(quick ? ['--runs', '3'] : ['--runs', '5']);
    return {
      setup: { agents, skewRuns: runs, uploadMb: mb, engine, machine: '2 shared CPUs; every service and agent on this one host' },
      startSkew,
      uploadToModel,
      planning,
      goals: {
        startSkewMaxUnder1ms: startSkew.goalMet,
        modelWithin1sOfLastByte: uploadToModel.goalMet,
      },
      anchor: 'none (no fleet to compare with): absolute figures with their goals',
    };
  } finally {
    await fleet.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}
