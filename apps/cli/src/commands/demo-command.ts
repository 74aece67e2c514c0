import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareTraces, type FidelityMetrics } from '@memoco/fidelity';
import { generateTraceFile, readFlowModelFile, trainTraceToFile } from '@memoco/flow-model';
import { inspectTrace } from '@memoco/pcap';
import { MemocoError } from '@memoco/protocol';
import { verifyOrder } from '@memoco/replay-check';
import { TxRuntime } from '@memoco/txcore';
import { parseCommandArgs } from '../cli-args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';

const NAME = 'demo';

/** The sample that ships in the repo (samples/README.md: public domain), so a fresh clone runs. */
export const DEMO_SAMPLE = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../samples/pcpp__tls2.pcap');

const HELP = `Usage: memoco demo [--trace FILE] [--dir DIR] [--cores N] [--json]

The whole single-host pipeline on one capture, with no services to set up:
  1. inspect the capture (default: samples/pcpp__tls2.pcap, shipped in the repo)
  2. train a flow model from it (online linear regression per flow, one ONNX file)
  3. regenerate the traffic from the model into a pcap
  4. send the regenerated trace through DPDK (net_pcap port) on N cores in one global order
  5. check what left the port against what should have (verify-order: missing, out of order)
  6. score the regenerated traffic against the original (fidelity)

Options:
  --trace FILE   the capture to use (pcap or pcapng)
  --dir DIR      keep the model, regenerated trace and port capture there (default: a
                 temporary directory, removed at the end)
  --cores N      DPDK generation cores (default 2)
  --json         one JSON object: trace, packets, flows, modelId, status, hosts
                 [{host, packets, outOfOrder}], order, fidelity
`;

export const demoCommand: CliCommand = {
  name: NAME,
  summary: 'run the whole pipeline on a sample capture: inspect, train, regenerate, send, verify, score',
  help: HELP,
  async run(args, io) {
    const { values } = parseCommandArgs(NAME, args, {
      trace: { type: 'string' }, dir: { type: 'string' }, cores: { type: 'string' }, json: { type: 'boolean' },
    });
    const cores = values.cores === undefined ? 2 : Number(values.cores);
    if (!Number.isInteger(cores) || cores < 1 || cores > 8) throw new MemocoError('CLI_ERR_USAGE', `${NAME}: --cores must be an integer 1..8, got '${values.cores}'`);
    const work = values.dir ? resolve(values.dir) : mkdtempSync(join(tmpdir(), 'memoco-demo-'));
    mkdirSync(work, { recursive: true });
    try {
      const report = await runDemo(values.trace ?? DEMO_SAMPLE, work, cores, io);
      io.out(values.json ? `${JSON.stringify(report)}\n` : formatDemo(report));
      return report.status === 'completed' ? 0 : 1;
    } finally {
      if (!values.dir) rmSync(work, { recursive: true, force: true });
    }
  },
};

interface DemoReport {
  trace: string;
  packets: number;
  flows: number;
  modelId: string;
  modelBytes: number;
  status: 'completed' | 'failed';
  hosts: { host: string; packets: number; outOfOrder: number }[];
  order: { expected: number; received: number; missing: number; duplicates: number; outOfOrder: number };
  replay: { packets: number; pps: number; cores: number };
  fidelity: FidelityMetrics;
}

async function runDemo(trace: string, work: string, cores: number, io: CliIo): Promise<DemoReport> {
  const step = (text: string) => { if (!io.signal.aborted) io.err(`demo: ${text}\n`); };
  step(`inspecting ${trace}`);
  const inspected = await inspectTrace(trace);
  if (inspected.error) {
    const { code, message, offset, record } = inspected.error;
    throw new MemocoError(code, `${trace}: ${message} (offset ${offset}, record ${record})`, { offset, record });
  }
  const modelPath = join(work, 'model.onnx');
  step(`training a flow model from ${inspected.packets} packets in ${inspected.flows} flows`);
  const trained = await trainTraceToFile(trace, modelPath, {}, { signal: io.signal });
  const regenerated = join(work, 'regenerated.pcap');
  step(`regenerating ${trained.traceSeconds.toFixed(1)} s of traffic from model ${trained.modelId.slice(0, 12)}`);
  await generateTraceFile(readFlowModelFile(modelPath), regenerated, {}, { signal: io.signal });
  const capture = join(work, 'port-capture.pcap');
  step(`sending it through DPDK (net_pcap) on ${cores} cores at top speed, in one global order`);
  const runtime = TxRuntime.start({ workerLcores: Math.max(4, cores + 1) });
  const sent = await runtime.startReplay({ trace: regenerated, port: `net_pcap0,tx_pcap=${capture}`, cores, topspeed: true }).watch({ signal: io.signal });
  if (sent.failure) throw sent.failure;
  step('checking what left the port against what should have');
  const order = await verifyOrder(capture, { against: regenerated });
  step('scoring the regenerated traffic against the original');
  const fidelity = await compareTraces(trace, regenerated);
  const ok = order.ok && !sent.stopped;
  return {
    trace, packets: inspected.packets, flows: inspected.flows, modelId: trained.modelId, modelBytes: trained.bytes,
    status: ok ? 'completed' : 'failed',
    hosts: [{ host: 'local', packets: sent.packets, outOfOrder: order.outOfOrder }],
    order: { expected: order.expected, received: order.received, missing: order.missing, duplicates: order.duplicates, outOfOrder: order.outOfOrder },
    replay: { packets: sent.packets, pps: sent.pps, cores },
    fidelity,
  };
}

function formatDemo(r: DemoReport): string {
  const f = r.fidelity;
  return [
    `trace       ${r.trace}: ${r.packets} packets, ${r.flows} flows`,
    `model       ${r.modelId} (${r.modelBytes} bytes)`,
    `sent        ${r.replay.packets} packets on ${r.replay.cores} cores, ${(r.replay.pps / 1e6).toFixed(2)} Mpps`,
    `order       expected ${r.order.expected}, received ${r.order.received}, missing ${r.order.missing}, duplicates ${r.order.duplicates}, out of order ${r.order.outOfOrder}`,
    `fidelity    packets x${f.packetsRatio.toFixed(3)}, flows x${f.flowsRatio.toFixed(3)}, rate NRMSE 1 s ${f.rateNrmse['1s'].toFixed(3)}, packet-size JSD ${f.pktSizeJsd.toFixed(3)}`,
    `status      ${r.status}`,
    '',
  ].join('\n');
}
