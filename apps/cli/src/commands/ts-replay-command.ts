import { readFileSync } from 'node:fs';
import { MemocoError } from '@memoco/protocol';
import { parseFlowMap } from '@memoco/tsarchive';
import { DEFAULT_TS_REPLAY_OPTIONS, parsePortSpec, parseTsReplayOptions, TxRuntime, type TsFlowRule, type TsPayload, type TsTxPriority, type TsReplayOptionsInput } from '@memoco/txcore';
import { numberOption, parseCommandArgs, requirePositionals } from '../cli-args.ts';
import type { CliCommand } from '../cli-command.ts';
import { formatTsReplayResult, tsProgressLine, tsReplayJson } from './ts-replay-command-output.ts';

const NAME = 'ts replay';
const D = DEFAULT_TS_REPLAY_OPTIONS;

const HELP = `Usage: memoco ts replay <archive> --port SPEC [options] [--json]

Replays a time-series archive (paper 2 format) through a DPDK port: every record becomes a
UDP payload, sent at its timestamp (time-conforming), paced by TSC from the first record.
One IO thread reads the archive into each worker's two buffers, worker threads queue the
records, TX threads send them; memory does not grow with the archive.

  --port SPEC             net_null0 | net_pcap0,tx_pcap=out.pcap | net_af_packet0,iface=X | PCI address
Timing (default: time-conforming):
  --fast-forward F        timestamps scaled by 1/F (F > 1 is faster)
  --tight-loop-ns N       record n is due at n x N ns, timestamps ignored (0: as fast as possible)
  --drift-us T            send a record only while now <= its time + T (whole us from the start);
                          later: dropped, counted as a time violation (default: no window)
Out-of-order simulation:
  --ooo-probability P     each record goes the out-of-order way with probability P ...
  --ooo-window-us W       ... and is sent up to W us late (a uniform 0..W delay)
  --ooo-threads K         out-of-order TX threads (default 1)
  --seed N                seed of the out-of-order choices (default ${D.seed})
Flows (device -> UDP 5-tuple):
  --flows map.json        {"flows":[{"devices":[...],"src":"IP:PORT","dst":"IP:PORT"}]}
  --flow-rule RULE        devices not in the map: port-per-device (default: source port
                          base + n for the n-th device) | single (all on one flow)
  --src IP[:PORT]         the rule's source (default ${D.base.srcIp}:${D.base.srcPort})
  --dst IP:PORT           the rule's destination (default ${D.base.dstIp}:${D.base.dstPort})
  --src-mac M, --dst-mac M  Ethernet addresses (default ${D.base.srcMac}, ${D.base.dstMac})
  --payload data|record   the UDP payload: the record's Data (default) or the whole record
  --per-flow              report sent and dropped per flow
Threads:
  --io 1                  IO threads (one: it cuts chunks at record boundaries)
  --workers N             worker threads (default ${D.workers}), each with two buffers
  --tx N                  TX threads (default ${D.tx})
  --tx-priority P         auto (default: SCHED_FIFO when each TX thread gets its own CPU and
                          one is left over, else nice -20) | realtime (SCHED_FIFO) | nice
  --buffer-mb N           size of each buffer (default ${D.bufferMb})
  --late-us N             a record sent more than N us after its time counts as late (default ${D.lateUs})
  --memory-mb N, --hugepages, --dpdk-log   EAL memory (default 1024), hugepages, DPDK's log
  --json                  print one JSON object at the end

Prints records, sent, dropped, outOfOrder, lateness {p50Us, p99Us, maxUs}, pps (and perFlow
with --per-flow). Ctrl-C stops cleanly and prints what was sent (exit 130). A bad record
mid-way: the records before it are sent, the figures printed, then the coded error (exit 1).
`;

const OPTIONS = {
  port: { type: 'string' }, io: { type: 'string' }, workers: { type: 'string' }, tx: { type: 'string' },
  'fast-forward': { type: 'string' }, 'tight-loop-ns': { type: 'string' }, 'drift-us': { type: 'string' },
  'ooo-probability': { type: 'string' }, 'ooo-window-us': { type: 'string' }, 'ooo-threads': { type: 'string' }, seed: { type: 'string' },
  flows: { type: 'string' }, 'flow-rule': { type: 'string' }, src: { type: 'string' }, dst: { type: 'string' },
  'src-mac': { type: 'string' }, 'dst-mac': { type: 'string' }, payload: { type: 'string' }, 'per-flow': { type: 'boolean' },
  'tx-priority': { type: 'string' }, 'buffer-mb': { type: 'string' }, 'late-us': { type: 'string' },
  'memory-mb': { type: 'string' }, hugepages: { type: 'boolean' }, 'dpdk-log': { type: 'boolean' }, json: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

function readFlowMap(path: string, v: Values) {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new MemocoError('CLI_ERR_USAGE', `${NAME}: cannot read --flows ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  return parseFlowMap(text, path, { srcMac: v['src-mac'] ?? D.base.srcMac, dstMac: v['dst-mac'] ?? D.base.dstMac });
}

function optionsInput(archive: string, v: Values): TsReplayOptionsInput {
  const num = (name: keyof Values & string, integer = false) => numberOption(NAME, name, v[name] as string | undefined, { integer });
  return {
    archive, port: parsePortSpec(v.port!), io: num('io', true), workers: num('workers', true), tx: num('tx', true),
    fastForward: num('fast-forward'), tightLoopNs: num('tight-loop-ns', true), driftUs: num('drift-us', true),
    oooProbability: num('ooo-probability'), oooWindowUs: num('ooo-window-us', true), oooThreads: num('ooo-threads', true), seed: num('seed', true),
    flowMap: v.flows ? readFlowMap(v.flows, v) : undefined, flowRule: v['flow-rule'] as TsFlowRule | undefined,
    src: v.src, dst: v.dst, srcMac: v['src-mac'], dstMac: v['dst-mac'], payload: v.payload as TsPayload | undefined,
    perFlow: v['per-flow'], txPriority: v['tx-priority'] as TsTxPriority | undefined, bufferMb: num('buffer-mb', true), lateUs: num('late-us', true),
  };
}

export const tsReplayCommand: CliCommand = {
  name: NAME,
  summary: 'replay a time-series archive as UDP, each record at its timestamp (paper 2)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(NAME, args, OPTIONS);
    const [archive] = requirePositionals(NAME, positionals, ['archive']) as [string];
    if (!values.port) throw new MemocoError('CLI_ERR_USAGE', `${NAME}: --port SPEC is required (see memoco ${NAME} --help)`);
    const options = parseTsReplayOptions(optionsInput(archive, values));
    const threads = options.tx + (options.ooo?.threads ?? 0);
    const runtime = TxRuntime.start({
      hugepages: values.hugepages ?? false,
      memoryMb: numberOption(NAME, 'memory-mb', values['memory-mb'], { integer: true }) ?? 1024,
      workerLcores: Math.max(4, threads),
      pciAllow: options.port.kind === 'pci' ? [options.port.name] : [],
      echoLogs: values['dpdk-log'] ?? false,
    });
    const run = runtime.startTsReplay(options);
    const result = await run.watch({ signal: io.signal, intervalMs: 250, onStats: io.isTty ? (s) => io.err(`\r${tsProgressLine(s)}\x1b[K`) : undefined });
    if (io.isTty) io.err('\r\x1b[K');
    io.out(values.json ? `${JSON.stringify(tsReplayJson(result, options))}\n` : formatTsReplayResult(result));
    if (result.failure) throw result.failure;
    return result.stopped ? 130 : 0;
  },
};
