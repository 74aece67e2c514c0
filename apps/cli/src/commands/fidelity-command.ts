import { basename } from 'node:path';
import { compareTraces, type FidelityMetrics } from '@memoco/fidelity';
import { parseCommandArgs, requirePositionals } from '../cli-args.ts';
import type { CliCommand } from '../cli-command.ts';

const HELP = `Usage: memoco fidelity <original> <candidate> [--json] [--report out.html]

Measures how faithfully a candidate trace (e.g. memoco generate -o) reproduces an original,
over IP packets: packetsRatio, flowsRatio, flowCountError (per-flow packet-count error
weighted by packets), rateNrmse at 10 ms, 100 ms and 1 s, pktSizeEmd and pktSizeJsd,
flowSizeEmd, iatEmd (EMDs normalised by the original's range), protoJsd and dstPortJsd
(JSD in bits). Definitions: docs/fidelity.md.

Options:
  --json              print one JSON object with every metric (and raw EMDs)
  --report FILE       write an HTML report (inline SVG, readable offline): the two rate
                      series over each other and the distributions side by side
`;

function formatMetrics(m: FidelityMetrics): string {
  const rows: [string, number][] = [
    ['packetsRatio', m.packetsRatio],
    ['flowsRatio', m.flowsRatio],
    ['flowCountError', m.flowCountError],
    ['rateNrmse 10ms', m.rateNrmse['10ms']],
    ['rateNrmse 100ms', m.rateNrmse['100ms']],
    ['rateNrmse 1s', m.rateNrmse['1s']],
    ['pktSizeEmd', m.pktSizeEmd],
    ['pktSizeJsd', m.pktSizeJsd],
    ['flowSizeEmd', m.flowSizeEmd],
    ['iatEmd', m.iatEmd],
    ['protoJsd', m.protoJsd],
    ['dstPortJsd', m.dstPortJsd],
  ];
  const head = `original   ${m.original.packets} IP packets, ${m.original.flows} flows, ${m.original.durationSeconds.toFixed(3)} s\ncandidate  ${m.candidate.packets} IP packets, ${m.candidate.flows} flows, ${m.candidate.durationSeconds.toFixed(3)} s\n`;
  return head + rows.map(([k, v]) => `${k.padEnd(16)} ${v.toFixed(6)}`).join('\n') + '\n';
}

/** `memoco fidelity`: the logic is libs/fidelity's compareTraces. */
export const fidelityCommand: CliCommand = {
  name: 'fidelity',
  summary: 'Compare a regenerated trace with its original (NetShare metrics, rate NRMSE)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('fidelity', args, { json: { type: 'boolean' }, report: { type: 'string' } });
    const [original, candidate] = requirePositionals('fidelity', positionals, ['original', 'candidate']);
    const metrics = await compareTraces(original, candidate, { reportPath: values.report, originalName: basename(original), candidateName: basename(candidate) });
    io.out(values.json ? `${JSON.stringify(metrics)}\n` : formatMetrics(metrics));
    return 0;
  },
};
