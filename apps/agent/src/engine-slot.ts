import { MemocoError } from '@memoco/protocol';

/**
 * One run at a time on the engine (one EAL per process, one run at a time on it). A run
 * whose window overlaps the holder's is refused (AGENT_ERR_BUSY); one that starts after the
 * holder's end waits for it.
 */
export class EngineSlot {
  private holder: { owner: object; endUnixMs: number; released: Promise<void>; release: () => void } | undefined;
  private readonly waiting = new Map<object, () => void>();

  async acquire(owner: object, startUnixMs: number, endUnixMs: number): Promise<void> {
    while (this.holder && this.holder.owner !== owner) {
      if (this.holder.endUnixMs > startUnixMs) {
        throw new MemocoError('AGENT_ERR_BUSY', `another run sends until ${new Date(this.holder.endUnixMs).toISOString()}, after this run's start`, { status: 409 });
      }
      const abandoned = new Promise<void>((resolve) => this.waiting.set(owner, resolve));
      await Promise.race([this.holder.released, abandoned]);
      if (!this.waiting.delete(owner)) return; // abandoned: the caller sees its stop reason
    }
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    this.holder = { owner, endUnixMs, released, release };
  }

  release(owner: object): void {
    if (this.holder?.owner !== owner) return;
    const { release } = this.holder;
    this.holder = undefined;
    release();
  }

  abandon(owner: object): void {
    const wake = this.waiting.get(owner);
    this.waiting.delete(owner);
    wake?.();
  }
}
