import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inspectTrace } from './inspect-trace.ts';
import { formatInspectReport } from './inspect-report.ts';
import { chunked, pcapFile } from './testing/capture-builder.ts';
import { FIXTURES_DIR } from './testing/corpus-manifest.ts';

const fixture = (name: string) => join(FIXTURES_DIR, name);

describe('inspectTrace', () => {
  it('summarises a nanosecond SLL capture', async () => {
    expect(await inspectTrace(fixture('tcpdump__tcp-handshake-nano.pcap'))).toEqual({
      format: 'pcap', linkTypes: [113], packets: 3, bytes: 3 * 76 - 8, wireBytes: 3 * 76 - 8, ipPackets: 3,
      flows: 1, tcpFlows: 1, udpFlows: 0,
      firstTimestamp: '2014-12-09T17:16:09.924505488Z', lastTimestamp: '2014-12-09T17:16:10.052115157Z',
      durationSeconds: expect.closeTo(0.127609669, 9), complete: true,
    });
  });

  it('agrees between a pcap and its pcapng conversion', async () => {
    const pcap = await inspectTrace(fixture('zeek__wikipedia.pcap'));
    const pcapng = await inspectTrace(fixture('zeek__wikipedia-CONVERTED.pcapng'));
    expect({ ...pcapng, format: 'pcap' }).toEqual(pcap);
    expect([pcap.packets, pcap.ipPackets, pcap.flows, pcap.tcpFlows, pcap.udpFlows]).toEqual([136, 126, 34, 10, 24]);
  });

  it('reports bad content in the result instead of throwing', async () => {
    const result = await inspectTrace(chunked(new TextEncoder().encode('GET / HTTP/1.1\r\n')));
    expect(result).toMatchObject({ format: null, packets: 0, complete: false, firstTimestamp: null, error: { code: 'PCAP_ERR_BAD_MAGIC', offset: 0, record: 0 } });
    const truncated = pcapFile({}, [{ sec: 1, frac: 0, data: new Uint8Array(60) }, { sec: 2, frac: 0, data: new Uint8Array(60) }]);
    const cut = await inspectTrace(chunked(truncated.subarray(0, truncated.length - 1)));
    expect(cut).toMatchObject({ packets: 1, complete: false, error: { code: 'PCAP_ERR_TRUNCATED_RECORD', offset: 24 + 76, record: 1 } });
    expect(formatInspectReport('cut.pcap', cut)).toMatch(/complete\s+no: PCAP_ERR_TRUNCATED_RECORD at offset 100, record 1/);
  });

  it('throws PCAP_ERR_IO for a file that is not there', async () => {
    await expect(inspectTrace('/nonexistent.pcap')).rejects.toMatchObject({ code: 'PCAP_ERR_IO' });
  });

  it('stops on an aborted signal and says so', async () => {
    const controller = new AbortController();
    controller.abort();
    const result = await inspectTrace(fixture('zeek__wikipedia.pcap'), { signal: controller.signal, reader: { batchSize: 10 } });
    expect(result).toMatchObject({ packets: 10, complete: false, error: { code: 'PCAP_ERR_ABORTED', record: 10 } });
  });

  it('reports progress between batches', async () => {
    const seen: number[] = [];
    await inspectTrace(fixture('zeek__wikipedia.pcap'), { reader: { batchSize: 20 }, progressIntervalMs: 0, onProgress: (p) => seen.push(p.packets) });
    expect(seen).toEqual([20, 40, 60, 80, 100, 120, 136]);
  });
});
