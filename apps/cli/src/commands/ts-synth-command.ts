import { MemocoError } from '@memoco/protocol';
import { DEFAULT_TS_SYNTH_OPTIONS, parseTsSynthOptions, synthesizeArchive } from '@memoco/tsarchive';
import type { CliCommand } from '../cli-command.ts';
import { numberOption, parseCommandArgs, requirePositionals } from '../cli-args.ts';

const NAME = 'ts synth';

const HELP = `Usage: memoco ts synth -o <archive> [options]

Writes a synthetic time-series archive like paper 2's Table II files (e.g. 1M records of
70 data bytes, one per microsecond, one device). Record i belongs to device synth-<i mod D>,
is stamped start + floor(i * T / 1000) us, and its Data starts with i as a little-endian
uint64 (so a replay capture can be checked for loss and order), then seeded random bytes.

Options:
  -o, --output <file>     archive to write (written aside, renamed when complete)
  --records <N>           number of records (default ${DEFAULT_TS_SYNTH_OPTIONS.records})
  --devices <D>           number of devices, records round-robin (default ${DEFAULT_TS_SYNTH_OPTIONS.devices})
  --interval-ns <T>       time between records in ns (default ${DEFAULT_TS_SYNTH_OPTIONS.intervalNs}); the archive has 1 us
                          resolution, so at 500 two consecutive records share a timestamp
  --data-size <B>         Data bytes per record (default ${DEFAULT_TS_SYNTH_OPTIONS.dataBytes}: the paper's "70-byte records")
  --size <B>              OR the whole record's length, header included (>= 30)
  --start <ISO time>      timestamp of record 0 (default ${DEFAULT_TS_SYNTH_OPTIONS.start}); its offset is kept
  --seed <n>              seed of the payload bytes (default ${DEFAULT_TS_SYNTH_OPTIONS.seed}); same options, same bytes
  --json                  print the result as one JSON object
`;

export const tsSynthCommand: CliCommand = {
  name: NAME,
  summary: 'Write a synthetic time-series archive (paper 2, Table II)',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(NAME, args, {
      output: { type: 'string', short: 'o' },
      records: { type: 'string' },
      devices: { type: 'string' },
      'interval-ns': { type: 'string' },
      'data-size': { type: 'string' },
      size: { type: 'string' },
      start: { type: 'string' },
      seed: { type: 'string' },
      json: { type: 'boolean' },
    });
    requirePositionals(NAME, positionals, []);
    if (!values.output) throw new MemocoError('CLI_ERR_USAGE', `${NAME}: -o <archive> is required (see memoco ${NAME} --help)`);
    const int = (name: string, raw: string | undefined) => numberOption(NAME, name, raw, { integer: true });
    let options;
    try {
      options = parseTsSynthOptions({
        records: int('records', values.records),
        devices: int('devices', values.devices),
        intervalNs: int('interval-ns', values['interval-ns']),
        dataBytes: int('data-size', values['data-size']),
        recordBytes: int('size', values.size),
        start: values.start,
        seed: int('seed', values.seed),
      });
    } catch (error) {
      if (error instanceof MemocoError && error.code === 'TSARCHIVE_ERR_BAD_OPTIONS') throw new MemocoError('CLI_ERR_USAGE', `${NAME}: ${error.message}`);
      throw error;
    }
    const started = performance.now();
    const result = await synthesizeArchive(values.output, options, {
      signal: io.signal,
      onProgress: io.isTty ? (done) => io.err(`\r${NAME}: ${done}/${options.records} records`) : undefined,
    });
    const seconds = (performance.now() - started) / 1000;
    if (io.isTty) io.err('\n');
    const report = { file: values.output, ...result, recordBytes: options.recordBytes, seconds: Number(seconds.toFixed(3)), recordsPerSecond: Math.round(result.records / seconds) };
    if (values.json) io.out(`${JSON.stringify(report)}\n`);
    else io.out(`${values.output}: ${result.records} records of ${options.recordBytes} B from ${result.devices} device(s), ${result.firstTimestamp} .. ${result.lastTimestamp}, ${result.bytes} bytes in ${report.seconds} s (${report.recordsPerSecond} records/s)\n`);
    return 0;
  },
};
