import { parseCommandArgs, requirePositionals } from '../cli-args.ts';
import type { CliCommand } from '../cli-command.ts';
import { FleetClient } from '../fleet/fleet-client.ts';
import { formatHosts, type HostRow } from '../fleet/fleet-format.ts';
import { FLEET_TARGET_HELP, FLEET_TARGET_OPTIONS, resolveFleetTarget } from '../fleet/fleet-target.ts';

const NAME = 'hosts';

const HELP = `Usage: memoco hosts [--json] [--dir DIR | --controller URL --token T]

Lists the TX hosts registered with the controller (GET /v1/hosts): name, alive (a heartbeat
within the controller's host timeout), TX cores, ports, version, heartbeat age, active runs.

  --json   the controller's answer as one JSON object: {hosts: [...], alive}

${FLEET_TARGET_HELP}
`;

export const hostsCommand: CliCommand = {
  name: NAME,
  summary: 'list the fleet\'s TX hosts (registered agents, alive or not)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(NAME, args, { ...FLEET_TARGET_OPTIONS, json: { type: 'boolean' } });
    requirePositionals(NAME, positionals, []);
    const answer = await new FleetClient(resolveFleetTarget(values)).get<{ hosts: HostRow[]; alive: number }>('/v1/hosts');
    io.out(values.json ? `${JSON.stringify(answer)}\n` : formatHosts(answer.hosts));
    return 0;
  },
};
