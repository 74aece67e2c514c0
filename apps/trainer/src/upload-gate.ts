/**
 * Admission of uploads: at most `limit` train at once (each holds a CPU while it trains and
 * a few MB of buffers), what each has done so far (`GET /v1/uploads`), and a signal that
 * stops all of them when the trainer shuts down.
 */
import { MemocoError } from '@memoco/protocol';

export interface UploadProgress {
  id: number;
  traceName: string | undefined;
  startedAtUnixMs: number;
  /** Bytes the trainer has taken from the body so far. */
  bytes: number;
  /** Packets decoded and trained on so far. */
  packets: number;
}

export interface UploadTicket {
  readonly progress: UploadProgress;
  /** Frees the place; call once the upload is answered (idempotent). */
  leave(): void;
}

export class UploadGate {
  private readonly uploads = new Map<number, UploadProgress>();
  private readonly stopping = new AbortController();
  private nextId = 1;

  constructor(private readonly limit: number, private readonly nowMs: () => number = Date.now) {}

  /** Uploads training now. */
  get active(): number {
    return this.uploads.size;
  }

  list(): UploadProgress[] {
    return [...this.uploads.values()].map((u) => ({ ...u }));
  }

  /** Aborted when the trainer stops: uploads in progress end with TRAINER_ERR_SHUTTING_DOWN. */
  get signal(): AbortSignal {
    return this.stopping.signal;
  }

  /** Takes a place or throws TRAINER_ERR_BUSY / _SHUTTING_DOWN. */
  enter(traceName: string | undefined): UploadTicket {
    if (this.stopping.signal.aborted) throw new MemocoError('TRAINER_ERR_SHUTTING_DOWN', 'the trainer is stopping; upload to another trainer', { status: 503 });
    if (this.uploads.size >= this.limit) {
      throw new MemocoError('TRAINER_ERR_BUSY', `the trainer is already training ${this.uploads.size} uploads (MEMOCO_TRAINER_MAX_UPLOADS ${this.limit}); retry later`, { status: 503 });
    }
    const progress: UploadProgress = { id: this.nextId++, traceName, startedAtUnixMs: this.nowMs(), bytes: 0, packets: 0 };
    this.uploads.set(progress.id, progress);
    return { progress, leave: () => void this.uploads.delete(progress.id) };
  }

  shutdown(): void {
    this.stopping.abort();
  }
}
