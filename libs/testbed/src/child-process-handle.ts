import { spawn, type ChildProcess } from 'node:child_process';
import { registerCleanup } from './cleanup-registry.ts';
import { OutputTail } from './run-command.ts';

/**
 * A long-running child (a server, tcpdump) whose output is kept (its tail, for error
 * messages) and which is killed at process exit if the test forgot or crashed.
 */
export class ChildProcessHandle {
  readonly process: ChildProcess;
  readonly output = new OutputTail();
  /** Resolves with the exit code (or 128+signal number style: null code -> -1) once the child is gone. */
  readonly exited: Promise<number>;
  private exitCode: number | undefined;
  private readonly unregister: () => void;

  constructor(command: string, args: readonly string[], opts: { what: string; env?: NodeJS.ProcessEnv } = { what: command }) {
    this.process = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env ?? process.env });
    this.process.stdout?.on('data', (chunk: Buffer) => this.output.push(chunk));
    this.process.stderr?.on('data', (chunk: Buffer) => this.output.push(chunk));
    const pid = this.process.pid;
    this.unregister = registerCleanup(`${opts.what} (pid ${pid})`, () => {
      if (this.exitCode === undefined && pid !== undefined) process.kill(pid, 'SIGKILL');
    });
    this.exited = new Promise((resolve) => {
      this.process.once('error', (error) => {
        this.output.push(`spawn failed: ${error.message}\n`);
        this.finish(127, resolve);
      });
      this.process.once('exit', (code) => this.finish(code ?? -1, resolve));
    });
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  get pid(): number | undefined {
    return this.process.pid;
  }

  /** Sends `signal` and waits until the child has exited; a no-op when it already has. */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<number> {
    if (this.running) this.process.kill(signal);
    return this.exited;
  }

  private finish(code: number, resolve: (code: number) => void): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = code;
    this.unregister();
    resolve(code);
  }
}
