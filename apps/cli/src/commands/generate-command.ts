import { DEFAULT_GENERATE_OPTIONS, generateTraceFile, MAX_DURATION_S, readFlowModelFile } from '@memoco/flow-model';
import { MemocoError } from '@memoco/protocol';
import type { DrainMode } from '@memoco/txcore';
import { numberOption, parseCommandArgs, requirePositionals } from '../cli-args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { generateToPort } from './generate-command-port.ts';

const HELP = `Usage: memoco generate <model> -o <out.pcap> [--duration S] [--seed N] [--speed X] [--tag] [--json]
       memoco generate <model> --port SPEC [--duration S] [--seed N] [--cores N]
                       [--speed X | --pps N | --topspeed] [--count N] [--tag] [--json]

Regenerates traffic from a flow model (memoco train): ONNX inference gives every flow's
packet counts per time bin, and the expander turns them into packets (times inside the
bin, sizes from the flow's distribution, headers from its template, valid IPv4/IPv6/
TCP/UDP checksums). The same model, seed and duration give the same packets.

-o writes a nanosecond pcap with the scheduled timestamps, as fast as it can (for
fidelity checks and other tools). --port sends the same packets (byte for byte, in the
same order) through a DPDK port with the native synthesis engine: paced, on N generation
cores (each flow bound to one) that keep one global order, in fixed memory whatever the
duration.

Options:
  -o, --output FILE    the trace to write (aside, renamed when complete)
  --port SPEC          a DPDK vdev or PCI address: net_null0 | net_pcap0,tx_pcap=out.pcap |
                       net_af_packet0,iface=veth0,qdisc_bypass=1 | 0000:3b:00.0
  --duration S         seconds of traffic (default: the trained trace's own length); past
                       it the trained window repeats (docs/flow-models.md, continuation)
  --seed N             0..4294967295 (default ${DEFAULT_GENERATE_OPTIONS.seed})
  --speed X            original timing, X times as fast (default 1); with -o: timestamps / X
  --pps N              (--port) N packets per second
  --topspeed           (--port) as fast as the port takes them
  --cores N            (--port) generation cores (default 1)
  --count N            (--port) stop after N packets: the first N of the global order
                       (the same first N that -o writes); --pps N --count M lasts M / N s
  --tag                end every frame with the 24-byte sequence trailer memoco
                       verify-order --tags checks
  --json               print one JSON object. -o: modelId, packets, bytes, flows, durationS,
                       seed, generateSeconds, pps, output. --port: memoco replay's figures
                       (packets, bytes, seconds, pps, gbps, late, lateness, perCore,
                       peakRssMb, stopped) and modelId, seed, durationS

Engine and EAL (--port): --drain flush|lcore, --late-us N, --memory-mb N, --hugepages,
--dpdk-log, as for memoco replay. Ctrl-C stops cleanly and prints what was sent (exit 130).
`;

const OPTIONS = {
  output: { type: 'string', short: 'o' },
  port: { type: 'string' },
  duration: { type: 'string' },
  seed: { type: 'string' },
  speed: { type: 'string' },
  pps: { type: 'string' },
  topspeed: { type: 'boolean' },
  cores: { type: 'string' },
  count: { type: 'string' },
  tag: { type: 'boolean' },
  json: { type: 'boolean' },
  drain: { type: 'string' },
  'late-us': { type: 'string' },
  'memory-mb': { type: 'string' },
  hugepages: { type: 'boolean' },
  'dpdk-log': { type: 'boolean' },
} as const;
const PORT_ONLY = ['pps', 'topspeed', 'cores', 'count', 'drain', 'late-us', 'memory-mb', 'hugepages', 'dpdk-log'] as const;

type Values = ReturnType<typeof parseCommandArgs<typeof OPTIONS>>['values'];

function usage(message: string): MemocoError {
  return new MemocoError('CLI_ERR_USAGE', `generate: ${message} (see memoco generate --help)`);
}

/** `memoco generate`: -o is libs/flow-model's generateTraceFile, --port the native engine. */
export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'Regenerate traffic from a flow model into a pcap or through a DPDK port',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('generate', args, OPTIONS);
    const [modelPath] = requirePositionals('generate', positionals, ['model']);
    if (Boolean(values.output) === Boolean(values.port)) throw usage('give exactly one of -o <out.pcap> and --port SPEC');
    const durationS = numberOption('generate', 'duration', values.duration, { min: 1e-9 });
    if (durationS !== undefined && durationS > MAX_DURATION_S) throw usage(`--duration must be at most ${MAX_DURATION_S} s, got '${values.duration}'`);
    const seed = numberOption('generate', 'seed', values.seed, { integer: true, min: 0 });
    const speed = numberOption('generate', 'speed', values.speed, { min: 1e-9 });
    if (values.port) return toPort(values, modelPath!, { durationS, seed, speed }, io);
    const extra = PORT_ONLY.find((name) => values[name] !== undefined);
    if (extra) throw usage(`--${extra} applies to --port only`);
    return toFile(values, modelPath!, { durationS, seed, speed }, io);
  },
};

interface Common {
  durationS: number | undefined;
  seed: number | undefined;
  speed: number | undefined;
}

function toPort(values: Values, modelPath: string, c: Common, io: CliIo): Promise<number> {
  const num = (name: string, raw: string | undefined, integer = false) => numberOption('generate', name, raw, { integer });
  return generateToPort(
    {
      model: readFlowModelFile(modelPath), port: values.port!, ...c, cores: num('cores', values.cores, true), pps: num('pps', values.pps),
      topspeed: values.topspeed, count: numberOption('generate', 'count', values.count, { integer: true, min: 1 }), tag: values.tag ?? false, json: values.json ?? false, drain: values.drain as DrainMode | undefined,
      lateUs: num('late-us', values['late-us']), memoryMb: num('memory-mb', values['memory-mb'], true), hugepages: values.hugepages ?? false,
      dpdkLog: values['dpdk-log'] ?? false,
    },
    io,
  );
}

async function toFile(values: Values, modelPath: string, { durationS, seed, speed }: Common, io: CliIo): Promise<number> {
  const loaded = readFlowModelFile(modelPath);
  let drawn = false;
  const result = await generateTraceFile(loaded, values.output!, { durationS, seed, speed, tag: values.tag ?? false }, {
    signal: io.signal,
    onProgress: io.isTty
      ? (fraction) => {
          drawn = true;
          io.err(`\rgenerating: ${(fraction * 100).toFixed(0)}%\x1b[K`);
        }
      : undefined,
  });
  if (drawn) io.err('\r\x1b[K');
  const out = { ...result, output: values.output };
  if (values.json) io.out(`${JSON.stringify(out)}\n`);
  else {
    io.out(
      `trace      ${values.output}\n` +
        `model      ${result.modelId}\n` +
        `packets    ${result.packets} (${result.flows} flows, ${result.bytes} bytes) over ${result.durationS.toFixed(3)} s, seed ${result.seed}\n` +
        `written in ${result.generateSeconds.toFixed(2)} s (${(result.pps / 1e6).toFixed(3)} Mpps)\n`,
    );
  }
  return 0;
}
