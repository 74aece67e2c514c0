/**
 * `memoco demo` (the README's main command) on the sample that ships in the repo: every
 * stage really runs (training, regeneration, DPDK through net_pcap on 2 cores, order check
 * of what left the port, fidelity), and a bad capture stops it with a coded error.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFlowModelFile } from '@memoco/flow-model';
import { captureIo } from '../io-capture.ts';
import { runCli } from '../main.ts';
import { DEMO_SAMPLE, demoCommand } from './demo-command.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-demo-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function demo(args: string[]) {
  const io = captureIo();
  const code = await runCli(['demo', ...args], io, [demoCommand]);
  return { code, stdout: io.stdout(), stderr: io.stderr() };
}

describe('memoco demo', () => {
  it('sends the regenerated sample through DPDK in order and scores it against the original', async () => {
    const keep = join(dir, 'kept');
    const { code, stdout, stderr } = await demo(['--json', '--dir', keep]);
    expect(stderr).toContain('demo: training a flow model');
    expect(code).toBe(0);
    const r = JSON.parse(stdout);
    expect(r.trace).toBe(DEMO_SAMPLE);
    expect(r).toMatchObject({ packets: 7451, flows: 334, status: 'completed' });
    // What left the port is the regenerated trace exactly, though two cores built it.
    expect(r.order.expected).toBe(r.replay.packets);
    expect(r.order).toMatchObject({ received: r.order.expected, missing: 0, duplicates: 0, outOfOrder: 0 });
    expect(r.hosts).toEqual([{ host: 'local', packets: r.replay.packets, outOfOrder: 0 }]);
    // The model regenerates the trace's packets and flows (docs/flow-models.md: totals are exact).
    expect(r.fidelity.packetsRatio).toBe(1);
    expect(r.fidelity.flowsRatio).toBe(1);
    expect(r.fidelity.rateNrmse['1s']).toBeLessThan(0.15);
    expect(readFlowModelFile(join(keep, 'model.onnx')).modelId).toBe(r.modelId);
    expect(readdirSync(keep).sort()).toEqual(['model.onnx', 'port-capture.pcap', 'regenerated.pcap']);
  });

  it('stops on a capture that is not one, with a coded one-line error and no files left', async () => {
    const bad = join(dir, 'bad.pcap');
    writeFileSync(bad, Buffer.from('this is not a capture file at all'));
    const keep = join(dir, 'bad-run');
    const { code, stderr } = await demo(['--trace', bad, '--dir', keep]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^memoco demo: PCAP_ERR_BAD_MAGIC: .*offset 0/m);
    expect(existsSync(keep)).toBe(true);
    expect(readdirSync(keep)).toEqual([]);
  });

  it('refuses a core count it cannot use', async () => {
    const { code, stderr } = await demo(['--cores', '0']);
    expect(code).toBe(2);
    expect(stderr).toContain('CLI_ERR_USAGE');
  });
});
