import { execFileSync } from 'node:child_process';
import { MemocoError } from '@memoco/protocol';
import { registerCleanup } from './cleanup-registry.ts';
import { isRoot } from './netns-access.ts';
import { runCommand } from './run-command.ts';

export interface VethPairOptions {
  /** Put the far end into this existing namespace (not deleted by destroy()); default: a fresh one. */
  ns?: string;
  /** Keep the kernel's IPv6 on both ends (default false: IPv6 off, so the kernel sends no RS/MLD/DAD). */
  keepIpv6?: boolean;
  /** Give the ends 169.254.X.1/30 (host) and 169.254.X.2/30 (ns) so IP traffic can cross (default false). */
  linkLocalIpv4?: boolean;
  /** MTU of both ends (default: the kernel's 1500). Replays of captures with larger frames need more. */
  mtu?: number;
}

export interface VethPair {
  /** The end in the caller's namespace (where Memoco sends: net_af_packet iface=hostIf). */
  readonly hostIf: string;
  /** The end inside `ns`, up and promiscuous (where a capture listens). */
  readonly nsIf: string;
  readonly ns: string;
  /** With linkLocalIpv4: the addresses of each end (no prefix). */
  readonly hostIp?: string;
  readonly nsIp?: string;
  /** Deletes the pair, and the namespace when this call created it. Idempotent. */
  destroy(): Promise<void>;
}

let pairsMade = 0;

/**
 * Makes a veth pair with one end in a fresh network namespace: an isolated wire that
 * leads nowhere (no route to the outside). Names are `mc<pid36>x<n36>` plus `h`/`n`, unique
 * per process and at most 15 characters (IFNAMSIZ). Registered for cleanup at exit.
 */
export async function createVethPair(options: VethPairOptions = {}): Promise<VethPair> {
  if (!isRoot()) throw new MemocoError('TESTBED_ERR_NOT_ROOT', 'createVethPair needs root (CAP_NET_ADMIN)');
  if (pairsMade === 0) await removeStaleNamespaces();
  const base = `mc${process.pid.toString(36)}x${(pairsMade++).toString(36)}`;
  const ownsNs = options.ns === undefined;
  const ns = options.ns ?? base;
  const hostIf = `${base}h`;
  const nsIf = `${base}n`;
  const undo = () => removeSync(hostIf, ownsNs ? ns : undefined);
  undo(); // a leftover of a dead process that had our pid
  const unregister = registerCleanup(`veth ${hostIf}/${ns}:${nsIf}`, undo);
  try {
    if (ownsNs) await ip(['netns', 'add', ns]);
    await ip(['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf, 'netns', ns]);
    if (options.mtu !== undefined) {
      await ip(['link', 'set', hostIf, 'mtu', String(options.mtu)]);
      await ip(['-n', ns, 'link', 'set', nsIf, 'mtu', String(options.mtu)]);
    }
    if (!options.keepIpv6) await disableIpv6(ns, hostIf, nsIf);
    const addresses = options.linkLocalIpv4 ? await assignLinkLocal(ns, hostIf, nsIf) : undefined;
    await ip(['link', 'set', hostIf, 'up']);
    await ip(['-n', ns, 'link', 'set', nsIf, 'up', 'promisc', 'on']);
    let destroyed = false;
    return {
      hostIf,
      nsIf,
      ns,
      hostIp: addresses?.hostIp,
      nsIp: addresses?.nsIp,
      async destroy() {
        if (destroyed) return;
        destroyed = true;
        unregister();
        undo();
      },
    };
  } catch (error) {
    unregister();
    undo();
    throw error;
  }
}

function ip(args: string[]): Promise<unknown> {
  return runCommand('ip', args, { timeoutMs: 15_000 });
}

async function disableIpv6(ns: string, hostIf: string, nsIf: string): Promise<void> {
  await runCommand('sysctl', ['-qw', `net.ipv6.conf.${hostIf}.disable_ipv6=1`], { check: false });
  await runCommand('ip', ['netns', 'exec', ns, 'sysctl', '-qw', `net.ipv6.conf.${nsIf}.disable_ipv6=1`], { check: false });
}

/** Picks a /30 in 169.254.0.0/16 no local interface uses yet (link-local: never routed off the wire). */
async function assignLinkLocal(ns: string, hostIf: string, nsIf: string): Promise<{ hostIp: string; nsIp: string }> {
  const used = (await runCommand('ip', ['-4', '-o', 'addr', 'show'])).stdout;
  const start = (process.pid * 7 + pairsMade) % 16_000;
  for (let k = 0; k < 16_000; k++) {
    const slot = (start + k) % 16_000 + 64; // skip 169.254.0.x
    const prefix = `169.254.${slot >> 6}.${(slot & 63) << 2}`;
    const [a, b, c, d] = prefix.split('.').map(Number) as [number, number, number, number];
    const hostIp = `${a}.${b}.${c}.${d + 1}`;
    const nsIp = `${a}.${b}.${c}.${d + 2}`;
    if (used.includes(` ${hostIp}/`) || used.includes(` ${nsIp}/`)) continue;
    await ip(['addr', 'add', `${hostIp}/30`, 'dev', hostIf]);
    await ip(['-n', ns, 'addr', 'add', `${nsIp}/30`, 'dev', nsIf]);
    return { hostIp, nsIp };
  }
  throw new MemocoError('TESTBED_ERR_COMMAND_FAILED', 'no free /30 left in 169.254.0.0/16');
}

const OUR_NAME = /^mc([0-9a-z]+)x[0-9a-z]+$/;

/**
 * Deletes namespaces this harness made in processes that are gone (killed with SIGKILL, so
 * their exit cleanup never ran). Deleting a namespace also deletes the veths inside it, and
 * with them their host ends. A namespace whose creator still runs is left alone.
 */
export async function removeStaleNamespaces(): Promise<string[]> {
  const listed = await runCommand('ip', ['netns', 'list'], { check: false, timeoutMs: 10_000 });
  const removed: string[] = [];
  for (const line of listed.stdout.split('\n')) {
    const name = line.split(' ')[0] ?? '';
    const match = OUR_NAME.exec(name);
    if (!match || processAlive(parseInt(match[1]!, 36))) continue;
    removeSync('', name);
    removed.push(name);
  }
  return removed;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Synchronous so it can run at process exit; errors mean "already gone". */
function removeSync(hostIf: string, ns: string | undefined): void {
  const quiet = { stdio: 'ignore' as const, timeout: 10_000 };
  try {
    if (hostIf) execFileSync('ip', ['link', 'del', hostIf], quiet);
  } catch {
    // no such link
  }
  if (ns === undefined) return;
  try {
    execFileSync('ip', ['netns', 'del', ns], quiet);
  } catch {
    // no such namespace
  }
}
