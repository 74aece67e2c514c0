import { HOST_NAME_PATTERN, MODEL_ID_PATTERN, MemocoError, type RunRate } from '@memoco/protocol';
import type { RunDetail } from '@memoco/run-store';
import { numberOption, parseCommandArgs, requirePositionals } from '../cli-args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { FleetClient } from '../fleet/fleet-client.ts';
import { formatRunDetail } from '../fleet/fleet-format.ts';
import { FLEET_TARGET_HELP, FLEET_TARGET_OPTIONS, resolveFleetTarget } from '../fleet/fleet-target.ts';
import { followRun, progressLine } from '../fleet/run-follower.ts';

const NAME = 'run';
export const DEFAULT_RUN_DURATION_S = 10;

const HELP = `Usage: memoco run <modelId> --hosts N|a,b [--duration S] [--pps N | --speed X] [--seed N]
                  [--port N] [--start-lead-ms N] [--no-follow] [--json]

Runs a model across the fleet (POST /v1/runs): the controller splits the model's flows among
the hosts (balanced by predicted packets, a flow stays on one host), sets a common start,
and each host's agent regenerates and sends its share. Then follows the run live until it
ends; Ctrl-C cancels it. Exit 0 when every host completed.

  --hosts N|a,b        how many live hosts, or which ones by name
  --duration S         seconds of traffic (default ${DEFAULT_RUN_DURATION_S})
  --pps N              the whole fleet's packets per second, split by each host's share
  --speed X            the model's own timing, X times as fast (default --speed 1)
  --seed N             seed of every random draw (same model, seed, hosts: same packets)
  --port N             the DPDK port index on each agent (default 0)
  --start-lead-ms N    start this long after planning (default: the controller's, 2000)
  --no-follow          print the new run and return at once
  --json               one JSON object at the end: {run, hosts, events}

${FLEET_TARGET_HELP}
`;

interface RunCreated {
  run: { id: string; startAtUnixMs: number };
  hosts: { host: string }[];
  plan: { planMs: number; unusedHosts: string[] };
}

export function parseHosts(raw: string | undefined): string[] | number {
  if (raw === undefined) throw new MemocoError('CLI_ERR_USAGE', `${NAME}: --hosts N|a,b is required (see memoco ${NAME} --help)`);
  if (/^\d+$/.test(raw)) {
    const n = Number(raw);
    if (n < 1) throw new MemocoError('CLI_ERR_USAGE', `${NAME}: --hosts must be at least 1, got '${raw}'`);
    return n;
  }
  const names = raw.split(',').map((s) => s.trim()).filter(Boolean);
  const bad = names.find((n) => !HOST_NAME_PATTERN.test(n));
  if (names.length === 0 || bad !== undefined) throw new MemocoError('CLI_ERR_USAGE', `${NAME}: --hosts must be a count or host names separated by commas, got '${raw}'`);
  return names;
}

export function parseRate(pps: number | undefined, speed: number | undefined): RunRate {
  if (pps !== undefined && speed !== undefined) throw new MemocoError('CLI_ERR_USAGE', `${NAME}: give --pps or --speed, not both`);
  if (pps !== undefined) return { unit: 'pps', value: pps };
  return { unit: 'scale', value: speed ?? 1 };
}

export const runCommand: CliCommand = {
  name: NAME,
  summary: 'run a model across the fleet and follow it live (Ctrl-C cancels)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(NAME, args, {
      ...FLEET_TARGET_OPTIONS, hosts: { type: 'string' }, duration: { type: 'string' }, pps: { type: 'string' }, speed: { type: 'string' },
      seed: { type: 'string' }, port: { type: 'string' }, 'start-lead-ms': { type: 'string' }, 'no-follow': { type: 'boolean' }, json: { type: 'boolean' },
    });
    const [model] = requirePositionals(NAME, positionals, ['modelId']) as [string];
    if (!MODEL_ID_PATTERN.test(model)) throw new MemocoError('CLI_ERR_USAGE', `${NAME}: <modelId> must be a model id (64 lowercase hex digits, as memoco upload prints), got '${model}'`);
    const num = (name: string, raw: string | undefined, integer = false) => numberOption(NAME, name, raw, { integer, min: 0 });
    const body = {
      model,
      hosts: parseHosts(values.hosts),
      durationS: num('duration', values.duration) ?? DEFAULT_RUN_DURATION_S,
      rate: parseRate(num('pps', values.pps), num('speed', values.speed)),
      ...(values.seed !== undefined ? { seed: num('seed', values.seed, true) } : {}),
      ...(values.port !== undefined ? { port: num('port', values.port, true) } : {}),
      ...(values['start-lead-ms'] !== undefined ? { startLeadMs: num('start-lead-ms', values['start-lead-ms'], true) } : {}),
    };
    const client = new FleetClient(resolveFleetTarget(values));
    const created = await client.post<RunCreated>('/v1/runs', body);
    if (values['no-follow']) {
      io.out(values.json ? `${JSON.stringify(created)}\n` : `run ${created.run.id} planned on ${created.hosts.map((h) => h.host).join(', ')}, start ${new Date(created.run.startAtUnixMs).toISOString()}\n`);
      return 0;
    }
    if (!values.json) io.err(`run ${created.run.id}: planned on ${created.hosts.map((h) => h.host).join(', ')} in ${created.plan.planMs.toFixed(1)} ms${created.plan.unusedHosts.length ? ` (no flows left for ${created.plan.unusedHosts.join(', ')})` : ''}\n`);
    const { detail, cancelled } = await followRun(client, created.run.id, { signal: io.signal, onUpdate: liveProgress(io) });
    if (io.isTty) io.err('\r\x1b[K');
    io.out(values.json ? `${JSON.stringify(detail)}\n` : formatRunDetail(detail));
    if (cancelled) return 130;
    if (detail.run.status !== 'completed') throw new MemocoError('FLEET_ERR_RUN_NOT_COMPLETED', `run ${detail.run.id} ended ${detail.run.status}: ${detail.hosts.filter((h) => h.status !== 'completed').map((h) => `${h.host} ${h.status}${h.error ? ` (${h.error.code})` : ''}`).join(', ')}`);
    return 0;
  },
};

/** A redrawn line on a terminal; otherwise a line whenever a status changes. */
function liveProgress(io: CliIo): (d: RunDetail) => void {
  let last = '';
  return (d) => {
    if (io.isTty) return io.err(`\r${progressLine(d)}\x1b[K`);
    const key = `${d.run.status} ${d.hosts.map((h) => h.status).join(',')}`;
    if (key !== last) io.err(`${progressLine(d)}\n`);
    last = key;
  };
}
