/**
 * Builds the controller from injected parts (style.md, Fastify's testing guide): the store,
 * the fleet gateway, the flow-table reader, a clock and the config. Nothing here reads the
 * environment or listens; main.ts does, and tests use `app.inject()`.
 */
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { CatalogRepository, RunRepository } from '@memoco/run-store';
import { installBearerAuth } from '@memoco/service-kit';
import { systemClock, type Clock } from './clock.ts';
import type { ControllerConfig } from './controller-config.ts';
import type { FleetGateway } from './fleet-gateway.ts';
import { registerHostRoutes } from './host-routes.ts';
import { installErrorHandlers } from './http-errors.ts';
import { ModelFlowTables, type FlowTableReader } from './model-flow-tables.ts';
import { RunFollower } from './run-follower.ts';
import { RunLauncher } from './run-launcher.ts';
import { registerRunRoutes } from './run-routes.ts';

export interface ControllerDeps {
  runs: RunRepository;
  catalog: CatalogRepository;
  fleet: FleetGateway;
  readFlowTable: FlowTableReader;
  config: ControllerConfig;
  clock?: Clock;
  newRunId?: () => string;
  logger?: FastifyServerOptions['logger'];
}

export interface ControllerApp {
  app: FastifyInstance;
  /** Not started by build: call `follower.start()` (main does; tests may drive `tick()`). */
  follower: RunFollower;
}

export function buildControllerApp(deps: ControllerDeps): ControllerApp {
  const clock = deps.clock ?? systemClock;
  const { config, runs, catalog, fleet } = deps;
  const app = Fastify({ logger: deps.logger ?? false, bodyLimit: config.bodyLimitBytes });
  installErrorHandlers(app);
  installBearerAuth(app, config.apiToken, { code: 'CONTROLLER_ERR_UNAUTHORIZED', realm: 'memoco-controller' });

  const launcher = new RunLauncher({
    runs,
    catalog,
    fleet,
    clock,
    flowTables: new ModelFlowTables(fleet, deps.readFlowTable),
    config: { hostTimeoutMs: config.hostTimeoutMs, startLeadMs: config.startLeadMs, hostCapacity: config.hostCapacity },
    ...(deps.newRunId ? { newRunId: deps.newRunId } : {}),
  });
  const follower = new RunFollower({
    runs,
    catalog,
    fleet,
    clock,
    config: { hostTimeoutMs: config.hostTimeoutMs, resultGraceMs: config.resultGraceMs, cancelGraceMs: config.cancelGraceMs, followIntervalMs: config.followIntervalMs },
    log: (message) => app.log.warn(message),
  });

  app.get('/healthz', async () => ({ ok: true, nats: fleet.connection().connected }));
  registerHostRoutes(app, { fleet, clock, hostTimeoutMs: config.hostTimeoutMs });
  registerRunRoutes(app, { launcher, runs, cancelDeps: { runs, fleet, clock } });
  app.addHook('onClose', async () => follower.stop());
  return { app, follower };
}
