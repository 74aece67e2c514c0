/**
 * A fleet service run as a child process (`memoco up`, the end-to-end tests): its output
 * goes line by line to a log file and a short in-memory tail (for error messages), it is
 * stopped with SIGTERM then SIGKILL after a grace period, and killed when this process exits
 * without having stopped it. Children get their own process group, so a Ctrl-C in the
 * terminal reaches `memoco up` alone, which then stops the services in order (agents before
 * NATS, so their last results still land).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemocoError } from '@memoco/protocol';

export interface ServiceSpec {
  /** Shown in errors and log prefixes (`controller`, `agent-1`). */
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Every output line is appended here. */
  logFile?: string;
  cwd?: string;
  /** Called with every output line (`memoco up --verbose`, test debugging). */
  onLine?: (name: string, line: string) => void;
}

const TAIL_LINES = 60;
const live = new Set<ServiceProcess>();
let exitHookInstalled = false;

/** The repository root (the services' sources are read from here). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

/** `node --import <tsx> <script>`: tsx resolved here, so the child's cwd does not matter. */
export function tsxCommand(script: string, args: string[] = []): { command: string; args: string[] } {
  return { command: process.execPath, args: ['--import', import.meta.resolve('tsx'), script, ...args] };
}

export class ServiceProcess {
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private readonly tail: string[] = [];
  private readonly waiters = new Set<() => void>();
  private exitCode: number | null | undefined;

  private constructor(readonly spec: ServiceSpec) {
    installExitHook();
    this.child = spawn(spec.command, spec.args, { env: spec.env, cwd: spec.cwd ?? REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        this.line(`spawn failed: ${error.message}`);
        this.finish(127, resolve);
      });
      this.child.once('exit', (code, signal) => this.finish(code ?? (signal ? -1 : null), resolve));
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      let partial = '';
      stream.setEncoding('utf8');
      stream.on('data', (chunk: string) => {
        const lines = (partial + chunk).split('\n');
        partial = lines.pop()!;
        for (const l of lines) this.line(l);
      });
      stream.on('end', () => partial && this.line(partial));
    }
    live.add(this);
  }

  static start(spec: ServiceSpec): ServiceProcess {
    return new ServiceProcess(spec);
  }

  get name(): string {
    return this.spec.name;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /** The last output lines, for error messages. */
  output(lines = TAIL_LINES): string {
    return this.tail.slice(-lines).join('\n');
  }

  /**
   * Resolves with the first output line matching `pattern` (seen before or after the call);
   * rejects with FLEET_ERR_START when the process exits or the time runs out first.
   */
  async waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      for (const l of this.tail) {
        const m = l.match(pattern);
        if (m) return m;
      }
      if (!this.running) throw this.startError(`exited (code ${this.exitCode}) before it was ready`);
      const left = deadline - Date.now();
      if (left <= 0) throw this.startError(`not ready within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(wake, Math.min(left, 1000));
        function wake() {
          clearTimeout(timer);
          resolve();
        }
        this.waiters.add(wake);
      });
    }
  }

  private startError(why: string): MemocoError {
    return new MemocoError('FLEET_ERR_START', `${this.name} ${why}; its last lines:\n${this.output(12)}`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process is gone. */
  async stop(graceMs = 15_000): Promise<void> {
    if (!this.running) return;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.signal('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  /** Sends `signal` (default SIGKILL: the host dies) and waits until the process is gone. */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    if (!this.running) return;
    this.signal(signal);
    await this.exited;
  }

  private signal(signal: NodeJS.Signals): void {
    try {
      this.child.kill(signal);
    } catch {
      // already gone
    }
  }

  private line(text: string): void {
    this.tail.push(text);
    if (this.tail.length > TAIL_LINES * 4) this.tail.splice(0, this.tail.length - TAIL_LINES * 2);
    if (this.spec.logFile) {
      try {
        appendFileSync(this.spec.logFile, `${text}\n`);
      } catch {
        // a full disk must not take the supervisor down; the tail still has it
      }
    }
    this.spec.onLine?.(this.name, text);
    for (const wake of this.waiters) wake();
    this.waiters.clear();
  }

  private finish(code: number | null, resolve: (code: number | null) => void): void {
    if (this.exitCode !== undefined) return;
    this.exitCode = code;
    live.delete(this);
    for (const wake of this.waiters) wake();
    this.waiters.clear();
    resolve(code);
  }

  /** Synchronous, for the exit hook. */
  killNow(): void {
    if (this.running) this.signal('SIGKILL');
  }
}

/** SIGKILLs every child still running (a second Ctrl-C: stop waiting for clean exits). */
export function killAllServicesNow(): void {
  for (const service of live) service.killNow();
}

/** Children outliving their supervisor would hold ports and namespaces: kill them at exit. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const service of live) service.killNow();
  });
}
