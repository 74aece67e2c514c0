import { runCommand } from './run-command.ts';

/** True when this process runs as root (needed for namespaces, veths, raw capture). */
export function isRoot(): boolean {
  return process.getuid?.() === 0;
}

let probed: Promise<boolean> | undefined;

/**
 * True when network namespaces can really be made here (root, iproute2, a kernel and
 * sandbox that allow it): probes once by creating and deleting a namespace. Tests use it
 * with `it.skipIf(!(await canUseNetns()))` and a message saying why.
 */
export function canUseNetns(): Promise<boolean> {
  probed ??= probe();
  return probed;
}

async function probe(): Promise<boolean> {
  if (!isRoot()) return false;
  const name = `mcprobe${process.pid.toString(36)}`;
  const added = await runCommand('ip', ['netns', 'add', name], { check: false, timeoutMs: 10_000 });
  if (added.exitCode !== 0) return false;
  await runCommand('ip', ['netns', 'del', name], { check: false, timeoutMs: 10_000 });
  return true;
}

/** Why namespace tests are skipped, for `describe.skipIf(...)` titles. */
export const NETNS_SKIP_REASON = 'needs root and network namespaces (ip netns add): run as root on Linux';
