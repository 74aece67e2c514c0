import { DEFAULT_TRAIN_OPTIONS, MAX_BIN_MS, MIN_BIN_MS, MIN_MODEL_BYTES, trainTraceToFile } from '@memoco/flow-model';
import { MemocoError } from '@memoco/protocol';
import { TRAIN_PASSES, trainPassFor, type TrainPassChoice } from '@memoco/txcore';
import { numberOption, parseCommandArgs, requirePositionals } from '../cli-args.ts';
import type { CliCommand } from '../cli-command.ts';

const HELP = `Usage: memoco train <trace> -o <model.onnx> [--bin-ms N] [--max-model-bytes N] [--pass P] [--json]

Learns a flow model from a pcap or pcapng capture in one streaming pass (MEMOCO's traffic
pattern recognizer): per flow (bidirectional 5-tuple) a ridge-regularised linear regression
of packet counts per time bin over a piecewise-constant basis modulated by the trace's
activity profile, plus its packet-size, direction, TCP-flag and gap distributions, header
templates, start and end. Light flows beyond the byte budget are grouped into classes that
still regenerate distinct flows. The model is one ONNX file; its id is the SHA-256 of its
bytes. See docs/flow-models.md.

Options:
  -o, --output FILE         the model file (written aside, renamed when complete)
  --bin-ms N                time bin width in ms (default ${DEFAULT_TRAIN_OPTIONS.binMs}, ${MIN_BIN_MS}..${MAX_BIN_MS})
  --max-model-bytes N       upper bound of the model file's size (default ${DEFAULT_TRAIN_OPTIONS.maxModelBytes}, at least ${MIN_MODEL_BYTES})
  --pass P                  where the per-packet statistics are counted: native (the
                            addon, on a thread of its own beside the reader), typescript,
                            or auto (default: native when the addon loads); the model's
                            bytes are the same either way
  --json                    print one JSON object: modelId, bytes, flows, modelledFlows,
                            classes, packets, nonIpPackets, binMs, traceSeconds,
                            trainSeconds, peakRssMb, pass, output

Exit status: 0 with a model written; 1 on an empty trace, a trace without IP packets or a
corrupt trace (no model file is left behind); 2 on a usage error.
`;

/** `memoco train`: the logic is libs/flow-model's trainTraceToFile; this parses and prints. */
export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'Learn a flow model (ONNX) from a capture, streaming',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('train', args, {
      output: { type: 'string', short: 'o' },
      'bin-ms': { type: 'string' },
      'max-model-bytes': { type: 'string' },
      pass: { type: 'string', default: 'auto' },
      json: { type: 'boolean' },
    });
    const [trace] = requirePositionals('train', positionals, ['trace']);
    if (!values.output) throw new MemocoError('CLI_ERR_USAGE', 'train: -o <model.onnx> is required (see memoco train --help)');
    const binMs = numberOption('train', 'bin-ms', values['bin-ms'], { min: MIN_BIN_MS });
    const maxModelBytes = numberOption('train', 'max-model-bytes', values['max-model-bytes'], { integer: true, min: MIN_MODEL_BYTES });
    if (!(TRAIN_PASSES as readonly string[]).includes(values.pass)) {
      throw new MemocoError('CLI_ERR_USAGE', `train: --pass must be one of ${TRAIN_PASSES.join(', ')}, got '${values.pass}'`);
    }
    const { pass, fit, used } = trainPassFor(values.pass as TrainPassChoice);
    let drawn = false;
    const result = await trainTraceToFile(trace, values.output, { binMs, maxModelBytes }, {
      pass,
      fit,
      signal: io.signal,
      onProgress: io.isTty
        ? ({ bytesRead, totalBytes, packets }) => {
            drawn = true;
            const share = totalBytes ? ` (${((100 * bytesRead) / totalBytes).toFixed(0)}%)` : '';
            io.err(`\rtraining: ${(bytesRead / 1e6).toFixed(1)} MB${share}, ${packets} packets\x1b[K`);
          }
        : undefined,
    });
    if (drawn) io.err('\r\x1b[K');
    const out = { ...result, pass: used, output: values.output };
    if (values.json) {
      io.out(`${JSON.stringify(out)}\n`);
    } else {
      io.out(
        `model      ${values.output}\n` +
          `modelId    ${result.modelId}\n` +
          `bytes      ${result.bytes}\n` +
          `flows      ${result.flows} (${result.modelledFlows} modelled one by one, ${result.classes} classes for the rest)\n` +
          `packets    ${result.packets} IP packets over ${result.traceSeconds.toFixed(3)} s (${result.nonIpPackets} non-IP skipped)\n` +
          `bin        ${result.binMs} ms\n` +
          `trained in ${result.trainSeconds.toFixed(2)} s (${used} pass), peak RSS ${result.peakRssMb.toFixed(0)} MB\n`,
      );
    }
    return 0;
  },
};
