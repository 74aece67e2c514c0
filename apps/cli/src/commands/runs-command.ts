import { MemocoError, RUN_STATUSES } from '@memoco/protocol';
import type { RunRecord } from '@memoco/run-store';
import { numberOption, parseCommandArgs, requirePositionals } from '../cli-args.ts';
import type { CliCommand } from '../cli-command.ts';
import { FleetClient } from '../fleet/fleet-client.ts';
import { formatRuns } from '../fleet/fleet-format.ts';
import { FLEET_TARGET_HELP, FLEET_TARGET_OPTIONS, resolveFleetTarget } from '../fleet/fleet-target.ts';

const NAME = 'runs';

const HELP = `Usage: memoco runs [--status S] [--limit N] [--json] [--dir DIR | --controller URL --token T]

The run history (GET /v1/runs), newest first: id, status, model, hosts, duration, rate,
when it was created. \`memoco runs show <id>\` gives one run with its hosts and events.

  --status S   only runs in this state: ${RUN_STATUSES.join('|')}
  --limit N    at most N runs (1..1000, default 50)
  --json       one JSON object: {runs: [...]}

${FLEET_TARGET_HELP}
`;

export const runsCommand: CliCommand = {
  name: NAME,
  summary: 'the run history, newest first (runs show <id> for one run)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(NAME, args, { ...FLEET_TARGET_OPTIONS, json: { type: 'boolean' }, status: { type: 'string' }, limit: { type: 'string' } });
    requirePositionals(NAME, positionals, []);
    const query = new URLSearchParams();
    const limit = numberOption(NAME, 'limit', values.limit, { integer: true, min: 1 });
    if (limit !== undefined) query.set('limit', String(limit));
    if (values.status !== undefined) {
      if (!(RUN_STATUSES as readonly string[]).includes(values.status)) throw new MemocoError('CLI_ERR_USAGE', `${NAME}: --status must be one of ${RUN_STATUSES.join('|')}, got '${values.status}'`);
      query.set('status', values.status);
    }
    const path = `/v1/runs${query.size > 0 ? `?${query}` : ''}`;
    const answer = await new FleetClient(resolveFleetTarget(values)).get<{ runs: RunRecord[] }>(path);
    io.out(values.json ? `${JSON.stringify(answer)}\n` : formatRuns(answer.runs));
    return 0;
  },
};
