import { MemocoError } from '@memoco/protocol';
import { convertToArchive, DEFAULT_TS_CONVERT_OPTIONS, INPUT_FORMATS, PAYLOAD_KINDS, parseTsConvertOptions, type TsConvertResult } from '@memoco/tsarchive';
import type { CliCommand } from '../cli-command.ts';
import { parseCommandArgs, requirePositionals } from '../cli-args.ts';

const NAME = 'ts convert';

const HELP = `Usage: memoco ts convert <input> -o <archive> [options]

Converts sensor data into a time-series archive (paper 2 format, see docs/timeseries.md).
  CSV       one record per row and value column; device = the column name
  miniSEED  one record per sample (STEIM1/2, INT16/32, FLOAT32/64); device = NET.STA.LOC.CHA;
            all channels merged into time order
  midc      NREL MIDC raw data (Year, DOY, MST columns; -7999 = missing)
  srml      UO SRML archival files (device <station>.<element>; flag 99 = missing)

Options:
  -o, --output <file>       archive to write (written aside, renamed when complete)
  --format <f>              ${INPUT_FORMATS.join('|')} (default ${DEFAULT_TS_CONVERT_OPTIONS.format}: from the first bytes)
  --payload <p>             ${PAYLOAD_KINDS.join('|')}: Data as little-endian float64 (default) or the value's text
CSV only:
  --time-column <name>      the timestamp column (default: timestamp/time/datetime/date/ts/utc)
  --columns <a,b,...>       value columns to convert (default: all others)
  --device-column <name>    take the device from this column (<cell>.<column> with several values)
  --separator <s>           , ; or tab (default: detected from the header)
  --tz <zone>               zone of times without an offset: UTC (default), +03:00, Europe/Moscow
  --json                    print the result as one JSON object
Times: ISO 8601 (T or space, optional fraction and offset) or epoch seconds.
`;

function summary(r: TsConvertResult): string {
  const names = r.devices.map((d) => (d.name === d.id ? d.name : `${d.name} -> ${d.id}`));
  return `${r.output}: ${r.records} records (${r.format}, payload ${r.payload}) from ${r.devices.length} device(s), ${r.firstTimestamp ?? '-'} .. ${r.lastTimestamp ?? '-'}, ${r.bytes} bytes${r.outOfOrder ? `, ${r.outOfOrder} out of time order` : ''}\ndevices: ${names.join(', ')}\n`;
}

export const tsConvertCommand: CliCommand = {
  name: NAME,
  summary: 'Convert CSV, miniSEED or solar-station logs into a time-series archive',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(NAME, args, {
      output: { type: 'string', short: 'o' },
      format: { type: 'string' },
      payload: { type: 'string' },
      'time-column': { type: 'string' },
      columns: { type: 'string' },
      'device-column': { type: 'string' },
      separator: { type: 'string' },
      tz: { type: 'string' },
      json: { type: 'boolean' },
    });
    const [input] = requirePositionals(NAME, positionals, ['input']) as [string];
    if (!values.output) throw new MemocoError('CLI_ERR_USAGE', `${NAME}: -o <archive> is required (see memoco ${NAME} --help)`);
    try {
      const options = parseTsConvertOptions({
        format: values.format,
        payload: values.payload,
        timeColumn: values['time-column'],
        columns: values.columns?.split(','),
        deviceColumn: values['device-column'],
        separator: values.separator,
        tz: values.tz,
      });
      if (io.isTty) io.err(`${NAME}: converting ${input}...\n`);
      const result = await convertToArchive(input, values.output, options, { signal: io.signal, tzGiven: values.tz !== undefined });
      io.out(values.json ? `${JSON.stringify(result)}\n` : summary(result));
      return 0;
    } catch (error) {
      // Options that contradict each other or the input's format are usage errors (exit 2).
      if (error instanceof MemocoError && error.code === 'TSARCHIVE_ERR_BAD_OPTIONS') throw new MemocoError('CLI_ERR_USAGE', `${NAME}: ${error.message}`);
      throw error;
    }
  },
};
