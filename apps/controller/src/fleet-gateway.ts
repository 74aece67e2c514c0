/**
 * What the controller needs from the fleet's message bus, as an interface so the HTTP app
 * and the run follower are built without knowing NATS (style.md: depend on the smallest
 * interface). nats-fleet-gateway.ts implements it over a real nats-server.
 */
import type { HostRegistration, RunAssignment, RunCancel, RunHostResult, RunProgress } from '@memoco/protocol';

export interface HostView {
  registration: HostRegistration;
  /** When the host last rewrote its registry entry (the NATS server's clock). */
  lastHeartbeatUnixMs: number;
}

export type FleetReport = { kind: 'progress'; progress: RunProgress } | { kind: 'result'; result: RunHostResult };

/** Throwing makes the report come again later; a MemocoError with a PROTOCOL_ERR_ code drops it. */
export type ReportHandler = (report: FleetReport) => Promise<void>;

export interface BusConnectionState {
  connected: boolean;
  /** Unix ms of the latest (re)connection. */
  connectedSinceMs: number;
}

export interface FleetGateway {
  /** Every host in the registry, alive or not (the caller judges by heartbeat age). */
  listHosts(): Promise<HostView[]>;
  /** Sends one host its assignment (durably: an agent that reconnects still gets it). */
  publishAssignment(assignment: RunAssignment): Promise<void>;
  publishCancel(cancel: RunCancel): Promise<void>;
  /** The model's bytes from the model store, undefined when there is no such model. */
  fetchModel(modelId: string): Promise<Uint8Array | undefined>;
  /**
   * The host's result for the run as the bus stores it, undefined when it has none. The
   * follower asks before it fails a part: a delivery of the reports consumer can be lost in
   * a cluster leader change (it would come again only after the ack wait), the stored
   * result is not. Throws when the bus cannot be asked.
   */
  fetchResult(runId: string, host: string): Promise<RunHostResult | undefined>;
  /** Starts delivering agents' reports to `handler`, one at a time, until close(). */
  startReports(handler: ReportHandler): void;
  connection(): BusConnectionState;
  close(): Promise<void>;
}
