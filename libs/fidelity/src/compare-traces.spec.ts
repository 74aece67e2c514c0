import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareTraces } from './compare-traces.ts';
import { writeEvenSpreadBaseline } from './even-spread-baseline.ts';
import { burstyFrames, writeFixtureTrace } from './test-support/trace-fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'memoco-fidelity-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('compareTraces', () => {
  it('scores a trace against itself as perfect', async () => {
    const path = join(dir, 'a.pcap');
    await writeFixtureTrace(path, burstyFrames(40, 5));
    const m = await compareTraces(path, path);
    expect(m.packetsRatio).toBe(1);
    expect(m.flowsRatio).toBe(1);
    expect(m.flowCountError).toBe(0);
    expect(m.rateNrmse).toEqual({ '10ms': 0, '100ms': 0, '1s': 0 });
    for (const key of ['pktSizeEmd', 'pktSizeJsd', 'flowSizeEmd', 'iatEmd', 'protoJsd', 'dstPortJsd'] as const) expect(m[key]).toBe(0);
    expect(m.original.flows).toBe(40);
  });

  it('gives the even-spread baseline exact counts but poor rate, size and timing scores', async () => {
    const path = join(dir, 'b.pcap');
    const base = join(dir, 'b-base.pcap');
    const frames = burstyFrames(60, 8);
    await writeFixtureTrace(path, frames);
    const { packets, meanSize } = await writeEvenSpreadBaseline(path, base);
    expect(packets).toBe(frames.length);
    const m = await compareTraces(path, base);
    expect(m.packetsRatio).toBe(1);
    expect(m.flowsRatio).toBe(1);
    expect(m.flowCountError).toBe(0);
    expect(m.protoJsd).toBe(0);
    expect(m.dstPortJsd).toBe(0);
    expect(m.rateNrmse['10ms']).toBeGreaterThan(1);
    expect(m.pktSizeJsd).toBeGreaterThan(0.5);
    expect(m.raw.pktSizeEmdBytes).toBeGreaterThan(100);
    expect(m.iatEmd).toBeGreaterThan(0);
    expect(meanSize).toBeGreaterThan(80);
  });

  it('writes a self-contained HTML report with the rate series and distributions as SVG', async () => {
    const a = join(dir, 'c.pcap');
    const b = join(dir, 'c-base.pcap');
    const report = join(dir, 'report.html');
    await writeFixtureTrace(a, burstyFrames(30, 4));
    await writeEvenSpreadBaseline(a, b);
    await compareTraces(a, b, { reportPath: report, originalName: 'orig <1>', candidateName: 'cand' });
    const html = readFileSync(report, 'utf8');
    expect(html.match(/<svg /g)?.length).toBe(7);
    expect(html).toContain('Aggregate packet rate, 1s bins');
    expect(html).toContain('orig &lt;1&gt;');
    expect(html).not.toMatch(/(src|href)="https?:/);
    expect(html).not.toContain('<script');
  });

  it('refuses an original without IP packets', async () => {
    const empty = join(dir, 'empty.pcap');
    await writeFixtureTrace(empty, []);
    await expect(compareTraces(empty, empty)).rejects.toMatchObject({ code: 'FIDELITY_ERR_NO_IP_PACKETS' });
  });
});
