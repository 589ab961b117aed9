/** One trading day of one symbol. `date` is the exchange date, YYYY-MM-DD. */
export interface Bar {
  date: string;
  open: number;
  high: number;
  low: number;
  close: number;
  adjClose: number;
  volume: number;
}

export interface CorporateAction {
  date: string;
  kind: 'split' | 'dividend';
  /** split: new shares per old share (4 for a 4:1 split); dividend: cash per share. */
  value: number;
}

/**
 * Prices of a universe on one master calendar, laid out for vectorised evaluation: every field is
 * one Float64Array of length N*T, asset-major (the value of asset a on day t is at a*T + t), NaN
 * where the asset has no bar that day (not yet listed, or a hole). `dates` is the union of the
 * assets' trading days, ascending.
 */
export interface Panel {
  readonly symbols: readonly string[];
  readonly dates: readonly string[];
  readonly N: number;
  readonly T: number;
  readonly open: Float64Array;
  readonly high: Float64Array;
  readonly low: Float64Array;
  readonly close: Float64Array;
  readonly volume: Float64Array;
}

export type PriceField = 'open' | 'high' | 'low' | 'close' | 'volume';
