/**
 * `memoco up --veth`: each agent sends through net_af_packet on one end of a veth pair
 * whose other end is in a network namespace made for it, where tcpdump records what left
 * the port. The wire leads nowhere (no addresses, no routes; IPv6 off so the kernel adds
 * no packets of its own). Namespaces of a `memoco up` that died without cleaning up are
 * removed the next time one starts.
 */
import { execFileSync } from 'node:child_process';
import { MemocoError } from '@memoco/protocol';
import { ServiceProcess } from './service-process.ts';

export interface VethWire {
  /** The end agents send on (`net_af_packet0,iface=<hostIf>`). */
  hostIf: string;
  nsIf: string;
  ns: string;
  /** tcpdump in the namespace, writing `captureFile`. */
  capture: ServiceProcess;
  captureFile: string;
  destroy(): Promise<void>;
}

const WIRE_MTU = 2000;
const OUR_NAMESPACE = /^mu([0-9a-z]+)x[0-9a-z]+$/;

function run(args: string[], check = true): string {
  try {
    return execFileSync(args[0]!, args.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 15_000 });
  } catch (error) {
    if (!check) return '';
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    throw new MemocoError('FLEET_ERR_VETH', `${args.join(' ')} failed: ${stderr || (error as Error).message}`);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Removes namespaces (and with them their veths) left by `memoco up` processes that are gone. */
export function removeStaleWires(): string[] {
  const removed: string[] = [];
  for (const line of run(['ip', 'netns', 'list'], false).split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = OUR_NAMESPACE.exec(name);
    if (!match || alive(parseInt(match[1]!, 36))) continue;
    run(['ip', 'netns', 'del', name], false);
    removed.push(name);
  }
  return removed;
}

export async function createVethWire(index: number, captureFile: string, onLine?: (name: string, line: string) => void): Promise<VethWire> {
  if (process.getuid?.() !== 0) throw new MemocoError('FLEET_ERR_VETH', '--veth needs root (it creates network namespaces and veth pairs)');
  const ns = `mu${process.pid.toString(36)}x${index.toString(36)}`;
  const hostIf = `${ns}h`;
  const nsIf = `${ns}n`;
  const remove = () => {
    run(['ip', 'link', 'del', hostIf], false);
    run(['ip', 'netns', 'del', ns], false);
  };
  remove();
  try {
    run(['ip', 'netns', 'add', ns]);
    run(['ip', 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf, 'netns', ns]);
    run(['sysctl', '-qw', `net.ipv6.conf.${hostIf}.disable_ipv6=1`], false);
    run(['ip', 'netns', 'exec', ns, 'sysctl', '-qw', `net.ipv6.conf.${nsIf}.disable_ipv6=1`], false);
    // Synthesised frames may be a little over 1514 bytes (a model's size buckets are 64 B
    // wide); a 1500-MTU veth would drop them. 2000 still fits net_af_packet's 2 KB frames.
    run(['ip', 'link', 'set', hostIf, 'mtu', String(WIRE_MTU), 'up']);
    run(['ip', '-n', ns, 'link', 'set', nsIf, 'mtu', String(WIRE_MTU), 'up', 'promisc', 'on']);
    const capture = ServiceProcess.start({
      name: `tcpdump-${ns}`,
      command: 'ip',
      // Snap length of an MTU-sized frame and a 32 MiB buffer: see docs/testing.md for why not -s 0.
      args: ['netns', 'exec', ns, 'tcpdump', '-i', nsIf, '-w', captureFile, '-U', '-s', '2048', '-B', '32768', '--immediate-mode', '-n', '-Z', 'root'],
      env: process.env,
      ...(onLine ? { onLine } : {}),
    });
    await capture.waitFor(/listening on/, 10_000);
    return {
      hostIf,
      nsIf,
      ns,
      capture,
      captureFile,
      async destroy() {
        await capture.stop(5000);
        remove();
      },
    };
  } catch (error) {
    remove();
    throw error;
  }
}
