import { MemocoError } from '@memoco/protocol';
import { formatVerifyReport, MAX_EXAMPLES, verifyOrder } from '@memoco/replay-check';
import type { CliCommand } from '../cli-command.ts';
import { numberOption, parseCommandArgs, requirePositionals } from '../cli-args.ts';

const NAME = 'verify-order';

const HELP = `Usage: memoco verify-order <capture> (--against <trace> | --tags) [options]

Checks a capture of a replay (net_pcap's tx_pcap file, or tcpdump on the far end of a veth)
for the sequence guarantee: every packet once, in the expected order.

  --against <trace>  the replayed trace: packets are matched by their BYTES (link type is
                     ignored), the trace's order is the expected order
  --tags             read the 24-byte sequence trailer \`memoco replay --tag\` writes instead

outOfOrder is the fewest packets whose removal leaves the rest in order (one late packet
counts 1); flowOutOfOrder is the same within each flow. Packets that are not part of the
replay (the kernel's own IPv6/MLD frames on a veth, untagged frames) count as unexpected and
do not fail the check. Exit status 0 only when nothing is missing, duplicated or out of order.

Options:
  --expected <N>   with --tags: packets sent (default: highest tag + 1, blind to loss at the end)
  --examples <N>   examples of each problem to show (default 5, at most ${MAX_EXAMPLES})
  --json           print one JSON object (the counts and examples)
`;

export const verifyOrderCommand: CliCommand = {
  name: NAME,
  summary: 'check a replay capture for loss, duplicates and order (against the trace, or by tags)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(NAME, args, {
      against: { type: 'string' },
      tags: { type: 'boolean' },
      expected: { type: 'string' },
      examples: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [capture] = requirePositionals(NAME, positionals, ['capture']) as [string];
    const options = {
      against: values.against,
      tags: values.tags,
      expectedCount: numberOption(NAME, 'expected', values.expected, { integer: true }),
      exampleLimit: numberOption(NAME, 'examples', values.examples, { integer: true }),
      onProgress: (phase: string, packets: number) => {
        if (io.signal.aborted) throw new MemocoError('VERIFY_ERR_ABORTED', `interrupted while reading the ${phase}`);
        if (io.isTty) io.err(`\r${NAME}: ${phase} ${packets} packets`);
      },
    };
    let result;
    try {
      result = await verifyOrder(capture, options);
    } catch (error) {
      if (error instanceof MemocoError && error.code === 'VERIFY_ERR_BAD_OPTIONS') throw new MemocoError('CLI_ERR_USAGE', `${NAME}: ${error.message} (see memoco ${NAME} --help)`);
      throw error;
    } finally {
      if (io.isTty) io.err('\n');
    }
    io.out(values.json ? `${JSON.stringify({ capture, against: values.against, ...result })}\n` : formatVerifyReport(result, { capture, against: values.against }));
    return result.ok ? 0 : 1;
  },
};
