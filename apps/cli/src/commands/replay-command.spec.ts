/**
 * `memoco replay` end to end in this process (one EAL for the file): the JSON the issue
 * names, the one-line coded errors, figures printed on a corrupt trace and on Ctrl-C.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sharedPcap } from '@memoco/testbed';
import { captureIo } from '../io-capture.ts';
import { runCli } from '../main.ts';
import { replayCommand } from './replay-command.ts';

const TLS = sharedPcap('pcpp__tls2.pcap');
const TRUNCATED = sharedPcap('suricata__http-mime-truncated-CUTSHORT.pcap');
const SKIP = '(skipped: ../shared/data/pcaps absent)';
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-replay-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function replay(args: string[], opts: { signal?: AbortSignal; isTty?: boolean } = {}) {
  const io = captureIo(opts);
  const code = await runCli(['replay', ...args], io, [replayCommand]);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe.skipIf(!TLS)(`memoco replay ${TLS ? '' : SKIP}`, () => {
  it('--json prints the figures the issue names, per core too', async () => {
    const out = join(dir, 'out.pcap');
    const { code, stdout } = await replay([TLS!, '--port', `net_pcap0,tx_pcap=${out}`, '--cores', '2', '--topspeed', '--json', '--buffer-mb', '4']);
    expect(code).toBe(0);
    const result = JSON.parse(stdout);
    expect(result).toMatchObject({ packets: 7451, bytes: expect.any(Number), seconds: expect.any(Number), pps: expect.any(Number), gbps: expect.any(Number), late: 0, stopped: false });
    expect(Object.keys(result.lateness)).toEqual(['p50Us', 'p99Us', 'maxUs']);
    expect(result.perCore.map((c: { core: number }) => c.core)).toEqual([0, 1]);
    expect(result.perCore[0].packets + result.perCore[1].packets).toBe(7451);
    expect(result.peakRssMb).toBeGreaterThan(0);
    expect(readFileSync(out).length).toBeGreaterThan(7451 * 16);
  });

  it('--count N stops after N packets, across loops', async () => {
    const { code, stdout } = await replay([TLS!, '--port', 'net_null0', '--topspeed', '--loop', '2', '--count', '10000', '--json', '--buffer-mb', '4']);
    expect(code).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({ packets: 10000, stopped: false });
    expect((await replay([TLS!, '--port', 'net_null0', '--count', '0'])).code).toBe(2);
  });

  it('prints a human summary and draws a progress line only on a terminal', async () => {
    const { code, stdout, stderr } = await replay([TLS!, '--port', 'net_null0', '--pps', '15000', '--buffer-mb', '4'], { isTty: true });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^replay: 7,451 packets, 2\.73 MB in [0-9.]+ s: /);
    expect(stdout).toMatch(/late: \d+ \(lateness p50 [0-9.]+ us, p99 [0-9.]+ us, max [0-9.]+ us\)/);
    expect(stderr).toContain('\rreplay: ');
  });

  it('Ctrl-C stops cleanly: figures printed, exit 130', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const { code, stdout } = await replay([TLS!, '--port', 'net_null0', '--pps', '20000', '--loop', '0', '--json', '--buffer-mb', '4'], { signal: controller.signal });
    expect(code).toBe(130);
    expect(JSON.parse(stdout)).toMatchObject({ stopped: true, packets: expect.any(Number) });
  });

  it('bad input: one coded line each', async () => {
    const two = await replay([TLS!, '--port', 'net_null0', '--speed', '2', '--mbps', '5']);
    expect(two.stderr).toBe('memoco replay: TXCORE_ERR_RATE_CONFLICT: give one rate, not --speed and --mbps (--speed X | --pps N | --mbps N | --topspeed)\n');
    const port = await replay([TLS!, '--port', 'net_bogus0']);
    expect(port.stderr).toMatch(/^memoco replay: TXCORE_ERR_PORT_SPEC: .*\n$/);
    const failing = await replay([TLS!, '--port', 'net_pcap1,tx_pcap=/nonexistent/x.pcap']);
    expect(failing.stderr).toMatch(/^memoco replay: TXCORE_ERR_PORT_PROBE: port 'net_pcap1,tx_pcap=\/nonexistent\/x.pcap': .*Couldn't open/);
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a capture');
    expect((await replay([text, '--port', 'net_null0'])).stderr).toMatch(/^memoco replay: TXCORE_ERR_TRACE_FORMAT: /);
    expect((await replay([TLS!])).code).toBe(2);
  });

  it.skipIf(!TRUNCATED)('a trace cut short: what was sent is printed, then the coded error (exit 1)', async () => {
    const { code, stdout, stderr } = await replay([TRUNCATED!, '--port', 'net_null0', '--topspeed', '--json', '--buffer-mb', '4']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ packets: 2696, error: { code: 'TXCORE_ERR_TRACE_TRUNCATED', record: 2696 } });
    expect(stderr).toMatch(/^memoco replay: TXCORE_ERR_TRACE_TRUNCATED: .*\(record 2696, offset 2715459\)\n$/);
  });
});
