/**
 * Leftovers a test run must not leave behind even when it crashes or is interrupted:
 * network namespaces, veth pairs, server processes, temp dirs. Each resource registers a
 * synchronous undo; they run (newest first) on process exit and on SIGINT/SIGTERM/SIGHUP.
 * A resource that is released normally unregisters itself, so nothing runs twice.
 */
const pending = new Map<number, { what: string; undo: () => void }>();
let nextId = 1;
let installed = false;

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

/** Registers `undo` (synchronous, must not throw past itself); returns the unregister function. */
export function registerCleanup(what: string, undo: () => void): () => void {
  installHandlers();
  const id = nextId++;
  pending.set(id, { what, undo });
  return () => void pending.delete(id);
}

/** Runs every pending undo now (newest first). Exposed for tests and for `afterAll` hooks. */
export function runPendingCleanups(): string[] {
  const done: string[] = [];
  const entries = [...pending.entries()].reverse();
  pending.clear();
  for (const [, { what, undo }] of entries) {
    try {
      undo();
    } catch {
      // Best effort at exit: one failed undo must not keep the others from running.
    }
    done.push(what);
  }
  return done;
}

/** Names of resources still registered (tests assert this is empty after release). */
export function pendingCleanups(): string[] {
  return [...pending.values()].map((p) => p.what);
}

function installHandlers(): void {
  if (installed) return;
  installed = true;
  process.on('exit', () => void runPendingCleanups());
  for (const signal of SIGNALS) {
    const onSignal = () => {
      runPendingCleanups();
      // Only we listen: restore the default action so the process still dies of the signal.
      if (process.listenerCount(signal) === 1) {
        process.off(signal, onSignal);
        process.kill(process.pid, signal);
      }
    };
    process.on(signal, onSignal);
  }
}
