import { basename } from 'node:path';
import { DEFAULT_TRAIN_OPTIONS, MAX_BIN_MS, MIN_BIN_MS, MIN_MODEL_BYTES } from '@memoco/flow-model';
import { isMemocoError } from '@memoco/protocol';
import { numberOption, parseCommandArgs, requirePositionals } from '../cli-args.ts';
import type { CliCommand } from '../cli-command.ts';
import { uploadTrace, type TraceUploadResult } from './upload-command-client.ts';
import { UploadProgressLine } from './upload-command-progress.ts';
import { DEFAULT_FLEET_DIR, DEFAULT_TRAINER_URL, resolveUploadTarget } from './upload-command-target.ts';

const HELP = `Usage: memoco upload <trace> [--trainer URL | --dir DIR] [--token T] [--bin-ms N]
                     [--max-model-bytes N] [--name NAME] [--json]

Streams a pcap or pcapng capture to a trainer service (apps/trainer, POST /v1/traces),
which fits the flow model while the upload arrives, stores it in the fleet's model store
(NATS JetStream, named by the SHA-256 of its bytes) and announces it. Prints the model id
and summary. The file is sent chunk by chunk, never read whole; on a terminal a progress
bar shows bytes sent and MB/s. See docs/fleet.md.

Options:
  --trainer URL          the trainer (default $MEMOCO_TRAINER_URL, else the local fleet's, else
                         ${DEFAULT_TRAINER_URL})
  --dir DIR              the local fleet started by memoco up (default $MEMOCO_FLEET_DIR or
                         ${DEFAULT_FLEET_DIR}): its fleet.json names the trainer and the token
  --token T              bearer token of the trainer's API (default $MEMOCO_API_TOKEN, else the
                         local fleet's)
  --bin-ms N             time bin width in ms (default ${DEFAULT_TRAIN_OPTIONS.binMs}, ${MIN_BIN_MS}..${MAX_BIN_MS})
  --max-model-bytes N    upper bound of the model's size (default ${DEFAULT_TRAIN_OPTIONS.maxModelBytes}, at least ${MIN_MODEL_BYTES})
  --name NAME            the trace's name in the model summary (default: the file's name)
  --json                 print the trainer's answer as one JSON object (modelId, bytes, rows,
                         flows, modelledFlows, classes, packets, nonIpPackets, binMs,
                         traceSeconds, uploadBytes, trainSeconds, finishMs, publishMs, trainer,
                         ...) plus trainerUrl, uploadSeconds, uploadMbPerSecond, answerMs

Exit status: 0 with the model stored and announced; 1 when the trainer refuses the trace
(its code, e.g. PCAP_ERR_TRUNCATED_RECORD with offset and record, TRAINER_ERR_UPLOAD_TOO_LARGE,
TRAINER_ERR_UNAUTHORIZED) or cannot be reached (TRAINER_ERR_UNREACHABLE); 2 on a usage error;
130 when stopped with Ctrl-C (the trainer stores nothing).
`;

export interface UploadCommandDeps {
  /** Where MEMOCO_TRAINER_URL, MEMOCO_API_TOKEN and MEMOCO_FLEET_DIR come from (the process environment). */
  env: Readonly<Record<string, string | undefined>>;
}

function summaryJson(r: TraceUploadResult, trainerUrl: string): Record<string, unknown> {
  const uploadSeconds = Math.max(r.lastByteAtMs - r.firstByteAtMs, 0) / 1000;
  return {
    ...r.model,
    trainerUrl,
    uploadSeconds,
    uploadMbPerSecond: uploadSeconds > 0 ? r.totalBytes / 1e6 / uploadSeconds : null,
    answerMs: r.answeredAtMs - r.lastByteAtMs,
  };
}

function formatSummary(s: Record<string, any>): string {
  const rate = s.uploadMbPerSecond === null ? '' : ` (${s.uploadMbPerSecond.toFixed(1)} MB/s)`;
  return (
    `modelId    ${s.modelId}\n` +
    `trainer    ${s.trainer} at ${s.trainerUrl}${s.alreadyStored ? ' (this model was already stored)' : ''}\n` +
    `bytes      ${s.bytes}\n` +
    `flows      ${s.flows} (${s.modelledFlows} modelled one by one, ${s.classes} classes for the rest)\n` +
    `packets    ${s.packets} IP packets over ${Number(s.traceSeconds).toFixed(3)} s (${s.nonIpPackets} non-IP skipped)\n` +
    `bin        ${s.binMs} ms\n` +
    `uploaded   ${(s.uploadBytes / 1e6).toFixed(2)} MB in ${s.uploadSeconds.toFixed(2)} s${rate}; model published ${s.answerMs.toFixed(0)} ms after the last byte\n`
  );
}

/** `memoco upload`: the logic is upload-command-client.ts; this parses, draws and prints. */
export function createUploadCommand(deps: UploadCommandDeps): CliCommand {
  return {
    name: 'upload',
    summary: 'Stream a capture to a trainer service; prints the model id it stored',
    help: HELP,
    async run(args, io) {
      const { values, positionals } = parseCommandArgs('upload', args, {
        trainer: { type: 'string' },
        token: { type: 'string' },
        'bin-ms': { type: 'string' },
        'max-model-bytes': { type: 'string' },
        name: { type: 'string' },
        dir: { type: 'string' },
        json: { type: 'boolean' },
      });
      const [trace] = requirePositionals('upload', positionals, ['trace']) as [string];
      const target = resolveUploadTarget(values, deps.env);
      const trainerUrl = target.trainerUrl;
      const progress = io.isTty ? new UploadProgressLine((t) => io.err(t)) : undefined;
      let result: TraceUploadResult;
      try {
        result = await uploadTrace(trace, {
          trainerUrl,
          token: target.token,
          binMs: numberOption('upload', 'bin-ms', values['bin-ms'], { min: MIN_BIN_MS }),
          maxModelBytes: numberOption('upload', 'max-model-bytes', values['max-model-bytes'], { integer: true, min: MIN_MODEL_BYTES }),
          traceName: values.name ?? basename(trace),
          onProgress: progress ? (sent, total) => progress.update(sent, total) : undefined,
          signal: io.signal,
        });
      } catch (error) {
        progress?.clear();
        if (isMemocoError(error) && error.code === 'TRAINER_ERR_UPLOAD_ABORTED' && io.signal.aborted) {
          io.err(`memoco upload: ${error.code}: ${error.message}\n`);
          return 130;
        }
        throw error;
      }
      progress?.clear();
      const summary = summaryJson(result, trainerUrl);
      io.out(values.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
      return 0;
    },
  };
}

export const uploadCommand = createUploadCommand({ env: process.env });
