/**
 * Turns expected packets per (row, bin) into whole packets, all rows of a bin together
 * (docs/flow-models.md, "From expectations to packets"). Rounding each row on its own makes
 * the aggregate wander: on sparse traffic a row's expectation is spread thinly over bins
 * where other rows were busy, and independent roundings pile packets up in some bins and
 * starve others. Here, per bin:
 *
 *   1. every active row's debt grows by its expectation (debt = expected so far - sent);
 *   2. forced packets: packet 0 of a row in its first bin, all its remaining packets in its
 *      last bin (first and last packets at the flow's own start and end; exact totals);
 *   3. the bin's total follows the aggregate expectation (systematic rounding of its running
 *      sum); the slots left after the forced packets go to the rows that are owed most: whole
 *      packets of debt first, then the largest remainders (Hamilton's method), never the
 *      packet a row keeps for its last bin.
 *
 * Per-row totals are exact, the aggregate follows the expectation bin by bin, and each row's
 * packets stay where its own intensity is.
 */
export interface RowPlacement {
  /** Packets per window cycle. */
  packets: number;
  startBin: number;
  lastBin: number;
}

export class CoupledRounder {
  private readonly debt: Float64Array;
  private readonly sent: Float64Array;
  private aggregateExpected = 0;
  private aggregateSent = 0;
  private readonly give: Float64Array;

  constructor(private readonly rows: readonly RowPlacement[]) {
    this.debt = new Float64Array(rows.length);
    this.sent = new Float64Array(rows.length);
    this.give = new Float64Array(rows.length);
  }

  /** Starts a window cycle: every row from its first packet again. */
  reset(): void {
    this.debt.fill(0);
    this.sent.fill(0);
    this.aggregateExpected = 0;
    this.aggregateSent = 0;
  }

  /** Packet index of `row`'s next packet in the cycle. */
  nextPacket(row: number): number {
    return this.sent[row]!;
  }

  /**
   * Places window bin `bin` for the active rows `ids` with expectations `expected` (parallel);
   * calls emit(row, firstPacket, count) for each row that sends in it.
   */
  placeBin(bin: number, ids: readonly number[], expected: readonly number[], emit: (row: number, firstPacket: number, count: number) => void): void {
    const { debt, sent, give, rows } = this;
    let forced = 0;
    for (let i = 0; i < ids.length; i++) {
      const r = ids[i]!;
      const row = rows[r]!;
      debt[r]! += expected[i]!;
      this.aggregateExpected += expected[i]!;
      let g = 0;
      if (sent[r] === 0 && bin === row.startBin && row.packets >= 1) g = 1;
      if (bin === row.lastBin) g = row.packets - sent[r]!;
      give[r] = g;
      forced += g;
    }
    const target = Math.round(this.aggregateExpected) - this.aggregateSent;
    let slots = Math.max(0, target - forced);
    if (slots > 0) slots = this.shareSlots(bin, ids, slots);
    for (const r of ids) {
      const g = give[r]!;
      if (g <= 0) continue;
      emit(r, sent[r]!, g);
      sent[r]! += g;
      debt[r]! -= g;
      this.aggregateSent += g;
      give[r] = 0;
    }
  }

  /** Room a row has in this bin without touching the packet it keeps for its last bin. */
  private room(bin: number, r: number): number {
    const row = this.rows[r]!;
    if (bin === row.lastBin) return 0;
    return Math.max(0, row.packets - 1 - this.sent[r]! - this.give[r]!);
  }

  /** Whole packets of debt first, then largest remainders; returns the slots left unfilled. */
  private shareSlots(bin: number, ids: readonly number[], slots: number): number {
    const { debt, give } = this;
    const owed = (r: number) => debt[r]! - give[r]!;
    const byOwed = (a: number, b: number) => owed(b) - owed(a) || a - b;
    const candidates = ids.filter((r) => owed(r) > 0 && this.room(bin, r) > 0).sort(byOwed);
    for (const r of candidates) {
      const whole = Math.min(Math.floor(owed(r)), this.room(bin, r), slots);
      give[r]! += whole;
      slots -= whole;
      if (slots === 0) return 0;
    }
    candidates.sort(byOwed);
    for (const r of candidates) {
      if (slots === 0 || owed(r) <= 0) break;
      if (this.room(bin, r) === 0) continue;
      give[r]! += 1;
      slots--;
    }
    return slots;
  }
}
