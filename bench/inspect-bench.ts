/**
 * `npm run bench -- inspect [--quick] [--dir DIR] [--runs N]` (issue 2): generates large
 * pcaps of small packets, then in the same run times libpcap's own read
 * (`tcpdump -r FILE -w /dev/null`, the anchor) and Memoco's reader decoding every packet
 * into flows, and measures the peak RSS of `memoco inspect` at two file sizes.
 *
 * Figures: medians over --runs alternating runs; ratio = ours / tcpdump (above 1 = faster).
 * The generated files are deleted at the end.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspectTrace, PcapWriter } from '@memoco/pcap';

const MB = 1e6;
const CLI = join(dirname(fileURLToPath(import.meta.url)), '..', 'apps', 'cli', 'bin', 'memoco.mjs');

interface InspectBenchOptions {
  sizesBytes: [number, number];
  dir: string;
  runs: number;
}

function parseInspectBenchOptions(args: string[]): InspectBenchOptions {
  const quick = args.includes('--quick');
  const value = (name: string) => { const at = args.indexOf(name); return at >= 0 ? args[at + 1] : undefined; };
  const runs = Number(value('--runs') ?? 3);
  if (!Number.isInteger(runs) || runs < 1) throw new Error(`--runs must be a positive integer, got ${value('--runs')}`);
  const dir = value('--dir') ?? tmpdir();
  if (!existsSync(dir)) throw new Error(`--dir ${dir} does not exist`);
  return { sizesBytes: quick ? [200 * MB, 800 * MB] : [1000 * MB, 4000 * MB], dir, runs };
}

/**
 * 64-byte Ethernet/IPv4/UDP frames 1 us apart from 1000 source ports (the anchor's
 * gen-udp-pcap.py shape), through PcapWriter, until the file reaches `bytes`.
 */
async function generateCapture(path: string, bytes: number): Promise<number> {
  const frame = Buffer.from(
    '020000000002' + '020000000001' + '0800' // Ethernet
    + '4500003200000000' + '40110000' + '0a630001' + '0a630002' // IPv4 10.99.0.1 -> 10.99.0.2, UDP
    + '04000009001e0000', // UDP 1024 -> 9, 22 bytes of zeros follow
    'hex',
  );
  const packet = new Uint8Array(64);
  packet.set(frame);
  const writer = new PcapWriter(path, { linkType: 1 });
  const count = Math.ceil((bytes - 24) / (16 + packet.length));
  for (let i = 0; i < count; i++) {
    const port = 1024 + (i % 1000);
    packet[18] = (i >> 8) & 255; packet[19] = i & 255; // IP id
    packet[34] = port >> 8; packet[35] = port & 255;
    writer.write(Math.floor(i / 1e6), (i % 1e6) * 1000, packet);
  }
  await writer.close();
  return count;
}

interface Timing {
  seconds: number;
  /** User + system CPU seconds (all threads): steadier than wall time on a shared machine. */
  cpuSeconds: number;
}

function timeTcpdump(path: string): Timing {
  const started = process.hrtime.bigint();
  const timed = existsSync('/usr/bin/time');
  const run = timed
    ? spawnSync('/usr/bin/time', ['-f', 'CPU=%U+%S', 'tcpdump', '-r', path, '-w', '/dev/null'], { stdio: ['ignore', 'ignore', 'pipe'] })
    : spawnSync('tcpdump', ['-r', path, '-w', '/dev/null'], { stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`tcpdump failed: ${run.stderr.toString().trim()}`);
  const cpu = /CPU=([\d.]+)\+([\d.]+)/.exec(run.stderr.toString());
  return { seconds, cpuSeconds: cpu ? Number(cpu[1]) + Number(cpu[2]) : Number.NaN };
}

async function timeReader(path: string, decode: boolean): Promise<Timing & { packets: number; flows: number }> {
  const started = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const result = await inspectTrace(path, { reader: { decode } });
  if (!result.complete) throw new Error(`inspect failed: ${result.error?.message}`);
  const used = process.cpuUsage(cpu);
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, cpuSeconds: (used.user + used.system) / 1e6, packets: result.packets, flows: result.flows };
}

/** Peak RSS (MB) of a command: GNU time's %M when installed, else VmHWM polled from /proc. */
async function peakRssMb(command: string, args: string[]): Promise<{ peakRssMb: number; seconds: number }> {
  const started = process.hrtime.bigint();
  const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
  if (existsSync('/usr/bin/time')) {
    const run = spawnSync('/usr/bin/time', ['-f', 'PEAK_RSS_KB=%M', command, ...args], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 24 });
    const kb = /PEAK_RSS_KB=(\d+)/.exec(run.stderr.toString())?.[1];
    if (run.status !== 0 || !kb) throw new Error(`${command} failed: ${run.stderr.toString().trim().slice(-300)}`);
    return { peakRssMb: Number(kb) / 1024, seconds: seconds() };
  }
  const child = spawn(command, args, { stdio: 'ignore' });
  let hwmKb = 0;
  const poll = setInterval(() => {
    try { hwmKb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))?.[1] ?? hwmKb); } catch { /* exited */ }
  }, 20);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(poll);
  if (code !== 0) throw new Error(`${command} exited with ${code}`);
  return { peakRssMb: hwmKb / 1024, seconds: seconds() };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const round = (value: number, digits = 2) => Number(value.toFixed(digits));
const log = (text: string) => process.stderr.write(`inspect bench: ${text}\n`);

async function measureSpeed(path: string, runs: number) {
  const bytes = statSync(path).size;
  const ours: Timing[] = [];
  const tcpdump: Timing[] = [];
  const containerOnly: Timing[] = [];
  let packets = 0;
  let flows = 0;
  for (let run = 0; run < runs; run++) {
    tcpdump.push(timeTcpdump(path));
    const read = await timeReader(path, true);
    ours.push(read);
    ({ packets, flows } = read);
    containerOnly.push(await timeReader(path, false));
    log(`run ${run + 1}/${runs}: tcpdump ${tcpdump[run].seconds.toFixed(3)} s (cpu ${tcpdump[run].cpuSeconds.toFixed(2)}), memoco ${read.seconds.toFixed(3)} s (cpu ${read.cpuSeconds.toFixed(2)})`);
  }
  const summary = (timings: Timing[]) => {
    const seconds = median(timings.map((t) => t.seconds));
    return {
      seconds: round(seconds, 3), MBps: round(bytes / seconds / MB, 0), Mpps: round(packets / seconds / 1e6),
      cpuSeconds: round(median(timings.map((t) => t.cpuSeconds)), 3),
      runsSeconds: timings.map((t) => round(t.seconds, 3)),
    };
  };
  const memoco = summary(ours);
  const anchor = summary(tcpdump);
  return {
    file: { bytes, packets, flows },
    memoco: { ...memoco, what: 'TraceReader + link/IP/transport decode + flow table + inspect totals, in process' },
    memocoContainerOnly: { ...summary(containerOnly), what: 'pcap parsing only (decode: false): what decoding and flows cost, by difference' },
    tcpdump: { ...anchor, what: 'tcpdump -r FILE -w /dev/null (libpcap read + pcap_dump)' },
    ratio: round(anchor.seconds / memoco.seconds),
    cpuRatio: round(anchor.cpuSeconds / memoco.cpuSeconds),
  };
}

export async function runBench(args: string[]): Promise<object> {
  const options = parseInspectBenchOptions(args);
  const dir = mkdtempSync(join(options.dir, 'memoco-inspect-bench-'));
  try {
    const files: string[] = [];
    for (const size of options.sizesBytes) {
      const path = join(dir, `udp64-${Math.round(size / MB)}MB.pcap`);
      const started = Date.now();
      const packets = await generateCapture(path, size);
      log(`generated ${path}: ${packets} packets in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      files.push(path);
    }
    const speed = await measureSpeed(files[0], options.runs);
    const baseline = await peakRssMb(process.execPath, [CLI, '--help']);
    const rss = [];
    for (const path of files) {
      const memoco = await peakRssMb(process.execPath, [CLI, 'inspect', path, '--json']);
      const tcpdump = await peakRssMb('tcpdump', ['-r', path, '-w', '/dev/null']);
      rss.push({ fileMB: round(statSync(path).size / MB, 0), memocoInspectPeakRssMB: round(memoco.peakRssMb, 1), memocoInspectWallSeconds: round(memoco.seconds, 2), tcpdumpPeakRssMB: round(tcpdump.peakRssMb, 1) });
      log(`peak RSS at ${path}: memoco inspect ${memoco.peakRssMb.toFixed(1)} MB, tcpdump ${tcpdump.peakRssMb.toFixed(1)} MB`);
    }
    return {
      packetSize: 64,
      speed,
      rss,
      memocoCliBaselineRssMB: round(baseline.peakRssMb, 1),
      rssGrowthMB: round(rss[1].memocoInspectPeakRssMB - rss[0].memocoInspectPeakRssMB, 1),
      goals: {
        atLeastTcpdumpSpeed: speed.ratio >= 1,
        rssUnder200MB: rss.every((r) => r.memocoInspectPeakRssMB < 200),
        rssFlatAcrossSizes: Math.abs(rss[1].memocoInspectPeakRssMB - rss[0].memocoInspectPeakRssMB) < 20,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
