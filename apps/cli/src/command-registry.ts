import type { CliCommand } from './cli-command.ts';
import { inspectCommand } from './commands/inspect-command.ts';
import { tsSynthCommand } from './commands/ts-synth-command.ts';
import { tsInspectCommand } from './commands/ts-inspect-command.ts';
import { tsConvertCommand } from './commands/ts-convert-command.ts';
import { tsReplayCommand } from './commands/ts-replay-command.ts';
import { verifyOrderCommand } from './commands/verify-order-command.ts';
import { trainCommand } from './commands/train-command.ts';
import { generateCommand } from './commands/generate-command.ts';
import { fidelityCommand } from './commands/fidelity-command.ts';
import { replayCommand } from './commands/replay-command.ts';
import { uploadCommand } from './commands/upload-command.ts';
import { demoCommand } from './commands/demo-command.ts';
import { upCommand } from './commands/up-command.ts';
import { runCommand } from './commands/run-command.ts';
import { runsCommand } from './commands/runs-command.ts';
import { runsShowCommand } from './commands/runs-show-command.ts';
import { hostsCommand } from './commands/hosts-command.ts';

/**
 * Every `memoco` command, in the order `memoco --help` lists them. Each lives in its own
 * file under commands/ and is added here by one line.
 */
export const COMMANDS: readonly CliCommand[] = [
  inspectCommand,
  tsSynthCommand,
  tsInspectCommand,
  tsConvertCommand,
  tsReplayCommand,
  verifyOrderCommand,
  trainCommand,
  generateCommand,
  fidelityCommand,
  replayCommand,
  uploadCommand,
  demoCommand,
  upCommand,
  hostsCommand,
  runCommand,
  runsCommand,
  runsShowCommand,
];
