/**
 * Follows one run through the controller's API until it ends (`memoco run`, `memoco demo`):
 * polls GET /v1/runs/:id, hands each new state to `onUpdate`, and on abort (Ctrl-C) asks
 * the controller to cancel it and keeps following until the cancel is settled.
 */
import { isFinalRunStatus, isMemocoError } from '@memoco/protocol';
import type { RunDetail } from '@memoco/run-store';
import type { FleetClient } from './fleet-client.ts';

export interface FollowOptions {
  signal?: AbortSignal;
  onUpdate?: (detail: RunDetail) => void;
  pollMs?: number;
  /** Give up after this long (default: the run's end + 2 minutes). */
  timeoutMs?: number;
}

export async function followRun(client: FleetClient, runId: string, options: FollowOptions = {}): Promise<{ detail: RunDetail; cancelled: boolean }> {
  const pollMs = options.pollMs ?? 500;
  let cancelled = false;
  let deadline = Number.POSITIVE_INFINITY;
  for (;;) {
    const detail = await client.get<RunDetail>(`/v1/runs/${encodeURIComponent(runId)}`);
    if (deadline === Number.POSITIVE_INFINITY) deadline = options.timeoutMs !== undefined ? Date.now() + options.timeoutMs : detail.run.startAtUnixMs + detail.run.durationS * 1000 + 120_000;
    options.onUpdate?.(detail);
    if (isFinalRunStatus(detail.run.status)) return { detail, cancelled };
    if (options.signal?.aborted && !cancelled) {
      cancelled = true;
      await client.post(`/v1/runs/${encodeURIComponent(runId)}/cancel`).catch((error: unknown) => {
        // Already over: the next poll shows how it ended.
        if (!(isMemocoError(error) && error.code === 'CONTROLLER_ERR_RUN_FINISHED')) throw error;
      });
    }
    if (Date.now() > deadline) return { detail, cancelled };
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** One line of live progress: the run's status and each host's part. */
export function progressLine(d: RunDetail): string {
  const total = d.hosts.reduce((s, h) => s + h.packets, 0);
  const hosts = d.hosts.map((h) => `${h.host} ${h.status} ${h.packets.toLocaleString('en-US')}`).join(' | ');
  const toStart = d.run.startAtUnixMs - Date.now();
  const when = toStart > 0 && !isFinalRunStatus(d.run.status) ? ` (starts in ${(toStart / 1000).toFixed(1)} s)` : '';
  return `run ${d.run.id.slice(0, 8)}: ${d.run.status}${when}, ${total.toLocaleString('en-US')} packets  [${hosts}]`;
}
