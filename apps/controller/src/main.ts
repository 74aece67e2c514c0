/**
 * `node --import tsx apps/controller/src/main.ts [flags]`: reads the config (environment,
 * then flags), opens the run store and NATS, listens, follows runs, and shuts down cleanly
 * on SIGINT/SIGTERM. The only file of the controller that reads process.env.
 */
import { hostname } from 'node:os';
import { MemocoError } from '@memoco/protocol';
import { openRunStore } from '@memoco/run-store';
import { natsConnectOptionsFrom, runServiceProcess } from '@memoco/service-kit';
import { buildControllerApp } from './app.ts';
import { parseControllerConfig, type ControllerConfig } from './controller-config.ts';
import { readFlowTable } from './flow-table-reader.ts';
import { NatsFleetGateway } from './nats-fleet-gateway.ts';

async function start(config: ControllerConfig): Promise<() => Promise<void>> {
  const store = await openRunStore(config.databaseUrl ? { databaseUrl: config.databaseUrl } : { dataDir: config.dataDir });
  const log = (message: string) => process.stderr.write(`controller: ${message}\n`);
  const fleet = await NatsFleetGateway.open({
    connect: natsConnectOptionsFrom(config, `memoco-controller@${hostname()}`, (message) => new MemocoError('CONTROLLER_ERR_CONFIG', message, { status: 400 })),
    resources: { replicas: config.natsReplicas },
    registryStallMs: Math.max(1000, Math.floor(config.hostTimeoutMs / 3)),
    nowMs: Date.now,
    log,
  }).catch(async (error) => {
    await store.close();
    throw error;
  });
  const { app, follower } = buildControllerApp({ runs: store.runs, catalog: store.catalog, fleet, readFlowTable, config, logger: { level: 'info' } });
  follower.start();
  const address = await app.listen({ host: config.listenHost, port: config.port });
  log(`listening on ${address} (store: ${store.kind}, NATS: ${config.natsServers.join(',')})`);
  return async () => {
    await app.close();
    await fleet.close();
    await store.close();
  };
}

await runServiceProcess({
  log: (message) => void process.stderr.write(`controller: ${message}\n`),
  start: () => start(parseControllerConfig(process.env, process.argv.slice(2))),
});
