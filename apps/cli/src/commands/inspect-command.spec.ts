import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { captureIo } from '../io-capture.ts';
import { runCli } from '../main.ts';
import { inspectCommand } from './inspect-command.ts';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..', 'libs', 'pcap', 'fixtures');
const run = async (args: string[], isTty = false) => {
  const io = captureIo({ isTty });
  const code = await runCli(['inspect', ...args], io, [inspectCommand]);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
};

describe('memoco inspect', () => {
  it('prints a summary for a person and exits 0', async () => {
    const { code, stdout, stderr } = await run([join(fixtures, 'zeek__wikipedia.pcap')]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^packets\s+136$/m);
    expect(stdout).toMatch(/^flows\s+34 \(TCP 10, UDP 24, other 0\)$/m);
    expect(stdout).toMatch(/^first packet\s+2011-03-18T19:06:07\.096535000Z$/m);
    expect(stdout).toMatch(/^complete\s+yes$/m);
    expect(stderr).toBe('');
  });

  it('prints one JSON object with --json', async () => {
    const { code, stdout } = await run([join(fixtures, 'zeek__wikipedia-CONVERTED.pcapng'), '--json']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(Object.keys(result)).toEqual(expect.arrayContaining(['format', 'linkTypes', 'packets', 'bytes', 'ipPackets', 'flows', 'tcpFlows', 'udpFlows', 'firstTimestamp', 'lastTimestamp', 'durationSeconds', 'complete']));
    expect(result).toMatchObject({ format: 'pcapng', linkTypes: [1], packets: 136, flows: 34, complete: true });
  });

  it('reports a cut-short capture: what was read, the error with offset and record, one stderr line, exit 1', async () => {
    const whole = readFileSync(join(fixtures, 'suricata__nfsv2-bigendian.pcap'));
    const path = join(mkdtempSync(join(tmpdir(), 'inspect-')), 'cut.pcap');
    writeFileSync(path, whole.subarray(0, whole.length - 10));
    const { code, stdout, stderr } = await run([path, '--json']);
    expect(code).toBe(1);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ packets: 155, complete: false, error: { code: 'PCAP_ERR_TRUNCATED_RECORD', record: 155 } });
    expect(result.error.offset).toBeGreaterThan(24);
    expect(stderr.trim().split('\n')).toEqual([expect.stringMatching(/^memoco inspect: PCAP_ERR_TRUNCATED_RECORD: .*\(offset \d+, record 155\)$/)]);
  });

  it('says in one line, without a stack, that a file is not a capture or is missing', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'inspect-')), 'notes.txt');
    writeFileSync(path, 'not a capture at all');
    const bad = await run([path]);
    expect([bad.code, bad.stderr]).toEqual([1, expect.stringMatching(/^memoco inspect: PCAP_ERR_BAD_MAGIC: [^\n]+\n$/)]);
    const missing = await run(['/nonexistent.pcap', '--json']);
    expect([missing.code, missing.stdout, missing.stderr]).toEqual([1, '', expect.stringMatching(/^memoco inspect: PCAP_ERR_IO: cannot read \/nonexistent.pcap: no such file\n$/)]);
  });

  it('rejects a missing or extra argument as a usage error', async () => {
    expect((await run([])).code).toBe(2);
    expect((await run(['a', 'b'])).stderr).toMatch(/CLI_ERR_USAGE/);
  });

  it('draws progress on a terminal and clears it', async () => {
    const { stderr } = await run([join(fixtures, 'zeek__wikipedia.pcap')], true);
    expect(stderr).toMatch(/^\rinspect: .*packets.*MB\/s\x1b\[K\r\x1b\[K$/s);
  });
});
