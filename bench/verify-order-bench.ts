/**
 * `npm run bench -- verify-order [--quick] [--packets N] [--runs N]`: how fast `memoco
 * verify-order --against` checks a capture, and how much memory it needs per packet (the
 * design's "a capture of millions of packets must work"). The trace is written by the
 * gen-udp-pcap.py anchor (64 B UDP, distinct for up to 8.19M packets) and verified against
 * itself, in order, then against a capture with every 1000th packet moved to the end.
 * Reference in the same run: `tcpdump -r TRACE -w /dev/null` (reading and writing the
 * file once: the floor for any tool that looks at every packet). Medians of `runs` runs;
 * peak RSS by GNU time of the whole `memoco` process (Node itself is about 60 MB).
 */
import { join } from 'node:path';
import { PcapWriter, TraceReader } from '@memoco/pcap';
import { makeTempDir, median, peakRssOf, repoRoot, runAnchor, runCommand } from '@memoco/testbed';

interface BenchArgs {
  packets: number;
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
  return { packets: value('packets', quick ? 200_000 : 2_000_000), runs: value('runs', quick ? 1 : 3) };
}

/** Copies the trace with every 1000th packet moved to the end; returns how many are then late. */
async function writeLateCopy(trace: string, out: string): Promise<number> {
  const writer = new PcapWriter(out);
  const late: Uint8Array[] = [];
  for await (const batch of new TraceReader(trace, { decode: false }).batches()) {
    for (let i = 0; i < batch.count; i++) {
      const bytes = batch.data.subarray(batch.dataOffset[i]!, batch.dataOffset[i]! + batch.capLen[i]!);
      if ((batch.firstIndex + i) % 1000 === 999) late.push(bytes.slice());
      else writer.write(batch.tsSec[i]!, batch.tsNsec[i]!, bytes);
    }
  }
  for (const bytes of late) writer.write(0, 0, bytes);
  await writer.close();
  // The last packet of the trace, when it is one of those moved, is still last: in order.
  return writer.packets % 1000 === 0 ? late.length - 1 : late.length;
}

async function timeVerify(capture: string, trace: string, runs: number) {
  const bin = join(repoRoot(), 'apps', 'cli', 'bin', 'memoco.mjs');
  const seconds: number[] = [];
  const rss: number[] = [];
  let result: Record<string, unknown> = {};
  for (let r = 0; r < runs; r++) {
    const run = await peakRssOf(process.execPath, [bin, 'verify-order', capture, '--against', trace, '--json']);
    if (run.exitCode > 1) throw new Error(`verify-order failed: ${run.stderr}`);
    result = JSON.parse(run.stdout) as Record<string, unknown>;
    seconds.push(run.seconds);
    rss.push(run.peakRssMb);
  }
  return { seconds: median(seconds), peakRssMb: median(rss), outOfOrder: result.outOfOrder, ok: result.ok };
}

export async function runBench(args: string[]): Promise<object> {
  const { packets, runs } = parseArgs(args);
  const temp = makeTempDir('verify-bench');
  try {
    const trace = join(temp.path, 'trace.pcap');
    const tiny = join(temp.path, 'tiny.pcap');
    process.stderr.write(`verify-order bench: writing ${packets} packets with gen-udp-pcap.py\n`);
    await runAnchor('gen-udp-pcap.py', [trace, String(packets), '64']);
    await runAnchor('gen-udp-pcap.py', [tiny, '1', '64']);
    const moved = await writeLateCopy(trace, join(temp.path, 'late.pcap'));
    const baseline = await timeVerify(tiny, tiny, 1);
    process.stderr.write('verify-order bench: in order\n');
    const inOrder = await timeVerify(trace, trace, runs);
    process.stderr.write('verify-order bench: late copy\n');
    const lateCopy = await timeVerify(join(temp.path, 'late.pcap'), trace, runs);
    const tcpdump: number[] = [];
    for (let r = 0; r < runs; r++) {
      const started = performance.now();
      await runCommand('tcpdump', ['-r', trace, '-w', '/dev/null'], { timeoutMs: 600_000 });
      tcpdump.push((performance.now() - started) / 1000);
    }
    // Node + tsx start-up is in every run: take the 1-packet run's time off.
    const pps = (s: number) => Math.round(packets / Math.max(0.001, s - baseline.seconds));
    return {
      packets,
      runs,
      inOrder: { ...inOrder, pps: pps(inOrder.seconds) },
      lateCopy: { ...lateCopy, expectedOutOfOrder: moved, pps: pps(lateCopy.seconds) },
      bytesPerPacket: Math.round(((inOrder.peakRssMb - baseline.peakRssMb) * 1024 * 1024) / packets),
      startupBaseline: { seconds: baseline.seconds, peakRssMb: baseline.peakRssMb },
      anchor: { tool: 'tcpdump -r TRACE -w /dev/null', seconds: median(tcpdump), pps: Math.round(packets / median(tcpdump)) },
      ratioToTcpdumpRead: Math.round((median(tcpdump) / Math.max(0.001, inOrder.seconds - baseline.seconds)) * 1000) / 1000,
    };
  } finally {
    temp.remove();
  }
}
