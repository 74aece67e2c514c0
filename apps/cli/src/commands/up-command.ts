import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MemocoError } from '@memoco/protocol';
import { numberOption, parseCommandArgs, requirePositionals } from '../cli-args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { DEFAULT_FLEET_DIR, fleetAlive, fleetStatePath, readFleetState, removeFleetState, writeFleetState, type FleetState } from '../fleet/fleet-state.ts';
import { LocalFleet, type AgentLaunch } from '../fleet/local-fleet.ts';
import { killAllServicesNow } from '../fleet/service-process.ts';
import { reapStaleFleet } from '../fleet/stale-fleet.ts';
import { createVethWire, removeStaleWires, type VethWire } from '../fleet/veth-wire.ts';

const NAME = 'up';
export const DEFAULT_UP_AGENTS = 2;
const MAX_AGENTS = 16;

const HELP = `Usage: memoco up [--agents N] [--dir DIR] [--veth] [--json] [--verbose]

A whole fleet on this machine, until Ctrl-C: nats-server (JetStream, a random loopback
port), the trainer, the controller (run history in an embedded PGlite store in DIR) and N TX
agents, each sending on its own DPDK port. Prints the URLs and writes DIR/fleet.json (URLs,
API token, NATS credentials), which memoco upload, run, runs and hosts read by default.
Ctrl-C stops everything cleanly (agents first, NATS last; namespaces removed).

  --agents N   TX agents, named agent-1 .. agent-N (default ${DEFAULT_UP_AGENTS})
  --dir DIR    state, logs (DIR/logs), captures (DIR/captures), NATS store (default ${DEFAULT_FLEET_DIR})
  --veth       send through net_af_packet on a veth pair into a network namespace per agent,
               recorded there by tcpdump into DIR/captures/<host>-veth.pcap (needs root);
               default: a net_pcap file per agent and run, DIR/captures/<host>-<runId>.pcap
  --json       print the fleet (the contents of fleet.json) as one JSON object when it is up
  --verbose    copy every service's log lines to stderr
`;

export const upCommand: CliCommand = {
  name: NAME,
  summary: 'start a local fleet (NATS, trainer, controller, N agents) until Ctrl-C',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(NAME, args, { agents: { type: 'string' }, dir: { type: 'string' }, veth: { type: 'boolean' }, json: { type: 'boolean' }, verbose: { type: 'boolean' } });
    requirePositionals(NAME, positionals, []);
    const agents = numberOption(NAME, 'agents', values.agents, { integer: true, min: 1 }) ?? DEFAULT_UP_AGENTS;
    if (agents > MAX_AGENTS) throw new MemocoError('CLI_ERR_USAGE', `${NAME}: --agents must be at most ${MAX_AGENTS}, got ${agents}`);
    const dir = resolve(values.dir ?? DEFAULT_FLEET_DIR);
    claimDir(dir, io);
    const stop = stopSignal(io);
    const wires: VethWire[] = [];
    let fleet: LocalFleet | undefined;
    try {
      const launches = await agentLaunches(dir, agents, values.veth ?? false, wires, io);
      io.err(`memoco up: starting nats-server, controller and ${agents} agents in ${dir} ...\n`);
      fleet = await LocalFleet.start({ dir, agents: launches, ...(values.verbose ? { onLine: (name, line) => io.err(`[${name}] ${line}\n`) } : {}) });
      const state = fleet.state();
      writeFleetState(state);
      io.out(values.json ? `${JSON.stringify(state)}\n` : formatUp(state));
      watchForCrashes(fleet, io);
      await new Promise<void>((r) => (stop.aborted ? r() : stop.addEventListener('abort', () => r(), { once: true })));
      io.err('memoco up: stopping the agents, the controller and nats-server ...\n');
      return 0;
    } finally {
      await fleet?.stop();
      for (const wire of wires) await wire.destroy();
      removeFleetState(dir);
      if (fleet) io.err('memoco up: stopped\n');
    }
  },
};

/** Refuses a directory whose fleet still runs; clears one whose `memoco up` died. */
function claimDir(dir: string, io: CliIo): void {
  if (!existsSync(fleetStatePath(dir))) return;
  const old = readFleetState(dir);
  if (fleetAlive(old)) throw new MemocoError('FLEET_ERR_ALREADY_RUNNING', `a fleet already runs in ${dir} (memoco up, pid ${old.pid}); stop it with Ctrl-C there, or use another --dir`);
  const killed = reapStaleFleet(old);
  if (old.agents.some((a) => a.namespace)) removeStaleWires();
  if (killed.length > 0) io.err(`memoco up: stopped ${killed.length} services left by a memoco up that died (pids ${killed.join(', ')})\n`);
  removeFleetState(dir);
}

async function agentLaunches(dir: string, agents: number, veth: boolean, wires: VethWire[], io: CliIo): Promise<AgentLaunch[]> {
  const launches: AgentLaunch[] = [];
  mkdirSync(join(dir, 'captures'), { recursive: true });
  if (veth) removeStaleWires();
  for (let i = 1; i <= agents; i++) {
    const host = `agent-${i}`;
    if (!veth) {
      const capture = join(dir, 'captures', `${host}-{runId}.pcap`);
      launches.push({ host, ports: [`net_pcap0,tx_pcap=${capture}`], capture });
      continue;
    }
    const wire = await createVethWire(i, join(dir, 'captures', `${host}-veth.pcap`), io.debug ? (n, l) => io.err(`[${n}] ${l}\n`) : undefined);
    wires.push(wire);
    launches.push({ host, ports: [`net_af_packet0,iface=${wire.hostIf},qdisc_bypass=1`], capture: wire.captureFile, namespace: wire.ns, capturePid: wire.capture.pid ?? null });
  }
  return launches;
}

/** Ctrl-C (through io.signal), SIGHUP (terminal closed); a second Ctrl-C kills at once. */
function stopSignal(io: CliIo): AbortSignal {
  const controller = new AbortController();
  const abort = () => controller.abort();
  io.signal.addEventListener('abort', abort, { once: true });
  process.once('SIGHUP', abort);
  controller.signal.addEventListener('abort', () => {
    process.once('SIGINT', () => {
      io.err('memoco up: second Ctrl-C: killing the services now\n');
      killAllServicesNow();
      process.exit(130);
    });
  }, { once: true });
  return controller.signal;
}

function watchForCrashes(fleet: LocalFleet, io: CliIo): void {
  for (const agent of fleet.agents) {
    void agent.process.exited.then((code) => {
      if (!io.signal.aborted) io.err(`memoco up: ${agent.host} exited (code ${code}); see ${join(fleet.dir, 'logs', `${agent.host}.log`)}\n`);
    });
  }
}

function formatUp(s: FleetState): string {
  const lines = [
    `local fleet in ${s.dir} (state: ${fleetStatePath(s.dir)})`,
    `  controller  ${s.controller.url}   (bearer token in fleet.json)`,
    ...(s.trainer ? [`  trainer     ${s.trainer.url}`] : []),
    `  nats        ${s.nats.url}   (monitor ${s.nats.monitorUrl ?? '-'})`,
    ...s.agents.map((a) => `  ${a.host.padEnd(10)}  ${a.port.split(',')[0]} -> ${a.capture}${a.namespace ? ` (namespace ${a.namespace})` : ''}`),
    `  logs        ${join(s.dir, 'logs')}`,
    '',
    `try:  memoco hosts;  memoco upload <trace>;  memoco run <modelId> --hosts ${s.agents.length} --duration 5 --pps 2000;  memoco runs`,
    'Ctrl-C stops all of it.',
    '',
  ];
  return lines.join('\n');
}
