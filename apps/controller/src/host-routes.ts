/** `GET /v1/hosts`: the live host registry (issue 6), judged alive by heartbeat age. */
import type { FastifyInstance } from 'fastify';
import type { Clock } from './clock.ts';
import type { FleetGateway } from './fleet-gateway.ts';
import { isAlive } from './host-selection.ts';

export function registerHostRoutes(app: FastifyInstance, deps: { fleet: FleetGateway; clock: Clock; hostTimeoutMs: number }): void {
  app.get('/v1/hosts', async () => {
    const now = deps.clock.now();
    const views = await deps.fleet.listHosts();
    const hosts = views
      .map((v) => ({
        ...v.registration,
        lastHeartbeatUnixMs: v.lastHeartbeatUnixMs,
        heartbeatAgeMs: Math.max(0, now - v.lastHeartbeatUnixMs),
        alive: isAlive(v, now, deps.hostTimeoutMs),
      }))
      .sort((a, b) => a.host.localeCompare(b.host));
    return { hosts, alive: hosts.filter((h) => h.alive).length };
  });
}
