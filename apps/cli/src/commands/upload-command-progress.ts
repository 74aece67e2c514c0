/** The progress line of `memoco upload` on a terminal: bytes sent of the total and the rate. */
export class UploadProgressLine {
  private lastDrawMs = -Infinity;
  private startMs: number | undefined;
  drawn = false;

  constructor(private readonly write: (text: string) => void, private readonly intervalMs = 200, private readonly now: () => number = () => performance.now()) {}

  /** Draws at most every intervalMs, and always the first and the final state. */
  update(sent: number, total: number): void {
    const now = this.now();
    this.startMs ??= now;
    if (sent < total && now - this.lastDrawMs < this.intervalMs) return;
    this.lastDrawMs = now;
    this.drawn = true;
    this.write(`\r${formatUploadProgress(sent, total, (now - this.startMs) / 1000)}\x1b[K`);
  }

  clear(): void {
    if (this.drawn) this.write('\r\x1b[K');
  }
}

const BAR_WIDTH = 24;

export function formatUploadProgress(sent: number, total: number, seconds: number): string {
  const share = total > 0 ? sent / total : 1;
  const filled = Math.round(share * BAR_WIDTH);
  const rate = seconds > 0 ? sent / 1e6 / seconds : 0;
  const tail = sent >= total ? ', training the last packets' : '';
  return `upload [${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}] ${(sent / 1e6).toFixed(1)}/${(total / 1e6).toFixed(1)} MB ${(share * 100).toFixed(0)}% ${rate.toFixed(1)} MB/s${tail}`;
}
