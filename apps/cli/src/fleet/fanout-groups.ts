/**
 * DPDK 22.11's net_af_packet joins every socket of a port to the PACKET_FANOUT group
 * `(getpid() ^ ifindex) & 0xffff` (drivers/net/af_packet). A fanout group belongs to one
 * network namespace and one device, so two agents on one machine whose keys collide on
 * different veths cannot both open their port: the second gets EINVAL ("could not set
 * PACKET_FANOUT"). Agents started one after the other have neighbouring pids, and veths
 * made one after the other neighbouring ifindexes, so collisions are common. The launcher
 * computes each agent's keys when it spawns it and respawns an agent whose key is taken.
 * (On real hosts there is one agent per machine: nothing to do.)
 */
import { readFileSync } from 'node:fs';

function ifindex(iface: string): number | undefined {
  try {
    return Number(readFileSync(`/sys/class/net/${iface}/ifindex`, 'utf8').trim());
  } catch {
    return undefined;
  }
}

/** The fanout group ids a process with `pid` would use for the net_af_packet ports among `ports`. */
export function afPacketFanoutKeys(pid: number, ports: readonly string[]): number[] {
  const keys: number[] = [];
  for (const spec of ports) {
    if (!spec.startsWith('net_af_packet')) continue;
    const iface = /(?:^|,)iface=([^,]+)/.exec(spec)?.[1];
    const index = iface === undefined ? undefined : ifindex(iface);
    if (index !== undefined) keys.push((pid ^ index) & 0xffff);
  }
  return keys;
}
