import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareTraces, type FidelityMetrics } from '@memoco/fidelity';
import { loadFlowModel } from '@memoco/flow-model';
import { inspectTrace } from '@memoco/pcap';
import { MemocoError } from '@memoco/protocol';
import { verifyOrder } from '@memoco/replay-check';
import type { RunDetail, RunRecord } from '@memoco/run-store';
import { numberOption, parseCommandArgs, requirePositionals } from '../cli-args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { mergeCaptures } from '../fleet/capture-merger.ts';
import { FleetClient } from '../fleet/fleet-client.ts';
import { formatRuns } from '../fleet/fleet-format.ts';
import { LocalFleet } from '../fleet/local-fleet.ts';
import { followRun, progressLine } from '../fleet/run-follower.ts';
import { uploadTrace } from './upload-command-client.ts';

const NAME = 'demo';
const MAX_AGENTS = 8;

/** The sample that ships in the repo (samples/README.md: public domain), so a fresh clone runs. */
export const DEMO_SAMPLE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../samples/pcpp__tls2.pcap');

const HELP = `Usage: memoco demo [--trace FILE] [--agents N] [--duration S] [--seed N] [--dir DIR] [--json]

The whole fleet on this machine, on one capture, started and stopped by the demo itself:
  1. inspect the capture (default: samples/pcpp__tls2.pcap, shipped in the repo)
  2. start a local fleet: nats-server, the controller, the trainer and N TX agents (memoco up)
  3. upload the capture to the trainer, which trains a flow model while it arrives
  4. run the model across the agents: the controller splits its flows among them and sets a
     common start; each agent regenerates its share through DPDK (net_pcap: a file per agent),
     the model's whole window sent in S seconds
  5. check each agent's output order (verify-order --tags on its capture)
  6. score the fleet's output (the agents' captures merged, at the original's pace) against
     the original capture (fidelity), and print the run history

Options:
  --trace FILE     the capture to use (pcap or pcapng)
  --agents N       TX agents (default 2)
  --duration S     seconds the run lasts (default 5): the window is sent S / window times as fast
  --seed N         seed of the run (default 1: the same packets every time)
  --dir DIR        keep the fleet's directory (logs, captures, stores) there; default: a
                   temporary directory removed at the end
  --json           one JSON object: trace, packets, flows, modelId, runId, status, hosts
                   [{host, packets, outOfOrder}], fidelity, history
`;

interface DemoOptions {
  trace: string;
  agents: number;
  durationS: number;
  seed: number;
  dir: string;
}

interface DemoReport {
  trace: string;
  packets: number;
  flows: number;
  modelId: string;
  modelBytes: number;
  runId: string;
  status: string;
  durationS: number;
  speed: number;
  hosts: { host: string; status: string; packets: number; outOfOrder: number; missing: number }[];
  fidelity: FidelityMetrics;
  history: RunRecord[];
}

export const demoCommand: CliCommand = {
  name: NAME,
  summary: 'the whole fleet on a sample capture: upload, train, run across N agents, verify, score',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(NAME, args, {
      trace: { type: 'string' }, agents: { type: 'string' }, duration: { type: 'string' }, seed: { type: 'string' }, dir: { type: 'string' }, json: { type: 'boolean' },
    });
    requirePositionals(NAME, positionals, []);
    const agents = numberOption(NAME, 'agents', values.agents, { integer: true, min: 1 }) ?? 2;
    if (agents > MAX_AGENTS) throw new MemocoError('CLI_ERR_USAGE', `${NAME}: --agents must be at most ${MAX_AGENTS}, got ${agents}`);
    const durationS = numberOption(NAME, 'duration', values.duration, { min: 1 }) ?? 5;
    const seed = numberOption(NAME, 'seed', values.seed, { integer: true }) ?? 1;
    const dir = values.dir ? resolve(values.dir) : mkdtempSync(join(tmpdir(), 'memoco-demo-'));
    try {
      const report = await runDemo({ trace: values.trace ?? DEMO_SAMPLE, agents, durationS, seed, dir }, io);
      io.out(values.json ? `${JSON.stringify(report)}\n` : formatDemo(report));
      if (report.status !== 'completed') throw new MemocoError('FLEET_ERR_DEMO_CHECK', demoProblem(report));
      return 0;
    } finally {
      if (!values.dir) rmSync(dir, { recursive: true, force: true });
    }
  },
};

async function runDemo(o: DemoOptions, io: CliIo): Promise<DemoReport> {
  const step = (text: string) => void (io.signal.aborted || io.err(`demo: ${text}\n`));
  step(`inspecting ${o.trace}`);
  const inspected = await inspectTrace(o.trace);
  if (inspected.error) {
    const { code, message, offset, record } = inspected.error;
    throw new MemocoError(code, `${o.trace}: ${message} (offset ${offset}, record ${record})`, { offset, record });
  }
  step(`starting a local fleet in ${o.dir}: nats-server, controller, trainer, ${o.agents} agents`);
  const fleet = await LocalFleet.start({ dir: o.dir, agents: agentLaunches(o.dir, o.agents), trainer: true });
  try {
    return { trace: o.trace, packets: inspected.packets, flows: inspected.flows, ...(await demoOnFleet(fleet, o, io, step)) };
  } finally {
    step('stopping the fleet');
    await fleet.stop();
  }
}

/** Upload, run, check and score on a fleet that is up. */
async function demoOnFleet(fleet: LocalFleet, o: DemoOptions, io: CliIo, step: (text: string) => void): Promise<Omit<DemoReport, 'trace' | 'packets' | 'flows'>> {
  const client = new FleetClient({ controllerUrl: fleet.controllerUrl, trainerUrl: fleet.trainerUrl, token: fleet.token, source: 'memoco demo' });
  step(`uploading ${o.trace} to the trainer at ${fleet.trainerUrl}`);
  const upload = await uploadTrace(o.trace, { trainerUrl: fleet.trainerUrl!, token: fleet.token, signal: io.signal });
  const modelId = upload.model.modelId;
  const windowS = await modelWindowSeconds(fleet, modelId);
  const speed = windowS / o.durationS;
  step(`model ${modelId.slice(0, 12)} (${upload.model.bytes} bytes); running its ${windowS.toFixed(1)} s window on ${o.agents} agents in ${o.durationS} s (x${speed.toFixed(2)})`);
  const created = await client.post<{ run: { id: string } }>('/v1/runs', { model: modelId, hosts: o.agents, durationS: o.durationS, rate: { unit: 'scale', value: speed }, seed: o.seed });
  let last = '';
  const { detail } = await followRun(client, created.run.id, {
    signal: io.signal,
    onUpdate: (d) => {
      const shape = progressLine(d).replace(/[\d,.]+/g, '');
      if (shape !== last) step(progressLine(d));
      last = shape;
    },
  });
  step("checking each agent's output order (verify-order --tags on its capture)");
  const hosts = await checkCaptures(o.dir, detail);
  step("scoring the fleet's output (the captures merged, at the original's pace) against the original");
  const merged = join(o.dir, 'captures', `merged-${detail.run.id}.pcap`);
  await mergeCaptures(hosts.map((h) => h.capture), merged, { timeScale: speed });
  const fidelity = await compareTraces(o.trace, merged);
  const history = (await client.get<{ runs: RunRecord[] }>('/v1/runs?limit=10')).runs;
  const status = detail.run.status === 'completed' && !hosts.every((h) => h.ok) ? 'failed' : detail.run.status;
  return {
    modelId, modelBytes: Number(upload.model.bytes), runId: detail.run.id, status, durationS: o.durationS, speed,
    hosts: hosts.map(({ host, status: s, packets, outOfOrder, missing }) => ({ host, status: s, packets, outOfOrder, missing })), fidelity, history,
  };
}

function agentLaunches(dir: string, agents: number) {
  return Array.from({ length: agents }, (_, i) => {
    const capture = join(dir, 'captures', `agent-${i + 1}-{runId}.pcap`);
    return { host: `agent-${i + 1}`, ports: [`net_pcap0,tx_pcap=${capture}`], capture };
  });
}

/** The model's window (its bins x bin width), read from the model the trainer stored. */
async function modelWindowSeconds(fleet: LocalFleet, modelId: string): Promise<number> {
  const response = await fetch(`${fleet.trainerUrl}/v1/models/${modelId}/content`, { headers: { authorization: `Bearer ${fleet.token}` } });
  if (!response.ok) throw new MemocoError('FLEET_ERR_BAD_RESPONSE', `the trainer answered ${response.status} for model ${modelId}'s content`);
  const { info } = loadFlowModel(new Uint8Array(await response.arrayBuffer())).model;
  return (info.windowBins * info.binNs) / 1e9;
}

/** Each agent's capture checked by its sequence tags, against what the agent reported. */
async function checkCaptures(dir: string, detail: RunDetail) {
  return Promise.all(detail.hosts.map(async (part) => {
    const capture = join(dir, 'captures', `${part.host}-${detail.run.id}.pcap`);
    const order = await verifyOrder(capture, { tags: true, expectedCount: part.packets });
    return { host: part.host, status: part.status, packets: part.packets, capture, outOfOrder: order.outOfOrder, missing: order.missing, ok: order.ok && order.received === part.packets };
  }));
}

function demoProblem(r: DemoReport): string {
  const bad = r.hosts.filter((h) => h.status !== 'completed' || h.outOfOrder > 0 || h.missing > 0);
  return `run ${r.runId} ended ${r.status}: ${bad.map((h) => `${h.host} ${h.status}, ${h.outOfOrder} out of order, ${h.missing} missing`).join('; ') || 'see memoco runs show'}`;
}

function formatDemo(r: DemoReport): string {
  const f = r.fidelity;
  return [
    `trace       ${r.trace}: ${r.packets} packets, ${r.flows} flows`,
    `model       ${r.modelId} (${r.modelBytes} bytes)`,
    `run         ${r.runId}: ${r.status}, ${r.hosts.length} agents, ${r.durationS} s at x${r.speed.toFixed(2)}`,
    ...r.hosts.map((h) => `  ${h.host.padEnd(9)} ${h.status}, ${h.packets} packets, out of order ${h.outOfOrder}, missing ${h.missing}`),
    `fidelity    packets x${f.packetsRatio.toFixed(3)}, flows x${f.flowsRatio.toFixed(3)}, rate NRMSE 1 s ${f.rateNrmse['1s'].toFixed(3)}, packet-size JSD ${f.pktSizeJsd.toFixed(3)}`,
    '',
    'run history:',
    formatRuns(r.history),
  ].join('\n');
}
