/**
 * What the agent needs from the fleet's messaging, as a small interface (style.md: depend
 * on the smallest interface you need), the agent-side mirror of the controller's
 * FleetGateway. nats-agent-gateway.ts implements it over a real nats-server.
 */
import type { HostRegistration, RunAssignment, RunCancel, RunHostResult, RunProgress } from '@memoco/protocol';

export type AssignmentHandler = (assignment: RunAssignment) => Promise<void>;
export type CancelHandler = (cancel: RunCancel) => void;

export interface AgentGateway {
  /** Writes this host's entry in the `memoco-hosts` KV bucket (the heartbeat). */
  register(registration: HostRegistration): Promise<void>;
  /** Removes the entry (clean shutdown: the controller sees the host gone at once). */
  deregister(host: string): Promise<void>;
  /** Delivers this host's assignments from its durable consumer; each is acked once handled. */
  startAssignments(handler: AssignmentHandler): void;
  /** Delivers every run's cancels published from now on. */
  startCancels(handler: CancelHandler): void;
  /** A cancel already stored for this run (published before this agent listened). */
  storedCancel(runId: string): Promise<RunCancel | undefined>;
  fetchModel(modelId: string): Promise<Uint8Array | undefined>;
  /** One attempt; progress is never retried (the next one replaces it). */
  publishProgress(progress: RunProgress): Promise<void>;
  /** One attempt with the message id `<runId>.result.<host>` (a retry is stored once). */
  publishResult(result: RunHostResult): Promise<void>;
  connected(): boolean;
  close(): Promise<void>;
}
