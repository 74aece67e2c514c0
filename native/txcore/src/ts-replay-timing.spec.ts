/**
 * Time-series replay's timing modes (issue 5): time-conforming, --fast-forward F,
 * --tight-loop-ns N, and the drifted time window. Times are read off the capture (net_pcap
 * stamps each frame from the TSC as the TX queue hands it over) and compared as medians, so
 * a loaded 2-CPU CI box can stall the sender for milliseconds without failing the test:
 * stated tolerances are +-10% on the median gap, and records are never sent before they
 * are due. Drops are asserted only where they are certain (thousands of records due in one
 * microsecond, a record stamped before the first) or impossible (a window of seconds).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TxRuntime, type TsReplayOptionsInput } from './index.ts';
import { numberedData, SYNTH_START_US, synthArchive, writeArchive } from './test-support/ts-archives.ts';
import { readDatagrams, synthRecordNumber, type CapturedDatagram } from './test-support/ts-capture.ts';

let runtime: TxRuntime;
let dir: string;
let runs = 0;

beforeAll(() => {
  runtime = TxRuntime.start({ workerLcores: 3 });
  dir = mkdtempSync(join(tmpdir(), 'txcore-tstiming-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function replayToPcap(archive: string, options: Omit<TsReplayOptionsInput, 'archive' | 'port'>) {
  const out = join(dir, `out-${runs}.pcap`);
  const result = await runtime.startTsReplay({ archive, port: `net_pcap${runs++},tx_pcap=${out}`, bufferMb: 1, ...options }).done();
  return { result, datagrams: await readDatagrams(out) };
}

const median = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const gapsUs = (d: CapturedDatagram[]) => d.slice(1).map((x, i) => (x.ns - d[i]!.ns) / 1000);

/** Capture time minus due time (us) of every frame, the start taken where the earliest-sent frame says. */
function offsetsUs(d: CapturedDatagram[], dueUs: (record: number) => number): number[] {
  const raw = d.map((x) => x.ns / 1000 - dueUs(synthRecordNumber(x.payload)));
  const start = Math.min(...raw); // never early: the least offset is the run's start
  return raw.map((r) => r - start);
}

describe('timing modes', () => {
  it('time-conforming: records 50 us apart leave 50 us apart (median gap within 10%)', async () => {
    const archive = await synthArchive(join(dir, 'c50.tsa'), { records: 2000, intervalNs: 50_000 });
    const { result, datagrams } = await replayToPcap(archive, {});
    expect(result).toMatchObject({ sent: 2000, dropped: 0 });
    expect(Math.abs(median(gapsUs(datagrams)) - 50)).toBeLessThan(5);
    expect(median(offsetsUs(datagrams, (n) => n * 50))).toBeLessThan(100);
  });

  it('--fast-forward 4: timestamps scaled by 1/4 (records 200 us apart leave 50 us apart)', async () => {
    const archive = await synthArchive(join(dir, 'c200.tsa'), { records: 2000, intervalNs: 200_000 });
    const { result, datagrams } = await replayToPcap(archive, { fastForward: 4 });
    expect(result).toMatchObject({ sent: 2000, dropped: 0 });
    expect(Math.abs(median(gapsUs(datagrams)) - 50)).toBeLessThan(5);
    const span = (datagrams.at(-1)!.ns - datagrams[0]!.ns) / 1e3;
    expect(span).toBeGreaterThan(1999 * 50 * 0.9); // not sent early
    expect(median(offsetsUs(datagrams, (n) => n * 50))).toBeLessThan(100);
  });

  it('--tight-loop-ns 30000 ignores the timestamps: records stamped 200 us apart leave 30 us apart', async () => {
    const archive = await synthArchive(join(dir, 't200.tsa'), { records: 2000, intervalNs: 200_000 });
    const { result, datagrams } = await replayToPcap(archive, { tightLoopNs: 30_000 });
    expect(result).toMatchObject({ sent: 2000, dropped: 0 });
    expect(Math.abs(median(gapsUs(datagrams)) - 30)).toBeLessThan(3);
    expect(median(offsetsUs(datagrams, (n) => n * 30))).toBeLessThan(100);
  });

  it('--tight-loop-ns 0 sends as fast as the port takes them, with no pacing (lateness not measured)', async () => {
    const archive = await synthArchive(join(dir, 't0.tsa'), { records: 20_000 });
    const { result, datagrams } = await replayToPcap(archive, { tightLoopNs: 0 });
    expect(result).toMatchObject({ sent: 20_000, dropped: 0, lateness: { p50Us: 0, p99Us: 0, maxUs: 0 } });
    expect(datagrams.map((d) => synthRecordNumber(d.payload))).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
  });
});

describe('drifted time window', () => {
  it('records due in one microsecond: those sent after it are dropped at --drift-us 0 and counted per flow; a 1 s window drops none', async () => {
    const same = Array.from({ length: 3000 }, (_, i) => ({ epochUs: SYNTH_START_US, device: `d${i % 3}`, data: numberedData(i, 16) }));
    const archive = writeArchive(join(dir, 'burst.tsa'), same);
    const tight = await replayToPcap(archive, { driftUs: 0, perFlow: true });
    // 3000 frames cannot all be handed over within one microsecond (~50-100 ns each here)
    expect(tight.result.dropped).toBeGreaterThan(2000);
    expect(tight.result.sent + tight.result.dropped).toBe(3000);
    expect(tight.datagrams).toHaveLength(tight.result.sent);
    expect(tight.result.perFlow!.reduce((s, f) => s + f.dropped, 0)).toBe(tight.result.dropped);
    expect(tight.result.perFlow!.reduce((s, f) => s + f.sent, 0)).toBe(tight.result.sent);
    const wide = await replayToPcap(archive, { driftUs: 1_000_000 });
    expect(wide.result).toMatchObject({ sent: 3000, dropped: 0 });
  });

  it('a record stamped before the first record is due before the start: a violation under any window shorter than the gap', async () => {
    const archive = writeArchive(join(dir, 'back.tsa'), [
      { epochUs: SYNTH_START_US + 5000n, device: 'a', data: numberedData(0, 8) },
      { epochUs: SYNTH_START_US, device: 'a', data: numberedData(1, 8) }, // 5 ms before the first: due at -5 ms
      { epochUs: SYNTH_START_US + 6000n, device: 'a', data: numberedData(2, 8) },
    ]);
    const short = await replayToPcap(archive, { driftUs: 1000 });
    expect(short.result).toMatchObject({ sent: 2, dropped: 1 });
    expect(short.datagrams.map((d) => synthRecordNumber(d.payload))).toEqual([0, 2]);
    const none = await replayToPcap(archive, {});
    expect(none.result).toMatchObject({ sent: 3, dropped: 0 }); // no window: late, but sent
  });
});
