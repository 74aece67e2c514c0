/**
 * A whole fleet on one machine (issue 6, `memoco up`; also what the end-to-end tests and
 * `memoco demo` start): nats-server (or servers given by the caller), the controller, the
 * trainer and N agents, each a child process running the same code as on real hosts, each
 * logging to DIR/logs/<name>.log. Stopping goes in reverse order: agents first (their
 * results still reach NATS), then the trainer and controller, then NATS.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MemocoError } from '@memoco/protocol';
import { FLEET_STATE_FORMAT, type FleetState } from './fleet-state.ts';
import { afPacketFanoutKeys } from './fanout-groups.ts';
import { startLocalNats, type LocalNats } from './local-nats.ts';
import { REPO_ROOT, ServiceProcess, tsxCommand } from './service-process.ts';

export interface AgentLaunch {
  host: string;
  /** DPDK port specs (`{runId}` replaced per run). */
  ports: string[];
  cores?: number;
  /** This agent's NATS servers, in the order it tries them (default: the fleet's). */
  natsServers?: string[];
  /** Where its output can be found (for the state file and the demo). */
  capture: string;
  namespace?: string;
  /** The process recording `capture` (tcpdump in the namespace), for the state file. */
  capturePid?: number | null;
}

export interface ExternalNats {
  servers: string[];
  user: string;
  password: string;
  /** JetStream replicas (3 on a cluster). */
  replicas?: number;
}

export interface LocalFleetOptions {
  dir: string;
  agents: AgentLaunch[];
  /** Use these servers instead of starting nats-server. */
  nats?: ExternalNats;
  /** PostgreSQL for the run history; default: PGlite in DIR/controller-db. */
  databaseUrl?: string;
  /** Start the trainer service (default: when this build has apps/trainer). */
  trainer?: boolean;
  trainerEnv?: Record<string, string>;
  /** Write the sequence trailer in every packet (so captures can be checked); default true. */
  tag?: boolean;
  token?: string;
  /** Extra environment for the controller (timeouts) and agents. */
  controllerEnv?: Record<string, string>;
  agentEnv?: Record<string, string>;
  onLine?: (name: string, line: string) => void;
  readyTimeoutMs?: number;
}

export interface LocalFleetAgent extends AgentLaunch {
  process: ServiceProcess;
}

const NATS_USER = 'memoco';
const TRAINER_MAIN = 'apps/trainer/src/main.ts';

/** The environment of a child: ours minus every Memoco setting (a child gets exactly the ones given). */
function cleanEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) if (!key.startsWith('MEMOCO_') && key !== 'DATABASE_URL') env[key] = value;
  return { ...env, ...extra };
}

export class LocalFleet {
  readonly agents: LocalFleetAgent[] = [];
  controllerUrl = '';
  trainerUrl: string | undefined;
  private controller: ServiceProcess | undefined;
  private trainer: ServiceProcess | undefined;
  private natsChild: LocalNats | undefined;
  private readonly startedAt = Date.now();

  private constructor(readonly options: LocalFleetOptions, readonly dir: string, readonly token: string, readonly nats: ExternalNats & { monitorUrl: string | null }) {}

  static async start(options: LocalFleetOptions): Promise<LocalFleet> {
    const dir = resolve(options.dir);
    for (const sub of ['logs', 'captures']) mkdirSync(join(dir, sub), { recursive: true });
    const token = options.token ?? randomBytes(24).toString('hex');
    let natsChild: LocalNats | undefined;
    let nats: ExternalNats & { monitorUrl: string | null };
    if (options.nats) {
      nats = { ...options.nats, monitorUrl: null };
    } else {
      // infra/nats/common.conf reads it as $MEMOCO_NATS_PASSWORD, which nats-server parses as a
      // config value: one starting with a digit is taken for a number and refused.
      const password = `mc${randomBytes(18).toString('hex')}`;
      natsChild = await startLocalNats({ dir: join(dir, 'nats'), user: NATS_USER, password, logFile: join(dir, 'logs', 'nats-server.log'), ...(options.onLine ? { onLine: options.onLine } : {}) });
      nats = { servers: [natsChild.url], user: NATS_USER, password, replicas: 1, monitorUrl: natsChild.monitorUrl };
    }
    const fleet = new LocalFleet(options, dir, token, nats);
    fleet.natsChild = natsChild;
    try {
      await fleet.startController();
      if (options.trainer ?? existsSync(join(REPO_ROOT, TRAINER_MAIN))) await fleet.startTrainer();
      await Promise.all(options.agents.map((a) => fleet.startAgent(a)));
      await fleet.waitForHosts(options.agents.map((a) => a.host), options.readyTimeoutMs ?? 60_000);
    } catch (error) {
      await fleet.stop();
      throw error;
    }
    return fleet;
  }

  private natsEnv(): Record<string, string> {
    return { MEMOCO_NATS_URL: this.nats.servers.join(','), MEMOCO_NATS_USER: this.nats.user, MEMOCO_NATS_PASSWORD: this.nats.password };
  }

  private service(name: string, script: string, env: Record<string, string>): ServiceProcess {
    const { command, args } = tsxCommand(join(REPO_ROOT, script));
    return ServiceProcess.start({ name, command, args, env: cleanEnv(env), logFile: join(this.dir, 'logs', `${name}.log`), ...(this.options.onLine ? { onLine: this.options.onLine } : {}) });
  }

  private async startController(): Promise<void> {
    const store: Record<string, string> = this.options.databaseUrl ? { DATABASE_URL: this.options.databaseUrl } : { MEMOCO_CONTROLLER_DATA_DIR: join(this.dir, 'controller-db') };
    this.controller = this.service('controller', 'apps/controller/src/main.ts', {
      ...this.natsEnv(),
      ...store,
      MEMOCO_API_TOKEN: this.token,
      MEMOCO_CONTROLLER_PORT: '0',
      MEMOCO_NATS_REPLICAS: String(this.nats.replicas ?? 1),
      ...this.options.controllerEnv,
    });
    const [, url] = await this.controller.waitFor(/listening on (http:\/\/\S+)/, this.options.readyTimeoutMs ?? 60_000);
    this.controllerUrl = url!;
  }

  /** After the controller: it creates the JetStream resources the trainer writes to. */
  private async startTrainer(): Promise<void> {
    this.trainer = this.service('trainer', TRAINER_MAIN, {
      ...this.natsEnv(),
      MEMOCO_API_TOKEN: this.token,
      MEMOCO_TRAINER_PORT: '0',
      MEMOCO_NATS_REPLICAS: String(this.nats.replicas ?? 1),
      ...this.options.trainerEnv,
    });
    const [, url] = await this.trainer.waitFor(/listening on (http:\/\/\S+)/, this.options.readyTimeoutMs ?? 60_000);
    this.trainerUrl = url!;
  }

  /** The trainer process (undefined when the fleet has none). */
  get trainerProcess(): ServiceProcess | undefined {
    return this.trainer;
  }

  /** The controller process. */
  get controllerProcess(): ServiceProcess | undefined {
    return this.controller;
  }

  /** Starts (or restarts, after kill) one agent; resolves when it says it is ready. */
  async startAgent(launch: AgentLaunch): Promise<LocalFleetAgent> {
    // Spawned synchronously, so agents started together are checked one after the other.
    let child = this.spawnAgent(launch);
    for (let tries = 1; this.fanoutTaken(launch, child) && tries < 20; tries++) {
      child.killNow();
      child = this.spawnAgent(launch);
    }
    const agent: LocalFleetAgent = { ...launch, process: child };
    const at = this.agents.findIndex((a) => a.host === launch.host);
    if (at >= 0) this.agents[at] = agent;
    else this.agents.push(agent);
    await child.waitFor(/ ready: /, this.options.readyTimeoutMs ?? 60_000);
    return agent;
  }

  /** True when another running agent already uses one of this one's af_packet fanout groups (fanout-groups.ts). */
  private fanoutTaken(launch: AgentLaunch, child: ServiceProcess): boolean {
    const mine = afPacketFanoutKeys(child.pid ?? 0, launch.ports);
    if (mine.length === 0) return false;
    const taken = new Set(this.agents.filter((a) => a.host !== launch.host && a.process.running).flatMap((a) => afPacketFanoutKeys(a.process.pid ?? 0, a.ports)));
    return mine.some((k) => taken.has(k));
  }

  private spawnAgent(launch: AgentLaunch): ServiceProcess {
    return this.service(launch.host, 'apps/agent/src/main.ts', {
      ...this.natsEnv(),
      ...(launch.natsServers ? { MEMOCO_NATS_URL: launch.natsServers.join(',') } : {}),
      MEMOCO_AGENT_HOST: launch.host,
      MEMOCO_AGENT_PORTS: launch.ports.join(';'),
      MEMOCO_AGENT_CORES: String(launch.cores ?? 1),
      MEMOCO_AGENT_TAG: String(this.options.tag ?? true),
      ...this.options.agentEnv,
    });
  }

  agent(host: string): LocalFleetAgent {
    const agent = this.agents.find((a) => a.host === host);
    if (!agent) throw new MemocoError('FLEET_ERR_NO_FLEET', `no agent ${host} in this fleet`);
    return agent;
  }

  /** Waits until the controller lists every host as alive. */
  async waitForHosts(hosts: string[], timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let alive = new Set<string>();
    while (Date.now() < deadline) {
      const response = await fetch(`${this.controllerUrl}/v1/hosts`, { headers: { authorization: `Bearer ${this.token}` } }).catch(() => undefined);
      if (response?.ok) {
        const body = (await response.json()) as { hosts: { host: string; alive: boolean }[] };
        alive = new Set(body.hosts.filter((h) => h.alive).map((h) => h.host));
        if (hosts.every((h) => alive.has(h))) return;
      }
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new MemocoError('FLEET_ERR_START', `hosts not registered within ${timeoutMs} ms: ${hosts.filter((h) => !alive.has(h)).join(', ')}`);
  }

  state(): FleetState {
    return {
      format: FLEET_STATE_FORMAT,
      pid: process.pid,
      startedAtUnixMs: this.startedAt,
      dir: this.dir,
      token: this.token,
      controller: { url: this.controllerUrl, pid: this.controller?.pid ?? null },
      trainer: this.trainerUrl ? { url: this.trainerUrl, pid: this.trainer?.pid ?? null } : null,
      nats: { url: this.nats.servers.join(','), monitorUrl: this.nats.monitorUrl, user: this.nats.user, password: this.nats.password, replicas: this.nats.replicas ?? 1, pid: this.natsChild?.process.pid ?? null },
      agents: this.agents.map((a) => ({
        host: a.host, pid: a.process.pid ?? null, port: a.ports[0]!, capture: a.capture,
        ...(a.namespace ? { namespace: a.namespace, capturePid: a.capturePid ?? null } : {}),
      })),
    };
  }

  /** Stops everything it started, agents first; never rejects. */
  async stop(): Promise<void> {
    await Promise.all(this.agents.map((a) => a.process.stop()));
    await this.trainer?.stop();
    await this.controller?.stop();
    await this.natsChild?.stop();
  }
}
