import { DEFAULT_GENERATE_OPTIONS, generateTraceFile, MAX_DURATION_S, readFlowModelFile } from '@memoco/flow-model';
import { MemocoError } from '@memoco/protocol';
import { numberOption, parseCommandArgs, requirePositionals } from '../cli-args.ts';
import type { CliCommand } from '../cli-command.ts';

const HELP = `Usage: memoco generate <model> -o <out.pcap> [--duration S] [--seed N] [--speed X] [--tag] [--json]

Regenerates traffic from a flow model (memoco train): ONNX inference gives every flow's
packet counts per time bin, and the expander turns them into packets (times inside the
bin, sizes from the flow's distribution, headers from its template, valid IPv4/IPv6/
TCP/UDP checksums). The same model, seed and duration give the same packets.

-o writes a nanosecond pcap with the scheduled timestamps, as fast as it can (for
fidelity checks and other tools). Sending on a DPDK port (--port) comes with the native
synthesis engine.

Options:
  -o, --output FILE    the trace to write (aside, renamed when complete)
  --duration S         seconds of traffic (default: the trained trace's own length); past
                       it the trained window repeats (docs/flow-models.md, continuation)
  --seed N             0..4294967295 (default ${DEFAULT_GENERATE_OPTIONS.seed})
  --speed X            timestamps divided by X (default 1)
  --tag                end every frame with the 24-byte sequence trailer memoco
                       verify-order --tags checks
  --json               print one JSON object: modelId, packets, bytes, flows, durationS,
                       seed, generateSeconds, pps, output
`;

/** `memoco generate -o`: the logic is libs/flow-model's generateTraceFile. */
export const generateCommand: CliCommand = {
  name: 'generate',
  summary: 'Regenerate traffic from a flow model into a pcap',
  help: HELP,
  async run(args, io) {
    const { values, positionals } = parseCommandArgs('generate', args, {
      output: { type: 'string', short: 'o' },
      duration: { type: 'string' },
      seed: { type: 'string' },
      speed: { type: 'string' },
      tag: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const [modelPath] = requirePositionals('generate', positionals, ['model']);
    if (!values.output) throw new MemocoError('CLI_ERR_USAGE', 'generate: -o <out.pcap> is required (see memoco generate --help)');
    const durationS = numberOption('generate', 'duration', values.duration, { min: 1e-9 });
    if (durationS !== undefined && durationS > MAX_DURATION_S) throw new MemocoError('CLI_ERR_USAGE', `generate: --duration must be at most ${MAX_DURATION_S} s, got '${values.duration}'`);
    const seed = numberOption('generate', 'seed', values.seed, { integer: true, min: 0 });
    const speed = numberOption('generate', 'speed', values.speed, { min: 1e-9 });
    const loaded = readFlowModelFile(modelPath);
    let drawn = false;
    const result = await generateTraceFile(loaded, values.output, { durationS, seed, speed, tag: values.tag ?? false }, {
      signal: io.signal,
      onProgress: io.isTty
        ? (fraction) => {
            drawn = true;
            io.err(`\rgenerating: ${(fraction * 100).toFixed(0)}%\x1b[K`);
          }
        : undefined,
    });
    if (drawn) io.err('\r\x1b[K');
    const out = { ...result, output: values.output };
    if (values.json) io.out(`${JSON.stringify(out)}\n`);
    else {
      io.out(
        `trace      ${values.output}\n` +
          `model      ${result.modelId}\n` +
          `packets    ${result.packets} (${result.flows} flows, ${result.bytes} bytes) over ${result.durationS.toFixed(3)} s, seed ${result.seed}\n` +
          `written in ${result.generateSeconds.toFixed(2)} s (${(result.pps / 1e6).toFixed(3)} Mpps)\n`,
      );
    }
    return 0;
  },
};
