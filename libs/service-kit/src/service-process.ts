/**
 * The life of a service process, the same for the trainer, controller and agent: start it
 * (a failure is one coded line and exit 1, never a stack trace for an expected error), then
 * stop it cleanly on the first SIGINT/SIGTERM (exit 0, or 1 when stopping fails). Each
 * service's main.ts reads its config and passes `start`; nothing here reads the environment.
 */
import { isMemocoError } from '@memoco/protocol';

export interface ServiceProcessOptions {
  /** Writes one line of the service's log (stderr). */
  log(message: string): void;
  /** Starts the service and returns how to stop it. */
  start(): Promise<() => Promise<void>>;
  /** The line logged when a signal arrives (default: `<signal>, shutting down`). */
  stoppingLine?(signal: string): string;
}

export async function runServiceProcess(options: ServiceProcessOptions): Promise<void> {
  let stop: () => Promise<void>;
  try {
    stop = await options.start();
  } catch (error) {
    options.log(isMemocoError(error) ? `${error.code}: ${error.message}` : String((error as Error).stack ?? error));
    process.exit(1);
  }
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    options.log(options.stoppingLine?.(signal) ?? `${signal}, shutting down`);
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        options.log(`shutdown failed: ${(error as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}
