/**
 * Settles a run's status from its parts (issue 6: a lost host's part failed, the run
 * `partial`; `completed` when all are done; `failed` when none). Called after every part
 * that ends; safe to call from several controllers at once (the store's updates are
 * conditional and only the one that changes the status writes the `finished` event).
 */
import { deriveRunStatus, isFinalRunStatus, type RunStatus } from '@memoco/protocol';
import type { RunRepository } from '@memoco/run-store';

export async function settleRun(runs: RunRepository, runId: string, nowMs: number): Promise<RunStatus | undefined> {
  const run = await runs.getRun(runId);
  if (!run || isFinalRunStatus(run.status)) return run?.status;
  const parts = await runs.listParts(runId);
  const status = deriveRunStatus(parts.map((p) => p.status), run.cancelRequestedAtUnixMs !== null);
  if (isFinalRunStatus(status)) {
    if (await runs.setRunStatus(runId, status, nowMs)) {
      const count = (s: string) => parts.filter((p) => p.status === s).length;
      const counts = { completed: count('completed'), failed: count('failed'), cancelled: count('cancelled') };
      const packets = parts.reduce((sum, p) => sum + p.packets, 0);
      await runs.addEvent(runId, {
        atUnixMs: nowMs,
        kind: 'finished',
        message: `run ${status}: ${counts.completed} completed, ${counts.failed} failed, ${counts.cancelled} cancelled of ${parts.length} hosts`,
        data: { ...counts, hosts: parts.length, packets },
      });
    }
    return status;
  }
  if (status === 'running' && run.status === 'planned' && (await runs.markRunRunning(runId, nowMs))) {
    const accepted = parts.filter((p) => p.status !== 'assigned').length;
    await runs.addEvent(runId, { atUnixMs: nowMs, kind: 'running', message: `${accepted} of ${parts.length} hosts accepted or started` });
    return 'running';
  }
  return run.status;
}
