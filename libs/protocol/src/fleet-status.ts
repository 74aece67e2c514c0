/**
 * Life cycle of a run and of each host's part of it (issue 6: "a host that disappears
 * mid-run: its part failed, the run partial, the others finish"). Shared by the agent's
 * reports, the controller's follower and the run store's columns.
 */
export const RUN_STATUSES = ['planned', 'running', 'completed', 'partial', 'failed', 'cancelled'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const HOST_PART_STATUSES = ['assigned', 'accepted', 'running', 'completed', 'failed', 'cancelled'] as const;
export type HostPartStatus = (typeof HOST_PART_STATUSES)[number];

/** What an agent says it is doing in a progress report. */
export const PROGRESS_STATES = ['accepted', 'waiting', 'running', 'stopping'] as const;
export type ProgressState = (typeof PROGRESS_STATES)[number];

/** How a host's part ended, in its result report. */
export const RESULT_STATUSES = ['completed', 'failed', 'cancelled'] as const;
export type ResultStatus = (typeof RESULT_STATUSES)[number];

const FINAL_RUN = new Set<RunStatus>(['completed', 'partial', 'failed', 'cancelled']);
const FINAL_PART = new Set<HostPartStatus>(['completed', 'failed', 'cancelled']);

export function isFinalRunStatus(status: RunStatus): boolean {
  return FINAL_RUN.has(status);
}

export function isFinalHostPartStatus(status: HostPartStatus): boolean {
  return FINAL_PART.has(status);
}

/**
 * The run's status from its parts: `planned`/`running` while any part is open; `completed`
 * when every part completed; `cancelled` when a cancel was asked (or every part was
 * cancelled); `failed` when no part completed; `partial` when some did and some did not.
 */
export function deriveRunStatus(parts: readonly HostPartStatus[], cancelRequested = false): RunStatus {
  if (parts.length === 0) return cancelRequested ? 'cancelled' : 'failed';
  if (parts.some((p) => !FINAL_PART.has(p))) return parts.some((p) => p !== 'assigned') ? 'running' : 'planned';
  const completed = parts.filter((p) => p === 'completed').length;
  if (completed === parts.length) return 'completed';
  if (cancelRequested || parts.every((p) => p === 'cancelled')) return 'cancelled';
  if (completed === 0) return 'failed';
  return 'partial';
}
