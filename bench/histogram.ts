/** A collector that is cheap per frame and allocation-free. */
export class Histogram {
  readonly counts: Uint32Array;
  total = 0;
  max = 0;
  constructor(
    bins: number,
    private readonly binMs: number,
  ) {
    this.counts = new Uint32Array(bins);
  }
  add(ms: number): void {
    const i = Math.min(this.counts.length - 1, Math.floor(ms / this.binMs));
    this.counts[i]!++;
    this.total++;
    if (ms > this.max) this.max = ms;
  }
  /** Upper edge of the bin holding the p-th percentile (the max when it falls in the last bin). */
  percentile(p: number): number {
    if (this.total === 0) return 0;
    const rank = Math.ceil((p / 100) * this.total);
    let seen = 0;
    for (let i = 0; i < this.counts.length; i++) {
      seen += this.counts[i]!;
      if (seen >= rank)
        return i === this.counts.length - 1 ? this.max : Math.min(this.max, (i + 1) * this.binMs);
    }
    return this.max;
  }
}
