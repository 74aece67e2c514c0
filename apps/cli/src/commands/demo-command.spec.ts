/**
 * `memoco demo` (the README's main command) on the sample that ships in the repo: a real
 * local fleet (nats-server, controller, trainer, 2 agents as processes) is started, the
 * sample uploaded and trained, the model run across the agents through DPDK (net_pcap), each
 * agent's output checked by its sequence tags, the merged output scored against the sample,
 * the run found in the history, and everything stopped at the end. A bad capture stops it
 * before any service starts, with a coded one-line error.
 */
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

/** Processes whose command line names `path` (the fleet's nats-server names its config there). */
function processesUsing(path: string): number[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(path);
    } catch {
      return false;
    }
  }).map(Number);
}

describe('memoco demo', () => {
  it('uploads the sample, runs its model across 2 agents in order, scores the output and lists the run', async () => {
    const keep = join(dir, 'kept');
    const { code, stdout, stderr } = await demo(['--json', '--dir', keep, '--duration', '4']);
    expect(code, stderr).toBe(0);
    expect(stderr).toContain('demo: uploading ' + DEMO_SAMPLE + ' to the trainer');
    const r = JSON.parse(stdout);
    expect(r).toMatchObject({ trace: DEMO_SAMPLE, packets: 7451, flows: 334, status: 'completed', modelId: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(r.hosts.map((h: { host: string }) => h.host)).toEqual(['agent-1', 'agent-2']);
    for (const h of r.hosts) expect(h).toMatchObject({ status: 'completed', outOfOrder: 0, missing: 0 });
    // The agents' shards partition the model's packets: together they are the whole window.
    expect(r.hosts.reduce((s: number, h: { packets: number }) => s + h.packets, 0)).toBe(7451);
    expect(r.fidelity).toMatchObject({ packetsRatio: 1, flowsRatio: 1, flowCountError: 0, protoJsd: 0 });
    expect(r.fidelity.pktSizeJsd).toBeLessThan(0.05);
    expect(r.history[0]).toMatchObject({ id: r.runId, status: 'completed', modelId: r.modelId, hostCount: 2 });
    // The fleet is gone, its logs and captures are kept.
    expect(processesUsing(keep)).toEqual([]);
    expect(readdirSync(join(keep, 'logs')).sort()).toEqual(['agent-1.log', 'agent-2.log', 'controller.log', 'nats-server.log', 'trainer.log']);
    expect(existsSync(join(keep, 'captures', `agent-1-${r.runId}.pcap`))).toBe(true);
  }, 180_000);

  it('stops on a capture that is not one, with a coded one-line error, before starting anything', async () => {
    const bad = join(dir, 'bad.pcap');
    writeFileSync(bad, Buffer.from('this is not a capture file at all'));
    const keep = join(dir, 'bad-run');
    const { code, stderr } = await demo(['--trace', bad, '--dir', keep]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^memoco demo: PCAP_ERR_BAD_MAGIC: .*offset 0/m);
    expect(stderr).not.toContain('starting a local fleet');
  });

  it('refuses an agent count it cannot use', async () => {
    const { code, stderr } = await demo(['--agents', '0']);
    expect(code).toBe(2);
    expect(stderr).toContain('CLI_ERR_USAGE');
  });
});
