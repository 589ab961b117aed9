/**
 * Series columns shared by every rule evaluated on one panel, keyed by the canonical text of the
 * series expression (`sma(close,200)`). Each column is a Float64Array of N*T values in the panel's
 * asset-major layout.
 *
 * Built for a coordinator/worker split: the coordinator constructs its cache with an `allocate`
 * that returns SharedArrayBuffer-backed arrays, computes every column a batch needs
 * (`requiredSeries` + `computeSeries`), and sends the buffers to the workers; each worker wraps
 * them with `new Float64Array(sab)` and pre-fills its own cache with `set(key, column)`.
 *
 * The cache is unbounded: its size is bounded by the number of distinct series configurations
 * the grammar can derive (each column costs N*T*8 bytes: 0.96 MB for 20 assets x 6,000 days).
 */

/** The dimensions a cache is bound to (a Panel satisfies it). */
export interface PanelShape {
  readonly N: number;
  readonly T: number;
}

export interface IndicatorCacheOptions {
  /** Returns a new column of `length` values. Default: `new Float64Array(length)`. */
  allocate?: (length: number) => Float64Array;
}

export class IndicatorCache {
  readonly N: number;
  readonly T: number;
  private readonly columns = new Map<string, Float64Array>();
  private readonly alloc: (length: number) => Float64Array;

  constructor(panel: PanelShape, options: IndicatorCacheOptions = {}) {
    this.N = panel.N;
    this.T = panel.T;
    this.alloc = options.allocate ?? ((len) => new Float64Array(len));
  }

  /** The column for `key`, or undefined when not computed yet. */
  get(key: string): Float64Array | undefined {
    return this.columns.get(key);
  }

  has(key: string): boolean {
    return this.columns.has(key);
  }

  /** Store a column (computed here or elsewhere). Throws RangeError when its length is not N*T. */
  set(key: string, column: Float64Array): void {
    if (column.length !== this.N * this.T) {
      throw new RangeError(`column '${key}' has ${column.length} values, expected N*T = ${this.N * this.T}`);
    }
    this.columns.set(key, column);
  }

  /** A new column of N*T values from the configured allocator, filled with NaN. */
  allocate(): Float64Array {
    const col = this.alloc(this.N * this.T);
    if (col.length !== this.N * this.T) throw new RangeError(`allocate returned ${col.length} values, expected ${this.N * this.T}`);
    return col.fill(NaN);
  }

  delete(key: string): boolean {
    return this.columns.delete(key);
  }

  clear(): void {
    this.columns.clear();
  }

  keys(): IterableIterator<string> {
    return this.columns.keys();
  }

  entries(): IterableIterator<[string, Float64Array]> {
    return this.columns.entries();
  }

  /** Number of columns held. */
  get size(): number {
    return this.columns.size;
  }

  /** Bytes held by the columns. */
  get bytes(): number {
    let b = 0;
    for (const c of this.columns.values()) b += c.byteLength;
    return b;
  }

  /** True when the cache was built for a panel of these dimensions. */
  fits(panel: PanelShape): boolean {
    return panel.N === this.N && panel.T === this.T;
  }
}
