/**
 * `npm run bench -- tx [--quick] [--runs N]`: the native TX engine against its anchors, side
 * by side in one run (issue 3, "Done when"). Every Memoco figure is a `memoco replay --json`
 * in its own process (one EAL each, peak RSS by GNU time); medians of `runs` runs.
 * - netNull: topspeed replay of a generated 64 B trace to net_null, Mpps, against DPDK's
 *   own testpmd txonly (../shared/anchors/testpmd-txonly.sh). Goal: >= 0.5x.
 * - afPacketVeth: topspeed replay through net_af_packet onto a veth whose peer sits in a
 *   fresh namespace, against tcpreplay-veth.sh on the same kind of veth. Goal: >= 2x. With
 *   the global order (one socket) and, beside it, --order flow with 2 cores (a socket each).
 * - peakRss: replaying 1M and 10M packets (ratio goal <= 1.1), and tcpreplay -K on 1M.
 * - lateness: p50/p99 at original timing on a 100 kpps trace, 1 and 2 cores, net_null.
 * Traces are written by bench/tx-udp-pcap.ts (byte-identical to gen-udp-pcap.py, faster).
 */
import { join } from 'node:path';
import { createVethPair, makeTempDir, median, peakRssOf, repoRoot, runAnchor, runCommand } from '@memoco/testbed';
import { benchLog, parseRunArgs, round, type BenchArgs } from './bench-args.ts';
import { writeUdpPcap } from './tx-udp-pcap.ts';

interface ReplayJson {
  packets: number;
  seconds: number;
  pps: number;
  late: number;
  lateness: { p50Us: number; p99Us: number; maxUs: number };
  perCore: { core: number; packets: number; blocks: number; ringStalls: number }[];
  peakRssMb: number;
}

const CLI = join(repoRoot(), 'apps', 'cli', 'bin', 'memoco.mjs');
const say = benchLog('tx');

/** One `memoco replay ... --json` in its own process; its figures and its peak RSS. */
async function replay(trace: string, port: string, extra: string[]): Promise<ReplayJson & { gnuTimeRssMb: number }> {
  const run = await peakRssOf(process.execPath, [CLI, 'replay', trace, '--port', port, '--json', ...extra]);
  if (run.exitCode !== 0) throw new Error(`memoco replay failed (${run.exitCode}): ${run.stderr.trim()}`);
  return { ...(JSON.parse(run.stdout) as ReplayJson), gnuTimeRssMb: run.peakRssMb };
}

async function netNull(trace: string, loops: number, args: BenchArgs) {
  const ours: Record<number, number[]> = { 1: [], 2: [] };
  const testpmd: number[] = [];
  for (let r = 0; r < args.runs; r++) {
    for (const cores of [1, 2]) {
      const result = await replay(trace, 'net_null0', ['--topspeed', '--loop', String(loops), '--cores', String(cores)]);
      ours[cores]!.push(result.pps / 1e6);
    }
    const anchor = await runAnchor('testpmd-txonly.sh', ['64', args.quick ? '2' : '4']);
    testpmd.push(Number(anchor.mpps));
    say(`net_null run ${r + 1}: memoco ${round(ours[1]!.at(-1)!)} Mpps (2 cores ${round(ours[2]!.at(-1)!)}), testpmd ${anchor.mpps} Mpps`);
  }
  const mpps = median(ours[1]!);
  const anchorMpps = median(testpmd);
  return {
    packetsPerRun: 0,
    memoco: { cores: 1, mpps: round(mpps), runs: ours[1]!.map((v) => round(v)) },
    memoco2Cores: { cores: 2, mpps: round(median(ours[2]!)), runs: ours[2]!.map((v) => round(v)) },
    testpmdTxonly: { mpps: round(anchorMpps), runs: testpmd },
    ratio: round(mpps / anchorMpps),
    goal: '>= 0.5',
    met: mpps / anchorMpps >= 0.5,
  };
}

async function rxPackets(ns: string, iface: string): Promise<number> {
  return Number((await runCommand('ip', ['netns', 'exec', ns, 'cat', `/sys/class/net/${iface}/statistics/rx_packets`])).stdout.trim());
}

/** One topspeed replay onto a fresh veth (the anchor's kind: peer up in a namespace, IPv6 on). */
async function vethReplay(trace: string, extra: string[]): Promise<{ mpps: number; received: number }> {
  const pair = await createVethPair({ keepIpv6: true });
  try {
    const before = await rxPackets(pair.ns, pair.nsIf);
    const result = await replay(trace, `net_af_packet0,iface=${pair.hostIf},qdisc_bypass=1`, ['--topspeed', ...extra]);
    return { mpps: result.pps / 1e6, received: (await rxPackets(pair.ns, pair.nsIf)) - before };
  } finally {
    await pair.destroy();
  }
}

async function afPacketVeth(trace: string, args: BenchArgs) {
  const runs: Record<'global' | 'flow' | 'tcpreplay', { mpps: number; received: number }[]> = { global: [], flow: [], tcpreplay: [] };
  for (let r = 0; r < args.runs; r++) {
    runs.global.push(await vethReplay(trace, []));
    runs.flow.push(await vethReplay(trace, ['--cores', '2', '--order', 'flow']));
    const anchor = await runAnchor('tcpreplay-veth.sh', [trace]);
    runs.tcpreplay.push({ mpps: Number(anchor.pps) / 1e6, received: Number(anchor.received) });
    say(`af_packet run ${r + 1}: memoco ${round(runs.global.at(-1)!.mpps)} Mpps (flow order, 2 cores ${round(runs.flow.at(-1)!.mpps)}), tcpreplay ${round(runs.tcpreplay.at(-1)!.mpps)} Mpps`);
  }
  const summary = (list: { mpps: number; received: number }[]) => ({
    mpps: round(median(list.map((x) => x.mpps))),
    runs: list.map((x) => round(x.mpps)),
    receivedInNamespace: median(list.map((x) => x.received)),
  });
  const anchorMpps = median(runs.tcpreplay.map((x) => x.mpps));
  const ratio = (list: { mpps: number }[]) => round(median(list.map((x) => x.mpps)) / anchorMpps);
  return {
    memoco: { order: 'global', cores: 1, ...summary(runs.global) },
    memocoFlowOrder: { order: 'flow', cores: 2, ...summary(runs.flow), ratio: ratio(runs.flow) },
    tcpreplay: summary(runs.tcpreplay),
    ratio: ratio(runs.global),
    goal: '>= 2',
    met: ratio(runs.global) >= 2,
    metWithFlowOrder: ratio(runs.flow) >= 2,
  };
}

async function peakRss(temp: string, args: BenchArgs) {
  const small = args.quick ? 200_000 : 1_000_000;
  const sizes = [small, small * 10];
  const rss: number[] = [];
  for (const packets of sizes) {
    const trace = join(temp, `rss-${packets}.pcap`);
    say(`writing ${packets} packets for the RSS figure`);
    writeUdpPcap(trace, packets);
    const runs: number[] = [];
    for (let r = 0; r < args.runs; r++) runs.push((await replay(trace, 'net_null0', ['--topspeed'])).gnuTimeRssMb);
    rss.push(median(runs));
    if (packets === small) {
      const anchor = await runAnchor('tcpreplay-veth.sh', [trace, '--topspeed', '-K']);
      rss.push(Number(anchor.peakRssMb));
    }
    await runCommand('rm', ['-f', trace]);
  }
  const [atSmall, tcpreplayK, atLarge] = rss as [number, number, number];
  return {
    packets: sizes,
    memocoPeakRssMb: [atSmall, atLarge],
    ratio: round(atLarge / atSmall),
    goal: '<= 1.1',
    met: atLarge / atSmall <= 1.1,
    tcpreplayKPeakRssMb: { packets: small, peakRssMb: tcpreplayK },
    note: 'whole memoco process (Node + tsx ~70 MB, EAL + pools ~75 MB, 2 x 64 MB trace buffers and their descriptors)',
  };
}

async function lateness(temp: string, args: BenchArgs) {
  const packets = args.quick ? 100_000 : 300_000;
  const trace = join(temp, 'pps100k.pcap');
  writeUdpPcap(trace, packets, { gapNs: 10_000 });
  const out: Record<string, unknown> = { tracePps: 100_000, packets, port: 'net_null0', timing: '--speed 1 (original)' };
  for (const cores of [1, 2]) {
    const runs: ReplayJson[] = [];
    for (let r = 0; r < args.runs; r++) runs.push(await replay(trace, 'net_null0', ['--speed', '1', '--cores', String(cores)]));
    const pick = (f: (j: ReplayJson) => number) => round(median(runs.map(f)), 2);
    out[`cores${cores}`] = { p50Us: pick((j) => j.lateness.p50Us), p99Us: pick((j) => j.lateness.p99Us), maxUs: pick((j) => j.lateness.maxUs), late: pick((j) => j.late), pps: pick((j) => j.pps) };
    say(`lateness with ${cores} core(s): ${JSON.stringify(out[`cores${cores}`])}`);
  }
  return out;
}

export async function runBench(args: string[]): Promise<object> {
  const parsed = parseRunArgs(args);
  const temp = makeTempDir('tx-bench');
  try {
    const packets = parsed.quick ? 500_000 : 2_000_000;
    const trace = join(temp.path, 'udp64.pcap');
    say(`writing ${packets} packets of 64 B`);
    writeUdpPcap(trace, packets);
    const loops = parsed.quick ? 2 : 5;
    const nullResult = { ...(await netNull(trace, loops, parsed)), packetsPerRun: packets * loops };
    const vethTrace = join(temp.path, 'udp64-veth.pcap');
    writeUdpPcap(vethTrace, parsed.quick ? 200_000 : 1_000_000);
    return {
      runs: parsed.runs,
      netNull: nullResult,
      afPacketVeth: await afPacketVeth(vethTrace, parsed),
      peakRss: await peakRss(temp.path, parsed),
      lateness: await lateness(temp.path, parsed),
    };
  } finally {
    temp.remove();
  }
}
