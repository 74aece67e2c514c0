/**
 * Waiting for a run the way a command does: its result, with progress snapshots every
 * interval and an abort signal (Ctrl-C) wired to a clean stop. Shared by every run handle
 * (exact replay and synthesis: TxRun; time series: TsReplayRun).
 */
export interface RunWatchOptions<Stats> {
  /** Aborting stops the run cleanly (Ctrl-C): the result still comes. */
  signal?: AbortSignal;
  /** Called with a snapshot every intervalMs (default 250) while the run lasts. */
  onStats?: (stats: Stats) => void;
  intervalMs?: number;
}

export interface WatchableRun<Stats> {
  stats(): Stats;
  stop(): void;
}

export async function watchRun<Stats, Result>(run: WatchableRun<Stats>, result: Promise<Result>, options: RunWatchOptions<Stats>): Promise<Result> {
  const onAbort = () => run.stop();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) run.stop();
  const onStats = options.onStats;
  const timer = onStats ? setInterval(() => onStats(run.stats()), options.intervalMs ?? 250) : undefined;
  try {
    return await result;
  } finally {
    if (timer) clearInterval(timer);
    options.signal?.removeEventListener('abort', onAbort);
  }
}
