import type { TsReplayOptions, TsReplayResult, TsReplayStats } from '@memoco/txcore';

const count = (n: number) => n.toLocaleString('en-US');

/** The line a terminal sees while the replay runs (stderr, redrawn). */
export function tsProgressLine(s: TsReplayStats): string {
  return `ts replay: ${count(s.sent)} sent  ${count(s.dropped)} dropped  ${(s.pps / 1e6).toFixed(3)} Mpps  lateness p99 ${s.lateness.p99Us} us`;
}

/** The JSON the issue names (records, sent, dropped, outOfOrder, lateness, pps, perFlow), and context. */
export function tsReplayJson(r: TsReplayResult, o: TsReplayOptions): Record<string, unknown> {
  return {
    records: r.records, sent: r.sent, dropped: r.dropped, outOfOrder: r.outOfOrder, lateness: r.lateness, pps: r.pps,
    ...(r.perFlow ? { perFlow: r.perFlow } : {}),
    seconds: r.seconds, packets: r.packets, bytes: r.bytes, late: r.late,
    threads: {
      io: o.io, workers: o.workers, tx: o.tx, ooo: o.ooo?.threads ?? 0, pinned: r.figures.pinned === 1,
      priority: ['unchanged', 'nice -20', 'SCHED_FIFO'][r.figures.txPriority ?? 0],
    },
    timing: o.timing, driftUs: o.driftUs, peakRssMb: r.peakRssMb, stopped: r.stopped,
    ...(r.failure ? { error: r.failure.toJSON() } : {}),
  };
}

export function formatTsReplayResult(r: TsReplayResult): string {
  const { p50Us, p99Us, maxUs } = r.lateness;
  const lines = [
    `ts replay: ${count(r.sent)} of ${count(r.records)} records sent in ${r.seconds.toFixed(3)} s (${(r.pps / 1e6).toFixed(3)} Mpps)${r.stopped ? ' (stopped)' : ''}`,
    `dropped (time violations): ${count(r.dropped)}; out of order: ${count(r.outOfOrder)}`,
    `lateness p50 ${p50Us} us, p99 ${p99Us} us, max ${maxUs} us`,
  ];
  for (const f of r.perFlow ?? []) lines.push(`flow ${f.flow} ${f.src} -> ${f.dst}: ${count(f.sent)} sent, ${count(f.dropped)} dropped (${f.devices.join(', ')})`);
  lines.push(`peak RSS: ${r.peakRssMb} MB`, '');
  return lines.join('\n');
}
