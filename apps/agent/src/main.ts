/**
 * `node --import tsx apps/agent/src/main.ts [flags]`: one TX agent per host. Reads the
 * config (environment, then flags), starts DPDK's EAL once for the life of the process
 * (design.md invariant: the agent process owns it), connects to NATS, registers and takes
 * assignments; SIGTERM/SIGINT stop it cleanly (runs stopped and reported, registration
 * removed). The only file of the agent that reads process.env.
 */
import { readFileSync } from 'node:fs';
import type { PortInfo } from '@memoco/protocol';
import { TxRuntime, parsePortSpec } from '@memoco/txcore';
import { natsConnectOptionsFrom, runServiceProcess } from '@memoco/service-kit';
import { agentConfigError, parseAgentConfig, type AgentConfig } from './agent-config.ts';
import { createShardEngine } from './engine-choice.ts';
import { NatsAgentGateway } from './nats-agent-gateway.ts';
import { portForRun } from './run-executor.ts';
import { TxAgent } from './tx-agent.ts';

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

function portInfo(config: AgentConfig): PortInfo[] {
  return config.ports.map((spec, id) => ({ id, name: parsePortSpec(portForRun(spec, 'run', config.host)).name }));
}

async function start(config: AgentConfig, log: (message: string) => void): Promise<TxAgent> {
  const ports = portInfo(config);
  const pci = config.ports.map((spec) => parsePortSpec(spec)).filter((p) => p.kind === 'pci').map((p) => p.name);
  const runtime = TxRuntime.start({ workerLcores: config.cores, memoryMb: config.memoryMb, hugepages: config.hugepages, pciAllow: pci });
  const gateway = await NatsAgentGateway.open({
    connect: natsConnectOptionsFrom({ ...config, natsReplicas: 1 }, `memoco-agent@${config.host}`, agentConfigError),
    host: config.host,
    log,
  });
  const engine = createShardEngine(runtime);
  const agent = new TxAgent({
    gateway,
    engine,
    settings: { ...config, version: VERSION, portInfo: ports },
    log,
  });
  await agent.start();
  log(`ready: version ${VERSION}, ${config.cores} cores, engine ${engine.name}, ports ${ports.map((p) => `${p.id}=${p.name}`).join(' ')}, NATS ${config.natsServers.join(',')}`);
  return agent;
}

let log = (message: string) => void process.stderr.write(`agent: ${message}\n`);
let agent: TxAgent | undefined;
await runServiceProcess({
  log: (message) => log(message),
  async start() {
    const config: AgentConfig = parseAgentConfig(process.env, process.argv.slice(2));
    log = (message: string) => void process.stderr.write(`agent ${config.host}: ${message}\n`);
    const started = await start(config, log);
    agent = started;
    return () => started.stop();
  },
  stoppingLine: (signal) => `${signal}, stopping (active runs: ${agent?.activeRunIds.join(', ') || 'none'})`,
});
