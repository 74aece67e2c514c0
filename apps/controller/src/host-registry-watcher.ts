/**
 * A live copy of the host registry (KV bucket `memoco-hosts`), kept by a KV watch so
 * `GET /v1/hosts` and every follower tick read memory, not 1,000 KV gets. The watch is
 * restarted whenever it ends (a NATS restart can end it). Entries that fail validation are
 * skipped: one broken agent must not hide the others.
 */
import type { KV, KvEntry } from '@nats-io/kv';
import { decodeMessage } from '@memoco/protocol';
import type { HostView } from './fleet-gateway.ts';

export interface HostRegistryWatcherOptions {
  /** Pause before re-watching after the watch ended. */
  restartDelayMs: number;
  /**
   * Re-watch when no entry arrived for this long while hosts are registered (they rewrite
   * their entries every heartbeat, so silence means the watch is stuck: its consumer lived
   * on a cluster node that died, issue 6 "Scale-out").
   */
  stallMs: number;
  onProblem: (message: string) => void;
}

export class HostRegistryWatcher {
  private readonly hosts = new Map<string, HostView>();
  private stopped = false;
  private current: { stop(): void } | undefined;
  private firstSync: Promise<void>;
  private lastEntryAtMs = Date.now();
  private readonly stallCheck: NodeJS.Timeout;

  constructor(private readonly kv: KV, private readonly options: HostRegistryWatcherOptions) {
    this.firstSync = this.run();
    this.stallCheck = setInterval(() => this.restartIfStalled(), Math.max(100, options.stallMs / 4));
    this.stallCheck.unref();
  }

  private restartIfStalled(): void {
    if (this.hosts.size === 0 || Date.now() - this.lastEntryAtMs <= this.options.stallMs) return;
    this.options.onProblem(`host registry watch silent for ${Date.now() - this.lastEntryAtMs} ms; watching again`);
    this.lastEntryAtMs = Date.now();
    this.current?.stop();
  }

  /** Resolves once the registry's current content has been read. */
  ready(): Promise<void> {
    return this.firstSync;
  }

  list(): HostView[] {
    return [...this.hosts.values()];
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.stallCheck);
    this.current?.stop();
  }

  private run(): Promise<void> {
    let markSynced: () => void = () => {};
    const synced = new Promise<void>((resolve) => (markSynced = resolve));
    void (async () => {
      while (!this.stopped) {
        try {
          await this.watchOnce(markSynced);
        } catch (error) {
          this.options.onProblem(`host registry watch failed: ${(error as Error).message}`);
        }
        if (!this.stopped) await new Promise((r) => setTimeout(r, this.options.restartDelayMs));
      }
      markSynced();
    })();
    return synced;
  }

  /**
   * Reads every entry once (so `ready()` means "complete"), then follows changes. The watch
   * starts with the last values again, so nothing written between the two is missed.
   */
  private async watchOnce(markSynced: () => void): Promise<void> {
    const seen = new Set<string>();
    for await (const key of await this.kv.keys()) {
      const entry = await this.kv.get(key);
      if (entry) {
        seen.add(key);
        this.apply(entry);
      }
    }
    for (const key of this.hosts.keys()) if (!seen.has(key)) this.hosts.delete(key);
    markSynced();
    const watch = await this.kv.watch();
    this.current = watch;
    if (this.stopped) watch.stop();
    for await (const entry of watch) this.apply(entry);
  }

  private apply(entry: KvEntry): void {
    this.lastEntryAtMs = Date.now();
    if (entry.operation !== 'PUT') {
      this.hosts.delete(entry.key);
      return;
    }
    try {
      const registration = decodeMessage('hostRegistration', entry.value);
      if (registration.host !== entry.key) throw new Error(`entry ${entry.key} registers host ${registration.host}`);
      this.hosts.set(entry.key, { registration, lastHeartbeatUnixMs: entry.created.getTime() });
    } catch (error) {
      this.options.onProblem(`host registry entry ${entry.key} ignored: ${(error as Error).message}`);
    }
  }
}
