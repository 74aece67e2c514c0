import type { RunDetail } from '@memoco/run-store';
import { parseCommandArgs, requirePositionals } from '../cli-args.ts';
import type { CliCommand } from '../cli-command.ts';
import { FleetClient } from '../fleet/fleet-client.ts';
import { formatRunDetail } from '../fleet/fleet-format.ts';
import { FLEET_TARGET_HELP, FLEET_TARGET_OPTIONS, resolveFleetTarget } from '../fleet/fleet-target.ts';

const NAME = 'runs show';

const HELP = `Usage: memoco runs show <runId> [--json] [--dir DIR | --controller URL --token T]

One run from the history (GET /v1/runs/:id): its plan and status, each host's part
(status, rows, packets, bytes, out of order, the error that failed it) and its events.

  --json   one JSON object: {run, hosts: [...], events: [...]}

${FLEET_TARGET_HELP}
`;

export const runsShowCommand: CliCommand = {
  name: NAME,
  summary: 'one run: its hosts\' parts (packets, errors) and events',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(NAME, args, { ...FLEET_TARGET_OPTIONS, json: { type: 'boolean' } });
    const [id] = requirePositionals(NAME, positionals, ['runId']) as [string];
    const detail = await new FleetClient(resolveFleetTarget(values)).get<RunDetail>(`/v1/runs/${encodeURIComponent(id)}`);
    io.out(values.json ? `${JSON.stringify(detail)}\n` : formatRunDetail(detail));
    return 0;
  },
};
