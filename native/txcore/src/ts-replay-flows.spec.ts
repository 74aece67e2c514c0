/**
 * Time-series replay, what goes on the wire (issue 5: "the multi-flow map puts each device's
 * records on its 5-tuple (captured through net_pcap and checked)"): every record becomes one
 * UDP datagram whose payload is the record's Data (or the whole record), on the flow its
 * device maps to, with valid IPv4 and UDP checksums, in file order from one TX thread;
 * records over 1472 B go as IPv4 fragments. Captured through net_pcap and compared with the
 * archive byte for byte.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeDeviceId, parseFlowMap } from '@memoco/tsarchive';
import { TxRuntime, type TsReplayOptionsInput } from './index.ts';
import { archiveRecords, numberedData, SYNTH_START_US, synthArchive, writeArchive } from './test-support/ts-archives.ts';
import { readDatagrams, synthRecordNumber } from './test-support/ts-capture.ts';

let runtime: TxRuntime;
let dir: string;
let runs = 0;

beforeAll(() => {
  runtime = TxRuntime.start({ workerLcores: 3 });
  dir = mkdtempSync(join(tmpdir(), 'txcore-tsflows-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function replayToPcap(archive: string, options: Omit<TsReplayOptionsInput, 'archive' | 'port'> = {}) {
  const out = join(dir, `out-${runs}.pcap`);
  const result = await runtime.startTsReplay({ archive, port: `net_pcap${runs++},tx_pcap=${out}`, bufferMb: 1, tightLoopNs: 2000, ...options }).done();
  return { result, datagrams: await readDatagrams(out) };
}

const MAP = JSON.stringify({ flows: [
  { devices: ['synth-0', 'synth-1'], src: '10.1.0.1:4000', dst: '10.9.0.1:5000' },
  { device: 'synth-2', src: '10.1.0.2:4001', dst: '10.9.0.2:5001', srcMac: '02:00:00:00:01:02' },
] });

describe('multi-flow: device -> 5-tuple', () => {
  it('each device\'s records leave on its flow (map, then the port-per-device rule), payload = the record\'s Data, checksums valid, in order', async () => {
    const archive = await synthArchive(join(dir, 'flows.tsa'), { records: 6000, devices: 5, intervalNs: 2000 });
    const flowMap = parseFlowMap(MAP, 'map.json', { srcMac: '02:00:00:00:00:01', dstMac: '02:00:00:00:00:02' });
    const { result, datagrams } = await replayToPcap(archive, { flowMap, perFlow: true, src: '10.0.0.7:20000', dst: '10.0.0.8:7000' });
    const { records } = archiveRecords(archive);
    expect(result).toMatchObject({ records: 6000, sent: 6000, dropped: 0, packets: 6000 });
    expect(datagrams).toHaveLength(6000);
    const expectedFlow: Record<string, [string, string]> = {
      'synth-0': ['10.1.0.1:4000', '10.9.0.1:5000'], 'synth-1': ['10.1.0.1:4000', '10.9.0.1:5000'], 'synth-2': ['10.1.0.2:4001', '10.9.0.2:5001'],
      // unmapped devices, numbered in order of first appearance from the rule's base port
      'synth-3': ['10.0.0.7:20000', '10.0.0.8:7000'], 'synth-4': ['10.0.0.7:20001', '10.0.0.8:7000'],
    };
    datagrams.forEach((d, i) => {
      const record = records[i]!;
      expect(synthRecordNumber(d.payload)).toBe(i); // one TX thread: file order
      expect(d.payload).toEqual(record.data);
      expect([d.src, d.dst]).toEqual(expectedFlow[record.device]);
      expect(d.ipChecksumOk && d.udpChecksumOk).toBe(true);
    });
    expect(result.perFlow!.map((f) => [f.src, f.dst, f.devices, f.sent, f.dropped])).toEqual([
      ['10.1.0.1:4000', '10.9.0.1:5000', ['synth-0', 'synth-1'], 2400, 0],
      ['10.1.0.2:4001', '10.9.0.2:5001', ['synth-2'], 1200, 0],
      ['10.0.0.7:20000', '10.0.0.8:7000', ['synth-3'], 1200, 0],
      ['10.0.0.7:20001', '10.0.0.8:7000', ['synth-4'], 1200, 0],
    ]);
    expect(result.mbufsOutstanding).toBe(0);
  });

  it('--flow-rule single puts every unmapped device on one flow; --payload record sends the whole record', async () => {
    const archive = await synthArchive(join(dir, 'single.tsa'), { records: 500, devices: 3, intervalNs: 2000, dataBytes: 12 });
    const { result, datagrams } = await replayToPcap(archive, { flowRule: 'single', payload: 'record', perFlow: true });
    const { bytes, offsets } = archiveRecords(archive);
    expect(new Set(datagrams.map((d) => `${d.src}>${d.dst}`))).toEqual(new Set(['10.0.0.1:10000>10.0.0.2:9000']));
    datagrams.forEach((d, i) => expect(d.payload).toEqual(bytes.subarray(offsets[i]!, offsets[i]! + 42)));
    expect(result.perFlow).toEqual([{ flow: 0, src: '10.0.0.1:10000', dst: '10.0.0.2:9000', devices: ['synth-0', 'synth-1', 'synth-2'], sent: 500, dropped: 0 }]);
  });

  it('--workers 3 --tx 2: every record exactly once with its own bytes, each TX queue in file order', async () => {
    const archive = await synthArchive(join(dir, 'threads.tsa'), { records: 20_000, devices: 4, intervalNs: 1000 });
    const [a, b] = [join(dir, `th-${runs}-a.pcap`), join(dir, `th-${runs}-b.pcap`)];
    const result = await runtime.startTsReplay({ archive, port: `net_pcap${runs++},tx_pcap=${a},tx_pcap=${b}`, bufferMb: 1, tightLoopNs: 0, workers: 3, tx: 2 }).done();
    const queues = [await readDatagrams(a), await readDatagrams(b)];
    expect(result).toMatchObject({ records: 20_000, sent: 20_000 });
    const { records } = archiveRecords(archive);
    for (const q of queues) {
      const ids = q.map((d) => synthRecordNumber(d.payload));
      expect(ids.every((id, i) => i === 0 || id > ids[i - 1]!)).toBe(true);
      expect(q.filter((d, i) => !Buffer.from(d.payload).equals(records[ids[i]!]!.data)).length).toBe(0);
    }
    expect(queues.flat().map((d) => synthRecordNumber(d.payload)).sort((x, y) => x - y)).toEqual(Array.from({ length: 20_000 }, (_, i) => i));
  });

  it('payloads of 0 to 65,505 bytes: one frame up to 1472, IPv4 fragments beyond, every byte and checksum right', async () => {
    const sizes = [8, 9, 1471, 1472, 1473, 2953, 9000, 65_505];
    const archive = writeArchive(join(dir, 'sizes.tsa'), [
      { epochUs: SYNTH_START_US, device: 'empty', data: new Uint8Array(0) },
      ...sizes.map((size, i) => ({ epochUs: SYNTH_START_US + BigInt(i + 1) * 100n, device: encodeDeviceId(`dev-${i % 2}`), data: numberedData(i + 1, size) })),
    ]);
    const { result, datagrams } = await replayToPcap(archive, { tightLoopNs: 50_000 });
    expect(datagrams.map((d) => d.payload.length)).toEqual([0, ...sizes]);
    expect(datagrams.map((d) => d.fragments)).toEqual([1, 1, 1, 1, 1, 2, 3, 7, 45]);
    expect(datagrams.every((d) => d.ipChecksumOk && d.udpChecksumOk)).toBe(true);
    const { records } = archiveRecords(archive);
    datagrams.forEach((d, i) => expect(d.payload).toEqual(records[i]!.data));
    expect(result).toMatchObject({ sent: 9, packets: 1 + 4 + 2 + 3 + 7 + 45 });
  });
});
