import { formatInspectProgress, formatInspectReport, inspectTrace } from '@memoco/pcap';
import { parseCommandArgs, requirePositionals } from '../cli-args.ts';
import type { CliCommand } from '../cli-command.ts';

const HELP = `Usage: memoco inspect <trace> [--json]

Reads a pcap or pcapng capture from start to end and summarises it: format, link types,
packets, bytes, IP packets, bidirectional flows (5-tuples of the innermost IP header;
TCP and UDP apart), earliest and latest packet time (ISO 8601, nanoseconds) and duration.

Options:
  --json    print one JSON object on stdout: format, linkTypes, packets, bytes, wireBytes,
            ipPackets, flows, tcpFlows, udpFlows, firstTimestamp, lastTimestamp,
            durationSeconds, complete (and error {code, message, offset, record})

Exit status: 0 when the whole capture was read; 1 when it is not a capture, is malformed
or cut short (what was read before the fault is still reported).
`;

/** `memoco inspect`: the logic is libs/pcap's inspectTrace; this only prints. */
export const inspectCommand: CliCommand = {
  name: 'inspect',
  summary: 'Summarise a pcap/pcapng capture: packets, bytes, flows, time span',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('inspect', args, { json: { type: 'boolean' } });
    const [trace] = requirePositionals('inspect', positionals, ['trace']);
    const started = Date.now();
    let drawn = false;
    const result = await inspectTrace(trace, {
      signal: io.signal,
      onProgress: io.isTty
        ? ({ bytesRead, totalBytes, packets }) => {
            drawn = true;
            io.err(`\r${formatInspectProgress(bytesRead, totalBytes, packets, Date.now() - started)}\x1b[K`);
          }
        : undefined,
    });
    if (drawn) io.err('\r\x1b[K');
    io.out(values.json ? `${JSON.stringify(result)}\n` : formatInspectReport(trace, result));
    if (result.error) {
      io.err(`memoco inspect: ${result.error.code}: ${result.error.message}\n`);
      return 1;
    }
    return 0;
  },
};
