/**
 * `node --import tsx apps/trainer/src/main.ts [flags]`: reads the config (environment, then
 * flags), opens the model store on NATS, listens, and shuts down cleanly on SIGINT/SIGTERM
 * (uploads in progress are stopped and nothing of them is stored). The only file of the
 * trainer that reads process.env.
 */
import { hostname } from 'node:os';
import { natsConnectOptionsFrom, runServiceProcess } from '@memoco/service-kit';
import { trainPassFor } from '@memoco/txcore';
import { buildTrainerApp } from './app.ts';
import { NatsModelStore } from './nats-model-store.ts';
import { parseTrainerConfig, trainerConfigError, type TrainerConfig } from './trainer-config.ts';

const log = (message: string) => process.stderr.write(`trainer: ${message}\n`);

async function start(config: TrainerConfig): Promise<() => Promise<void>> {
  const trainerName = config.trainerName ?? `trainer@${hostname()}:${process.pid}`;
  const models = await NatsModelStore.open({
    connect: natsConnectOptionsFrom(config, `memoco-${trainerName}`, trainerConfigError),
    resources: { replicas: config.natsReplicas },
  });
  const { pass, fit, used } = trainPassFor(config.trainPass);
  const { app } = buildTrainerApp({ models, config, trainerName, logger: { level: 'warn' }, training: { pass, fit } });
  const address = await app.listen({ host: config.listenHost, port: config.port }).catch(async (error: NodeJS.ErrnoException) => {
    await models.close();
    throw trainerConfigError(`cannot listen on ${config.listenHost}:${config.port}: ${error.code ?? error.message}`);
  });
  log(`${trainerName} listening on ${address} (NATS: ${config.natsServers.join(',')}, upload limit ${config.maxUploadBytes} bytes, ${used} training pass)`);
  return async () => {
    await app.close();
    await models.close();
  };
}

await runServiceProcess({ log, start: () => start(parseTrainerConfig(process.env, process.argv.slice(2))) });
