import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { captureIo } from '../io-capture.ts';
import { runCli } from '../main.ts';
import { fidelityCommand } from './fidelity-command.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'libs', 'pcap', 'fixtures');
const run = async (args: string[]) => {
  const io = captureIo();
  const code = await runCli(['fidelity', ...args], io, [fidelityCommand]);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
};

describe('memoco fidelity', () => {
  it('scores a trace against itself (pcap vs its pcapng conversion) as identical', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'memoco-fidelity-'));
    const report = join(dir, 'r.html');
    const { code, stdout } = await run([join(fixtures, 'zeek__wikipedia.pcap'), join(fixtures, 'zeek__wikipedia-CONVERTED.pcapng'), '--json', '--report', report]);
    expect(code).toBe(0);
    const m = JSON.parse(stdout);
    expect(Object.keys(m)).toEqual(expect.arrayContaining(['packetsRatio', 'flowsRatio', 'flowCountError', 'rateNrmse', 'pktSizeEmd', 'pktSizeJsd', 'flowSizeEmd', 'iatEmd', 'protoJsd', 'dstPortJsd']));
    expect(m).toMatchObject({ packetsRatio: 1, flowsRatio: 1, flowCountError: 0, rateNrmse: { '10ms': 0, '100ms': 0, '1s': 0 }, pktSizeJsd: 0, dstPortJsd: 0 });
    expect(m.original).toMatchObject({ packets: 126, flows: 34, nonIpPackets: 10 });
    expect(readFileSync(report, 'utf8')).toMatch(/^<!doctype html>/);
    rmSync(dir, { recursive: true, force: true });
  });

  it('prints a table for a person and reports trace errors in one line', async () => {
    const text = await run([join(fixtures, 'zeek__wikipedia.pcap'), join(fixtures, 'zeek__wikipedia.pcap')]);
    expect(text.stdout).toMatch(/^packetsRatio\s+1\.000000$/m);
    const missing = await run([join(fixtures, 'zeek__wikipedia.pcap'), '/nonexistent.pcap']);
    expect([missing.code, missing.stderr]).toEqual([1, expect.stringMatching(/^memoco fidelity: PCAP_ERR_IO: /)]);
    expect((await run(['only-one.pcap'])).code).toBe(2);
  });
});
