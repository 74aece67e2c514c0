/**
 * Time-series replay and its input (issue 5): a bad record mid-way (Length below 30, a
 * non-decimal digit, an impossible date, a file cut short) stops the replay after sending
 * every record before it, and the coded error names its byte offset and record number;
 * stop() (Ctrl-C) ends a run cleanly with what was sent; the shared real data (miniSEED,
 * SKAB) converts and replays with every record's bytes on the wire.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedDataDir } from '@memoco/testbed';
import { convertToArchive, parseTsConvertOptions } from '@memoco/tsarchive';
import { TxRuntime } from './index.ts';
import { archiveRecords, synthArchive } from './test-support/ts-archives.ts';
import { readDatagrams, synthRecordNumber } from './test-support/ts-capture.ts';

let runtime: TxRuntime;
let dir: string;
let runs = 0;
const data = sharedDataDir();
const MSEED = data && join(data, 'timeseries', 'mseed', 'IM.I59H1..BDF_2020_10_31.mseed');
const SKAB = data && join(data, 'timeseries', 'skab', 'valve1', '0.csv');
const REAL_SKIP = '(skipped: ../shared/data/timeseries is absent beside the repository)';

beforeAll(() => {
  runtime = TxRuntime.start({ workerLcores: 3 });
  dir = mkdtempSync(join(tmpdir(), 'txcore-tsinput-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function replayToPcap(archive: string, extra: Record<string, unknown> = {}) {
  const out = join(dir, `out-${runs}.pcap`);
  const result = await runtime.startTsReplay({ archive, port: `net_pcap${runs++},tx_pcap=${out}`, bufferMb: 1, tightLoopNs: 0, ...extra }).done();
  return { result, datagrams: await readDatagrams(out) };
}

/** A copy of a 50,000-record synthetic archive with record `at` damaged by `damage`. */
async function damaged(name: string, at: number, damage: (bytes: Buffer, offset: number) => Buffer): Promise<{ path: string; offset: number }> {
  const clean = join(dir, 'clean.tsa');
  if (!existsSync(clean)) await synthArchive(clean, { records: 50_000 });
  const { offsets } = archiveRecords(clean);
  const path = join(dir, name);
  writeFileSync(path, damage(readFileSync(clean), offsets[at]!));
  return { path, offset: offsets[at]! };
}

describe('a bad archive mid-way (buffers of 1 MB: the bad record is several chunks in)', () => {
  const cases = [
    { name: 'month 13', reason: 'BAD_DATE', code: 'TXCORE_ERR_ARCHIVE_CORRUPT', damage: (b: Buffer, o: number) => (b[o + 4] = 0x13, b), message: /month 13 is impossible/ },
    { name: 'a non-decimal digit', reason: 'BAD_BCD', code: 'TXCORE_ERR_ARCHIVE_CORRUPT', damage: (b: Buffer, o: number) => (b[o + 8] = 0x3a, b), message: /timestamp byte 6 \(second\) 0x3a is not two decimal digits/ },
    { name: 'Length 12', reason: 'BAD_LENGTH', code: 'TXCORE_ERR_ARCHIVE_CORRUPT', damage: (b: Buffer, o: number) => (b.writeUInt16BE(12, o), b), message: /Length 12 is below the 30-byte record header/ },
    { name: 'the file cut inside it', code: 'TXCORE_ERR_ARCHIVE_TRUNCATED', damage: (b: Buffer, o: number) => b.subarray(0, o + 50), message: /Length 100 runs past the end of the file \(50 bytes left\)/ },
  ] as const;
  for (const c of cases) {
    it(`${c.name}: the 37,123 records before it are sent, then ${c.code} with offset and record`, async () => {
      const { path, offset } = await damaged(`bad-${runs}.tsa`, 37_123, c.damage);
      const { result, datagrams } = await replayToPcap(path);
      expect(result.sent).toBe(37_123);
      expect(datagrams.map((d) => synthRecordNumber(d.payload))).toEqual(Array.from({ length: 37_123 }, (_, i) => i));
      expect(result.failure?.code).toBe(c.code);
      expect(result.failure?.details).toMatchObject({ offset, record: 37_123, sentRecords: 37_123, ...('reason' in c ? { reason: c.reason } : {}) });
      expect(result.failure?.message).toMatch(c.message);
      expect(result.failure?.message).toContain(`record 37123 at byte ${offset}`);
      expect(result.mbufsOutstanding).toBe(0);
    });
  }

  it('a missing archive fails at the start with TXCORE_ERR_ARCHIVE_OPEN', () => {
    expect(() => runtime.startTsReplay({ archive: join(dir, 'none.tsa'), port: 'net_null0' })).toThrow(/cannot open .*none\.tsa.*No such file/);
  });
});

describe('run control', () => {
  it('stop() ends a paced run cleanly: what was sent is in the capture, stats counted, mbufs back', async () => {
    const archive = await synthArchive(join(dir, 'long.tsa'), { records: 200_000, intervalNs: 10_000 }); // 2 s
    const out = join(dir, 'stopped.pcap');
    const run = runtime.startTsReplay({ archive, port: `net_pcap${runs++},tx_pcap=${out}`, bufferMb: 1 });
    while (run.stats().sent < 2000) await new Promise((r) => setTimeout(r, 20));
    expect(run.stats().running).toBe(true);
    run.stop();
    const result = await run.done();
    expect(result.stopped).toBe(true);
    expect(result.sent).toBeLessThan(200_000);
    const sent = await readDatagrams(out);
    expect(sent).toHaveLength(result.sent);
    expect(sent.map((d) => synthRecordNumber(d.payload))).toEqual(Array.from({ length: result.sent }, (_, i) => i));
    expect(result.mbufsOutstanding).toBe(0);
  });
});

describe.skipIf(!MSEED || !existsSync(MSEED) || !SKAB || !existsSync(SKAB))(`real data ${MSEED && existsSync(MSEED) ? '' : REAL_SKIP}`, () => {
  for (const [label, source, fastForward] of [['miniSEED IM.I59H1 (20 Hz, 460 s)', MSEED, 1000], ['SKAB valve1/0.csv (1 Hz x 8 sensors, 20 min)', SKAB, 10_000]] as const) {
    it(`${label}: converted and replayed at --fast-forward ${fastForward}, every record's Data on the wire`, async () => {
      const archive = join(dir, `real-${runs}.tsa`);
      await convertToArchive(source!, archive, parseTsConvertOptions({}));
      const { records } = archiveRecords(archive);
      const { result, datagrams } = await replayToPcap(archive, { tightLoopNs: undefined, fastForward, driftUs: 100_000, perFlow: true });
      expect(result).toMatchObject({ records: records.length, sent: records.length, dropped: 0 });
      datagrams.forEach((d, i) => expect(d.payload).toEqual(records[i]!.data));
      expect(result.perFlow!.flatMap((f) => f.devices).sort()).toEqual([...new Set(records.map((r) => r.device))].sort());
    });
  }
});
