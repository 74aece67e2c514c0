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
  onProblem: (message: string) => void;
}

export class HostRegistryWatcher {
  private readonly hosts = new Map<string, HostView>();
  private stopped = false;
  private current: { stop(): void } | undefined;
  private firstSync: Promise<void>;

  constructor(private readonly kv: KV, private readonly options: HostRegistryWatcherOptions) {
    this.firstSync = this.run();
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
