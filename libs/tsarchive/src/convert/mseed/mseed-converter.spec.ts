import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { isMemocoError } from '@memoco/protocol';
import { TSARCHIVE_ERRORS } from '../../errors.ts';
import { readArchiveRecords } from '../../read/archive-records.ts';
import { TsArchiveReader } from '../../read/archive-reader.ts';
import { convertToArchive } from '../archive-converter.ts';
import { parseTsConvertOptions } from '../convert-options.ts';

const repo = join(dirname(fileURLToPath(import.meta.url)), '../../../../..');
const DATA = join(repo, '..', 'shared', 'data', 'timeseries', 'mseed');
const haveData = existsSync(DATA);
const dir = mkdtempSync(join(tmpdir(), 'tsarchive-mseed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const outFor = (file: string) => join(dir, `${file.replace(/[^\w.]/g, '_')}.tsa`);

async function convert(file: string, payload = 'f64') {
  const out = outFor(file);
  const result = await convertToArchive(file, out, parseTsConvertOptions({ payload }));
  return { result, out };
}

async function values(out: string): Promise<Map<string, number[]>> {
  const byDevice = new Map<string, number[]>();
  for await (const r of readArchiveRecords(out)) {
    const list = byDevice.get(r.device) ?? [];
    list.push(new DataView(r.data.buffer, r.data.byteOffset).getFloat64(0, true));
    byDevice.set(r.device, list);
  }
  return byDevice;
}

// Counts and times from ../shared/data/timeseries/MANIFEST.md. Its scanner read only the
// fixed header and blockette 1000, so it left out two corrections every SEED reader applies
// (libmseed, hence ObsPy): blockette 1001's microsecond offset (+38 us in the IU files that
// carry it) and the header's time correction (-0.15 s in gaps.mseed, activity bit 1 clear).
// MANIFEST "End" is the last sample + one period; the archive holds the last sample.
const FILES = [
  { file: 'IUANMO.seed', samples: 86_400, devices: ['IU.ANMO.00.LHZ'], first: '2010-01-01T00:00:00.069500Z', last: '2010-01-01T23:59:59.069500Z', head: [-50466, -47406, -46690] },
  { file: 'gaps.mseed', samples: 52_728, devices: ['BW.BGLD..EHE'], first: '2007-12-31T23:59:59.915000Z', last: '2008-01-01T00:04:31.790000Z', head: [-363, -382, -388] },
  { file: 'CH.BALST..LH_two_channels', samples: 172_890, devices: ['CH.BALST..LHE', 'CH.BALST..LHZ'], first: '2025-11-10T00:01:24.580000Z', last: '2025-11-11T00:03:50.580000Z', head: [-1134, -962, -293] },
  { file: 'dataselect_example.mseed', samples: 12_000, devices: ['IU.ANMO.00.BHZ'], first: '2010-02-27T06:30:00.019538Z', last: '2010-02-27T06:39:59.969538Z', head: [-47237, -47304, -47367] },
  { file: 'IM.I59H1..BDF_2020_10_31.mseed', samples: 9_201, devices: ['IM.I59H1..BDF'], first: '2020-10-31T00:00:00.000000Z', last: '2020-10-31T00:07:40.000000Z', head: [144977, 144956, 144966] },
  { file: 'IU_ULN_00_LH1_2015-07-18T02.mseed', samples: 10_800, devices: ['IU.ULN.00.LH1'], first: '2015-07-18T02:27:33.069538Z', last: '2015-07-18T05:27:32.069538Z', head: [1207, 1196, 1315] },
];

describe.skipIf(!haveData)('miniSEED 2 -> archive, the real files (needs ../shared/data/timeseries)', () => {
  it.each(FILES)('$file: one record per sample, exact count, first/last time, time-ordered', async ({ file, samples, devices, first, last, head }) => {
    const { result, out } = await convert(join(DATA, file));
    expect(result).toMatchObject({ format: 'mseed', records: samples, firstTimestamp: first, lastTimestamp: last, outOfOrder: 0 });
    expect(result.devices.map((d) => d.id)).toEqual(devices);
    // First samples as libmseed decodes them (checked with mseed2sac).
    expect((await values(out)).get(devices[0]!)!.slice(0, 3)).toEqual(head);
  });

  it('keeps the two channels of a file that stores them one after the other in one time order', async () => {
    const { out } = await convert(join(DATA, 'CH.BALST..LH_two_channels'));
    let backwards = 0, switches = 0, previous = -Infinity, lastDevice = -1;
    for await (const batch of await TsArchiveReader.open(out)) {
      for (let i = 0; i < batch.count; i++) {
        if (batch.timestampUs[i]! < previous) backwards++;
        if (batch.deviceIndex[i] !== lastDevice) switches++;
        previous = batch.timestampUs[i]!;
        lastDevice = batch.deviceIndex[i]!;
      }
    }
    expect(backwards).toBe(0);
    expect(switches).toBeGreaterThan(1000);
  });

  const mseed2sac = (() => { try { execFileSync('mseed2sac', ['-V'], { stdio: 'ignore' }); return true; } catch { return false; } })();
  it.skipIf(!mseed2sac)('decodes every sample exactly as libmseed does (mseed2sac, Debian package mseed2sac)', async () => {
    for (const { file } of FILES) {
      const sacDir = mkdtempSync(join(dir, 'sac-'));
      execFileSync('mseed2sac', ['-f', '3', join(DATA, file)], { cwd: sacDir, stdio: 'ignore' });
      const expected = new Map<string, number[]>();
      for (const sac of (await import('node:fs')).readdirSync(sacDir).sort()) {
        const b = readFileSync(join(sacDir, sac));
        const view = new DataView(b.buffer, b.byteOffset);
        const id = sac.split('.').slice(0, 4).join('.');
        const list = expected.get(id) ?? [];
        for (let i = 0; i < view.getInt32(316, true); i++) list.push(view.getFloat32(632 + 4 * i, true));
        expected.set(id, list);
      }
      const got = await values((await convert(join(DATA, file))).out);
      for (const [id, list] of expected) expect(got.get(id)!.map((v) => Math.fround(v)), `${file} ${id}`).toEqual(list);
    }
  });
});

/** Rewrites a big-endian data record as a little-endian one (header fields, blockettes, data words). */
function toLittleEndian(record: Uint8Array): Uint8Array {
  const out = record.slice();
  const be = new DataView(record.buffer, record.byteOffset, record.byteLength);
  const le = new DataView(out.buffer);
  for (const at of [20, 22, 28, 30, 32, 34, 44, 46]) le.setUint16(at, be.getUint16(at), true);
  le.setInt32(40, be.getInt32(40), true);
  for (let b = be.getUint16(46); b !== 0; b = be.getUint16(b + 2)) {
    le.setUint16(b, be.getUint16(b), true);
    le.setUint16(b + 2, be.getUint16(b + 2), true);
    if (be.getUint16(b) === 1000) out[b + 5] = 0;
  }
  for (let at = be.getUint16(44); at + 4 <= record.length; at += 4) le.setUint32(at, be.getUint32(at), true);
  return out;
}

describe.skipIf(!haveData)('miniSEED 2 byte orders and bad input (needs ../shared/data/timeseries)', () => {
  const first512 = () => new Uint8Array(readFileSync(join(DATA, 'gaps.mseed')).subarray(0, 512 * 4));

  it('reads little-endian headers and data words the same as big-endian ones', async () => {
    const big = first512();
    const little = new Uint8Array(big.length);
    for (let at = 0; at < big.length; at += 512) little.set(toLittleEndian(big.subarray(at, at + 512)), at);
    writeFileSync(join(dir, 'big.mseed'), big);
    writeFileSync(join(dir, 'little.mseed'), little);
    const a = await values((await convert(join(dir, 'big.mseed'))).out);
    const b = await values((await convert(join(dir, 'little.mseed'))).out);
    expect(b).toEqual(a);
    expect(a.get('BW.BGLD..EHE')!.length).toBeGreaterThan(1000);
  });

  it('fails a Steim record whose last sample does not match its reverse integration constant', async () => {
    const bytes = first512();
    bytes[64 + 8 + 3] ^= 1; // frame 0, word 2: Xn of record 0
    writeFileSync(join(dir, 'xn.mseed'), bytes);
    await expect(convert(join(dir, 'xn.mseed'))).rejects.toMatchObject({ code: 'TSARCHIVE_ERR_MSEED_BAD_DATA', details: { offset: 64 } });
    expect(existsSync(outFor(join(dir, 'xn.mseed')))).toBe(false);
  });

  it('fails a file that ends inside a record, naming the record', async () => {
    writeFileSync(join(dir, 'cut.mseed'), first512().subarray(0, 512 * 3 + 100));
    await expect(convert(join(dir, 'cut.mseed'))).rejects.toMatchObject({ code: 'TSARCHIVE_ERR_MSEED_TRUNCATED', details: { offset: 1536, record: 3 } });
  });

  it('turns random corruption into typed errors only', async () => {
    const base = first512();
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 }), async (flips) => {
        const bytes = base.slice();
        for (const [at, value] of flips) bytes[at] = value;
        writeFileSync(join(dir, 'fuzz.mseed'), bytes);
        try {
          await convert(join(dir, 'fuzz.mseed'));
        } catch (error) {
          expect(isMemocoError(error) && error.code in TSARCHIVE_ERRORS, String(error)).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });
});
