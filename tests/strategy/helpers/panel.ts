import { Rng } from '../../../src/domain/rng.js';
import type { Panel, PriceField } from '../../../src/domain/types.js';

/** Options of syntheticPanel. */
export interface SyntheticOptions {
  /** Latest first-listed day of an asset (asset 0 is always listed from day 0). Default T/5. */
  maxListing?: number;
  /** Probability that a listed day is a hole (all fields NaN). Default 0.004. */
  holeRate?: number;
  /** Probability of a zero-volume day. Default 0.02. */
  zeroVolumeRate?: number;
  /** Probability of a flat day (open = high = low = close = previous close). Default 0.01. */
  flatRate?: number;
}

/**
 * A seeded random-walk panel: N assets x T days, asset-major, prices rounded to cents (so ties
 * happen and `<` vs `<=` matters), NaN before each asset's listing day and on rare holes, some
 * zero-volume days (0/0 in roc(volume, n)) and some flat days (high == low).
 */
export function syntheticPanel(seed: number, N: number, T: number, opts: SyntheticOptions = {}): Panel {
  const rng = Rng.seeded(seed);
  const maxListing = opts.maxListing ?? Math.floor(T / 5);
  const holeRate = opts.holeRate ?? 0.004;
  const zeroVolumeRate = opts.zeroVolumeRate ?? 0.02;
  const flatRate = opts.flatRate ?? 0.01;
  const f = (): Float64Array => new Float64Array(N * T).fill(NaN);
  const open = f(), high = f(), low = f(), close = f(), volume = f();
  const cents = (v: number): number => Math.round(v * 100) / 100;
  for (let a = 0; a < N; a++) {
    const start = a === 0 ? 0 : rng.int(0, maxListing);
    let prev = cents(20 + rng.float() * 200);
    const vol = 0.01 + rng.float() * 0.02;
    for (let t = start; t < T; t++) {
      const i = a * T + t;
      if (t > start && rng.chance(holeRate)) continue;
      if (rng.chance(flatRate)) {
        open[i] = high[i] = low[i] = close[i] = prev;
      } else {
        const o = cents(prev * Math.exp(0.3 * vol * rng.normal()));
        const c = cents(prev * Math.exp(vol * rng.normal()));
        open[i] = o;
        close[i] = c;
        high[i] = cents(Math.max(o, c) * (1 + Math.abs(0.5 * vol * rng.normal())));
        low[i] = cents(Math.min(o, c) * (1 - Math.abs(0.5 * vol * rng.normal())));
        prev = c;
      }
      volume[i] = rng.chance(zeroVolumeRate) ? 0 : Math.round(1e5 * Math.exp(0.5 * rng.normal()));
    }
  }
  const dates = Array.from({ length: T }, (_, t) => `D${String(t).padStart(5, '0')}`);
  const symbols = Array.from({ length: N }, (_, a) => `S${a}`);
  return { symbols, dates, N, T, open, high, low, close, volume };
}

const FIELDS: readonly PriceField[] = ['open', 'high', 'low', 'close', 'volume'];

/** The same panel cut after day k (T becomes k): what a run on day k would have seen. */
export function truncatePanel(p: Panel, k: number): Panel {
  const cut = (col: Float64Array): Float64Array => {
    const out = new Float64Array(p.N * k);
    for (let a = 0; a < p.N; a++) out.set(col.subarray(a * p.T, a * p.T + k), a * k);
    return out;
  };
  const fields = Object.fromEntries(FIELDS.map((name) => [name, cut(p[name])])) as Record<PriceField, Float64Array>;
  return { symbols: p.symbols, dates: p.dates.slice(0, k), N: p.N, T: k, ...fields };
}

/** True when both are NaN or they are the same number (exact comparison for columns). */
export function same(x: number, y: number): boolean {
  return Object.is(x, y) || (Number.isNaN(x) && Number.isNaN(y)) || x === y;
}
