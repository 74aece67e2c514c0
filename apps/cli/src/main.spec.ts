import { describe, expect, it } from 'vitest';
import { MemocoError } from '@memoco/protocol';
import type { CliCommand } from './cli-command.ts';
import { captureIo } from './io-capture.ts';
import { runCli } from './main.ts';

const echo: CliCommand = {
  name: 'ts echo',
  summary: 'echoes',
  help: 'Usage: memoco ts echo <word>',
  async run(args, io) {
    if (args[0] === 'bad') throw new MemocoError('PCAP_ERR_BAD_MAGIC', 'not a capture', { offset: 0 });
    if (args[0] === 'boom') throw new Error('kaput');
    io.out(`${args.join(' ')}\n`);
    return 0;
  },
};

describe('runCli', () => {
  it('dispatches two-word commands with the remaining arguments', async () => {
    const io = captureIo();
    expect(await runCli(['ts', 'echo', 'a', 'b'], io, [echo])).toBe(0);
    expect(io.stdout()).toBe('a b\n');
  });

  it('prints one coded line for a MemocoError, no stack', async () => {
    const io = captureIo();
    expect(await runCli(['ts', 'echo', 'bad'], io, [echo])).toBe(1);
    expect(io.stderr()).toBe('memoco ts echo: PCAP_ERR_BAD_MAGIC: not a capture\n');
  });

  it('marks unexpected errors as internal and hides the stack without --debug', async () => {
    const io = captureIo();
    expect(await runCli(['ts', 'echo', 'boom'], io, [echo])).toBe(70);
    expect(io.stderr()).toContain('MEMOCO_ERR_INTERNAL: kaput');
    expect(io.stderr()).not.toContain('at ');
  });

  it('rejects an unknown command with exit 2', async () => {
    const io = captureIo();
    expect(await runCli(['nope'], io, [echo])).toBe(2);
    expect(io.stderr()).toContain('CLI_ERR_UNKNOWN_COMMAND');
  });

  it('lists commands for --help and shows per-command help', async () => {
    const io = captureIo();
    expect(await runCli(['--help'], io, [echo])).toBe(0);
    expect(io.stdout()).toContain('ts echo');
    const io2 = captureIo();
    expect(await runCli(['ts', 'echo', '--help'], io2, [echo])).toBe(0);
    expect(io2.stdout()).toBe('Usage: memoco ts echo <word>\n');
  });
});
