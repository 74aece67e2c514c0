/**
 * Which hosts a run goes to (issue 6: "hosts (names or a count)"). Named hosts must all be
 * alive; a count takes that many live hosts, idle ones first, then by name, so repeated
 * requests are predictable.
 */
import { MemocoError } from '@memoco/protocol';
import type { PlanHost } from '@memoco/fleet-plan';
import type { HostView } from './fleet-gateway.ts';

export function isAlive(view: HostView, nowMs: number, hostTimeoutMs: number): boolean {
  return nowMs - view.lastHeartbeatUnixMs <= hostTimeoutMs;
}

export function selectHosts(views: readonly HostView[], wanted: readonly string[] | number, nowMs: number, hostTimeoutMs: number): PlanHost[] {
  const alive = views.filter((v) => isAlive(v, nowMs, hostTimeoutMs));
  const toPlanHost = (v: HostView): PlanHost => ({ name: v.registration.host, cores: v.registration.cores });
  if (typeof wanted === 'number') {
    if (alive.length < wanted) {
      throw new MemocoError('CONTROLLER_ERR_NOT_ENOUGH_HOSTS', `the run asks for ${wanted} hosts; ${alive.length} are alive`, { status: 409, alive: alive.length });
    }
    const ordered = [...alive].sort((a, b) => a.registration.activeRunIds.length - b.registration.activeRunIds.length || a.registration.host.localeCompare(b.registration.host));
    return ordered.slice(0, wanted).map(toPlanHost);
  }
  const byName = new Map(alive.map((v) => [v.registration.host, v]));
  const missing = wanted.filter((name) => !byName.has(name));
  if (missing.length > 0) {
    throw new MemocoError('CONTROLLER_ERR_HOST_UNAVAILABLE', `not alive (no heartbeat within ${hostTimeoutMs} ms): ${missing.join(', ')}`, { status: 409, hosts: missing });
  }
  return wanted.map((name) => toPlanHost(byName.get(name)!));
}
