/**
 * `memoco ts replay` end to end in this process (one EAL for the file): the JSON the issue
 * names, a progress line on a terminal, Ctrl-C, one-line coded errors for bad options, bad
 * ports and bad archives (figures of what was sent first).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseTsSynthOptions, synthesizeArchive } from '@memoco/tsarchive';
import { captureIo } from '../io-capture.ts';
import { runCli } from '../main.ts';
import { tsReplayCommand } from './ts-replay-command.ts';

let dir: string;
let archive: string;
let long: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'cli-tsreplay-'));
  archive = join(dir, 'a.tsa');
  await synthesizeArchive(archive, parseTsSynthOptions({ records: 3000, devices: 3, intervalNs: 20_000 }));
  long = join(dir, 'long.tsa');
  await synthesizeArchive(long, parseTsSynthOptions({ records: 100_000, intervalNs: 50_000 })); // 5 s
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function replay(args: string[], opts: { signal?: AbortSignal; isTty?: boolean } = {}) {
  const io = captureIo(opts);
  const code = await runCli(['ts', 'replay', ...args], io, [tsReplayCommand]);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe('memoco ts replay', () => {
  it('--json prints records, sent, dropped, outOfOrder, lateness, pps and, with --per-flow, perFlow', async () => {
    const map = join(dir, 'map.json');
    writeFileSync(map, JSON.stringify({ flows: [{ devices: ['synth-0', 'synth-1'], src: '10.5.0.1:1000', dst: '10.5.0.2:2000' }] }));
    const out = join(dir, 'out.pcap');
    const { code, stdout } = await replay([archive, '--port', `net_pcap0,tx_pcap=${out}`, '--json', '--per-flow', '--flows', map, '--fast-forward', '4', '--drift-us', '1000000', '--buffer-mb', '1']);
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r).toMatchObject({ records: 3000, sent: 3000, dropped: 0, outOfOrder: 0, pps: expect.any(Number), timing: { mode: 'timestamps', fastForward: 4 }, driftUs: 1_000_000 });
    expect(Object.keys(r.lateness)).toEqual(['p50Us', 'p99Us', 'maxUs']);
    expect(r.perFlow).toEqual([
      { flow: 0, src: '10.5.0.1:1000', dst: '10.5.0.2:2000', devices: ['synth-0', 'synth-1'], sent: 2000, dropped: 0 },
      { flow: 1, src: '10.0.0.1:10000', dst: '10.0.0.2:9000', devices: ['synth-2'], sent: 1000, dropped: 0 },
    ]);
    expect(r.threads).toMatchObject({ io: 1, workers: 1, tx: 1, ooo: 0 });
    expect(readFileSync(out).length).toBe(24 + 3000 * (16 + 112));
  });

  it('prints a summary, and a progress line only on a terminal', async () => {
    const { code, stdout, stderr } = await replay([long, '--port', 'net_null0', '--fast-forward', '10', '--ooo-probability', '0.1', '--ooo-window-us', '50', '--buffer-mb', '1'], { isTty: true });
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ts replay: 100,000 of 100,000 records sent in 0\.[0-9]+ s/);
    expect(stdout).toMatch(/dropped \(time violations\): 0; out of order: \d+/);
    expect(stderr).toContain('\rts replay: ');
  });

  it('Ctrl-C stops cleanly: what was sent is printed, exit 130', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 300);
    const { code, stdout } = await replay([long, '--port', 'net_null0', '--json', '--buffer-mb', '1'], { signal: controller.signal });
    expect(code).toBe(130);
    const r = JSON.parse(stdout);
    expect(r).toMatchObject({ stopped: true });
    expect(r.sent).toBeGreaterThan(0);
    expect(r.sent).toBeLessThan(100_000);
  });

  it('bad input: one coded line each', async () => {
    expect((await replay([archive, '--port', 'net_null0', '--tight-loop-ns', '5', '--fast-forward', '2'])).stderr)
      .toBe('memoco ts replay: TXCORE_ERR_OPTION_CONFLICT: give one timing, not --tight-loop-ns and --fast-forward (--fast-forward F scales the timestamps, --tight-loop-ns N ignores them)\n');
    expect((await replay([archive, '--port', 'net_null0', '--ooo-window-us', '5'])).stderr).toMatch(/^memoco ts replay: TXCORE_ERR_OPTION_CONFLICT: --ooo-window-us needs --ooo-probability P/);
    expect((await replay([archive, '--port', 'net_bogus0'])).stderr).toMatch(/^memoco ts replay: TXCORE_ERR_PORT_SPEC: .*\n$/);
    expect((await replay([archive, '--port', 'net_pcap1,tx_pcap=/nonexistent/x.pcap'])).stderr).toMatch(/^memoco ts replay: TXCORE_ERR_PORT_PROBE: .*Couldn't open/);
    expect((await replay([join(dir, 'missing.tsa'), '--port', 'net_null0'])).stderr).toMatch(/^memoco ts replay: TXCORE_ERR_ARCHIVE_OPEN: cannot open/);
    const badMap = join(dir, 'bad-map.json');
    writeFileSync(badMap, '{"flows":[{"device":"a","src":"1.2.3.4","dst":"1.2.3.5:1"}]}');
    expect((await replay([archive, '--port', 'net_null0', '--flows', badMap])).stderr).toMatch(/^memoco ts replay: TSARCHIVE_ERR_BAD_FLOW_MAP: .*bad-map\.json: \$\.flows\[0\]\.src: /);
    const usage = await replay([archive]);
    expect(usage.code).toBe(2);
    expect(usage.stderr).toMatch(/--port SPEC is required/);
  });

  it('a corrupt archive: the figures of what was sent, then the coded error with record and offset (exit 1)', async () => {
    const bytes = readFileSync(archive);
    bytes[1000 * 100 + 4] = 0x13; // record 1000's month (records are 100 B)
    const bad = join(dir, 'bad.tsa');
    writeFileSync(bad, bytes);
    const { code, stdout, stderr } = await replay([bad, '--port', 'net_null0', '--json', '--tight-loop-ns', '0']);
    expect(code).toBe(1);
    expect(JSON.parse(stdout)).toMatchObject({ sent: 1000, error: { code: 'TXCORE_ERR_ARCHIVE_CORRUPT', record: 1000, offset: 100_000, reason: 'BAD_DATE' } });
    expect(stderr).toMatch(/^memoco ts replay: TXCORE_ERR_ARCHIVE_CORRUPT: '.*bad\.tsa': record 1000 at byte 100000: month 13 is impossible/);
  });
});
