import { spawn } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { captureInNamespace } from './namespace-capture.ts';
import { canUseNetns, NETNS_SKIP_REASON } from './netns-access.ts';
import { runCommand } from './run-command.ts';
import { makeTempDir } from './temp-dir.ts';
import { createVethPair, removeStaleNamespaces } from './veth-pair.ts';
import { pendingCleanups } from './cleanup-registry.ts';

const netns = await canUseNetns();

async function sendUdp(to: string, count: number): Promise<void> {
  const socket = createSocket('udp4');
  for (let i = 0; i < count; i++) {
    await new Promise<void>((resolve, reject) => socket.send(`memoco ${i}`, 9, to, (e) => (e ? reject(e) : resolve())));
  }
  socket.close();
}

describe.skipIf(!netns)(`createVethPair + captureInNamespace (${netns ? 'root' : NETNS_SKIP_REASON})`, () => {
  it('makes a veth pair into a fresh namespace, names it within IFNAMSIZ, and removes both on destroy', async () => {
    const pair = await createVethPair();
    expect(pair.hostIf.length).toBeLessThanOrEqual(15);
    expect(pair.nsIf.length).toBeLessThanOrEqual(15);
    const inside = await runCommand('ip', ['-n', pair.ns, '-o', 'link', 'show', pair.nsIf]);
    expect(inside.stdout).toContain('PROMISC');
    expect(inside.stdout).toContain('UP');
    expect((await runCommand('ip', ['netns', 'list'])).stdout).toContain(pair.ns);
    await pair.destroy();
    expect((await runCommand('ip', ['netns', 'list'])).stdout).not.toContain(pair.ns);
    expect((await runCommand('ip', ['link', 'show', pair.hostIf], { check: false })).exitCode).not.toBe(0);
    expect(pendingCleanups().filter((w) => w.includes(pair.hostIf))).toEqual([]);
  });

  it('captures in the namespace exactly the frames sent over the wire', async () => {
    const temp = makeTempDir('veth-spec');
    const pair = await createVethPair({ linkLocalIpv4: true });
    try {
      expect(pair.nsIp).toMatch(/^169\.254\./);
      const file = join(temp.path, 'udp.pcap');
      const capture = await captureInNamespace(pair.ns, pair.nsIf, file, { filter: 'udp', count: 5 });
      await sendUdp(pair.nsIp!, 5);
      const result = await capture.finished; // -c 5: tcpdump ends by itself after the fifth
      expect(result.packets).toBe(5);
      expect(statSync(file).size).toBeGreaterThan(24 + 5 * 16);
      const read = await runCommand('tcpdump', ['-nr', file]);
      expect(read.stdout.trim().split('\n')).toHaveLength(5);
    } finally {
      await pair.destroy();
      temp.remove();
    }
    expect(existsSync(temp.path)).toBe(false);
    expect((await runCommand('ip', ['netns', 'list'])).stdout).not.toContain(pair.ns);
  });

  it('stopWhenIdle() ends a capture that has no count once nothing more arrives, and reports what it wrote', async () => {
    const temp = makeTempDir('veth-spec');
    const pair = await createVethPair({ linkLocalIpv4: true });
    try {
      const capture = await captureInNamespace(pair.ns, pair.nsIf, join(temp.path, 'all.pcap'), { filter: 'udp' });
      await sendUdp(pair.nsIp!, 3);
      const result = await capture.stopWhenIdle();
      expect(result.packets).toBe(3);
    } finally {
      await pair.destroy();
      temp.remove();
    }
  });

  it('puts a second veth into an existing namespace and leaves that namespace alone on destroy', async () => {
    const first = await createVethPair();
    try {
      const second = await createVethPair({ ns: first.ns });
      expect(second.ns).toBe(first.ns);
      await second.destroy();
      expect((await runCommand('ip', ['netns', 'list'])).stdout).toContain(first.ns);
      expect((await runCommand('ip', ['-n', first.ns, 'link', 'show', first.nsIf], { check: false })).exitCode).toBe(0);
    } finally {
      await first.destroy();
    }
  });
});

describe.skipIf(!netns)(`cleanup of leftovers (${netns ? 'root' : NETNS_SKIP_REASON})`, () => {
  const child = (signal: NodeJS.Signals) => async () => {
    // A process that makes a pair and then dies of `signal` without calling destroy().
    const script = `import { createVethPair } from '${join(import.meta.dirname, 'veth-pair.ts')}';
      const pair = await createVethPair(); process.stdout.write(pair.ns + '\\n'); setInterval(() => {}, 1000);`;
    const proc = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const ns = await new Promise<string>((resolve) => proc.stdout.once('data', (d: Buffer) => resolve(String(d).trim())));
    expect((await runCommand('ip', ['netns', 'list'])).stdout).toContain(ns);
    proc.kill(signal);
    await new Promise((resolve) => proc.once('exit', resolve));
    if (signal === 'SIGKILL') expect(await removeStaleNamespaces()).toContain(ns);
    expect((await runCommand('ip', ['netns', 'list'])).stdout).not.toContain(ns);
  };

  it('removes the namespace when its process dies of SIGTERM', child('SIGTERM'));
  it('removes the namespace of a process killed with SIGKILL on the next sweep', child('SIGKILL'));
});
