/**
 * One side of an order book being replayed from updates: price → size, with the best price tracked
 * incrementally (rescanned only when the best level is removed), so replaying thousands of changes on a book
 * of tens of thousands of levels stays linear in practice.
 */
export class PriceLevels {
  readonly levels = new Map<number, number>();
  best = NaN;

  /** `bid` side: higher is better; `ask`: lower is better. */
  constructor(readonly side: 'bid' | 'ask') {}

  private better(x: number, y: number): boolean {
    return this.side === 'bid' ? x > y : x < y;
  }

  /** Sets a level; size 0 removes it. */
  set(price: number, size: number): void {
    if (size > 0) {
      this.levels.set(price, size);
      if (Number.isNaN(this.best) || this.better(price, this.best)) this.best = price;
    } else {
      this.levels.delete(price);
      if (price === this.best) this.rescan();
    }
  }

  clear(): void {
    this.levels.clear();
    this.best = NaN;
  }

  /** `[price, size]` pairs, unsorted. */
  pairs(): Array<[number, number]> {
    return [...this.levels];
  }

  private rescan(): void {
    this.best = NaN;
    for (const p of this.levels.keys()) if (Number.isNaN(this.best) || this.better(p, this.best)) this.best = p;
  }
}
