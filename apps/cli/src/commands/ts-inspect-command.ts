import { inspectArchive, type TsInspectSummary } from '@memoco/tsarchive';
import type { CliCommand } from '../cli-command.ts';
import { parseCommandArgs, requirePositionals } from '../cli-args.ts';

const NAME = 'ts inspect';

const HELP = `Usage: memoco ts inspect <archive> [--json] [--per-device]

Reads a time-series archive (paper 2 format) in one streaming pass and reports: records,
devices, bytes, firstTimestamp and lastTimestamp (file order, UTC), durationSeconds,
outOfOrder (records earlier than the one before), min/max record length.
A corrupt archive fails with a TSARCHIVE_ERR_* code, the byte offset and the record number.

Options:
  --per-device   also count records, bytes and first/last timestamp per device
  --json         print one JSON object
`;

function formatText(path: string, s: TsInspectSummary): string {
  const lines = [
    `file            ${path}`,
    `records         ${s.records}`,
    `devices         ${s.devices}`,
    `bytes           ${s.bytes}`,
    `firstTimestamp  ${s.firstTimestamp ?? '-'}`,
    `lastTimestamp   ${s.lastTimestamp ?? '-'}`,
    `duration        ${s.durationSeconds} s`,
    `outOfOrder      ${s.outOfOrder}`,
    `recordBytes     ${s.minRecordBytes}..${s.maxRecordBytes}`,
  ];
  if (s.perDevice) {
    const width = Math.max(6, ...s.perDevice.map((d) => d.device.length));
    lines.push('', `${'device'.padEnd(width)}  ${'records'.padStart(10)}  ${'bytes'.padStart(12)}  first .. last`);
    for (const d of s.perDevice) lines.push(`${d.device.padEnd(width)}  ${String(d.records).padStart(10)}  ${String(d.bytes).padStart(12)}  ${d.firstTimestamp} .. ${d.lastTimestamp}`);
  }
  return `${lines.join('\n')}\n`;
}

export const tsInspectCommand: CliCommand = {
  name: NAME,
  summary: 'Summarise a time-series archive (records, devices, time span)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(NAME, args, { json: { type: 'boolean' }, 'per-device': { type: 'boolean' } });
    const [path] = requirePositionals(NAME, positionals, ['archive']) as [string];
    const summary = await inspectArchive(path, {
      perDevice: values['per-device'],
      onProgress: io.isTty ? (done) => io.err(`\r${NAME}: ${done} records`) : undefined,
    });
    if (io.isTty) io.err('\n');
    io.out(values.json ? `${JSON.stringify({ file: path, ...summary })}\n` : formatText(path, summary));
    return 0;
  },
};
