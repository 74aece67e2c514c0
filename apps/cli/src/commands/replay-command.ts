import { MemocoError } from '@memoco/protocol';
import { parsePortSpec, parseReplayOptions, TxRuntime, type DrainMode, type OrderMode, type ReplayResult, type ReplayStats } from '@memoco/txcore';
import { numberOption, parseCommandArgs, requirePositionals } from '../cli-args.ts';
import type { CliCommand } from '../cli-command.ts';

const NAME = 'replay';

const HELP = `Usage: memoco replay <trace> --port SPEC [--cores N] [--speed X | --pps N | --mbps N | --topspeed]
                     [--loop N] [--count N] [--tag] [--json]

Replays a pcap/pcapng trace exactly (every packet, byte for byte, in trace order) through
a DPDK port, on N generation cores that keep ONE global order (the MEMOCO sequence
ring), streaming the trace through two fixed buffers: memory does not grow with the trace.

  --port SPEC      a DPDK vdev or PCI address: net_null0 | net_pcap0,tx_pcap=out.pcap |
                   net_af_packet0,iface=veth0,qdisc_bypass=1 | 0000:3b:00.0
  --cores N        generation cores; each flow (bidirectional 5-tuple) stays on one (default 1)
  --order MODE     global (default): every packet in the trace's order, one TX queue |
                   flow: one TX queue per core, only each flow's order is kept (faster on
                   kernel-path ports: the queues send in parallel)
  --speed X        original timing, X times as fast (default: --speed 1)
  --pps N          N packets per second
  --mbps N         N Mbit/s of frame bytes
  --topspeed       as fast as the port takes them
  --loop N         replay N times, the timeline continuing across loops; 0 = until Ctrl-C
  --count N        stop after N packets (across loops), as tcpreplay --limit does
  --tag            write the 24-byte sequence trailer into every packet (memoco verify-order --tags)
  --json           print one JSON object at the end

Engine and EAL:
  --buffer-mb N    size of each of the two trace buffers (default 64)
  --drain MODE     flush (default: the core whose commit made the oldest block ready sends) |
                   lcore (a dedicated drain lcore: for hosts with a CPU to spare)
  --late-us N      a packet sent more than N us after its due time counts as late (default 10)
  --memory-mb N    EAL memory (default 1024)
  --hugepages      use hugepages (a real host); default --no-huge
  --dpdk-log       copy DPDK's log to stderr

Prints packets, bytes, seconds, pps, gbps, late, lateness {p50Us, p99Us, maxUs} (paced runs;
0 at --topspeed), perCore [{core, packets, ...}] and peakRssMb. Ctrl-C stops cleanly: the
figures of what was sent are printed and a tx_pcap file is left complete. A trace corrupt
mid-way stops the replay: the figures are printed, then the coded error (exit 1).
`;

export const replayCommand: CliCommand = {
  name: NAME,
  summary: 'replay a trace exactly through a DPDK port on N cores, in one global order',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(NAME, args, {
      port: { type: 'string' }, cores: { type: 'string' }, order: { type: 'string' }, speed: { type: 'string' }, pps: { type: 'string' },
      mbps: { type: 'string' }, topspeed: { type: 'boolean' }, loop: { type: 'string' }, count: { type: 'string' }, tag: { type: 'boolean' },
      json: { type: 'boolean' }, 'buffer-mb': { type: 'string' }, drain: { type: 'string' }, 'late-us': { type: 'string' },
      'memory-mb': { type: 'string' }, hugepages: { type: 'boolean' }, 'dpdk-log': { type: 'boolean' },
    });
    const [trace] = requirePositionals(NAME, positionals, ['trace']) as [string];
    if (!values.port) throw new MemocoError('CLI_ERR_USAGE', `${NAME}: --port SPEC is required (see memoco ${NAME} --help)`);
    const num = (name: string, raw: string | undefined, integer = false) => numberOption(NAME, name, raw, { integer });
    const options = parseReplayOptions({
      trace, port: parsePortSpec(values.port), cores: num('cores', values.cores, true), speed: num('speed', values.speed),
      pps: num('pps', values.pps), mbps: num('mbps', values.mbps), topspeed: values.topspeed, loops: num('loop', values.loop, true),
      maxPackets: numberOption(NAME, 'count', values.count, { integer: true, min: 1 }), tag: values.tag, bufferMb: num('buffer-mb', values['buffer-mb'], true), drain: values.drain as DrainMode | undefined,
      lateUs: num('late-us', values['late-us']), order: values.order as OrderMode | undefined,
    });
    const runtime = TxRuntime.start({
      hugepages: values.hugepages ?? false,
      memoryMb: num('memory-mb', values['memory-mb'], true) ?? 1024,
      workerLcores: Math.max(4, options.cores + 1),
      pciAllow: options.port.kind === 'pci' ? [options.port.name] : [],
      echoLogs: values['dpdk-log'] ?? false,
    });
    const run = runtime.startReplay(options);
    const result = await run.watch({ signal: io.signal, intervalMs: 250, onStats: io.isTty ? (s) => io.err(`\r${progressLine(s)}\x1b[K`) : undefined });
    if (io.isTty) io.err('\r\x1b[K');
    io.out(values.json ? `${JSON.stringify(resultJson(result))}\n` : formatResult(result));
    if (result.failure) throw result.failure;
    return result.stopped ? 130 : 0;
  },
};

function progressLine(s: ReplayStats): string {
  return `${NAME}: ${s.packets.toLocaleString('en-US')} packets  ${(s.pps / 1e6).toFixed(2)} Mpps  ${s.gbps.toFixed(2)} Gbps  late ${s.late}`;
}

/** The JSON the issue names (plus stopped, and the failure when the trace broke). */
export function resultJson(r: ReplayResult): Record<string, unknown> {
  return {
    packets: r.packets, bytes: r.bytes, seconds: r.seconds, pps: r.pps, gbps: r.gbps, late: r.late, lateness: r.lateness,
    perCore: r.perCore.map(({ core, packets, bytes, late, ringStalls, blocks }) => ({ core, packets, bytes, late, ringStalls, blocks })),
    peakRssMb: r.peakRssMb, stopped: r.stopped, ...(r.failure ? { error: r.failure.toJSON() } : {}),
  };
}

export function formatResult(r: ReplayResult): string {
  const { p50Us, p99Us, maxUs } = r.lateness;
  return [
    `${NAME}: ${r.packets.toLocaleString('en-US')} packets, ${(r.bytes / 1e6).toFixed(2)} MB in ${r.seconds.toFixed(3)} s: ${(r.pps / 1e6).toFixed(3)} Mpps, ${r.gbps.toFixed(3)} Gbps${r.stopped ? ' (stopped)' : ''}`,
    `late: ${r.late} (lateness p50 ${p50Us} us, p99 ${p99Us} us, max ${maxUs} us)`,
    `cores: ${r.perCore.map((c) => `${c.core}: ${c.packets.toLocaleString('en-US')}`).join('  ')}`,
    `peak RSS: ${r.peakRssMb} MB`,
    '',
  ].join('\n');
}
