import { createHash } from 'node:crypto';
import { InputError } from '../domain/errors.js';
import type { Bar, Panel } from '../domain/types.js';
import type { MarketStore } from '../store/marketStore.js';

/** Trading days of history loaded before a window so indicators are warm on its first day. */
export const WARMUP_DAYS = 300;

export interface PanelWindow {
  /** First day to trade (inclusive), or null for the first stored day. */
  from: string | null;
  /** Last day (inclusive), or null for the last stored day. */
  to: string | null;
  /**
   * Trading days of history kept before `from` so indicators are warm on the first traded day
   * (history is the past: reading it is not lookahead).
   */
  warmup: number;
  /** Use memory that worker threads can share (SharedArrayBuffer). */
  shared?: boolean;
}

export interface LoadedPanel {
  panel: Panel;
  /** Index of the first day at or after `from` on the panel's calendar. */
  startIndex: number;
  /** A hash of the data (symbols, dates, prices), recorded with runs for reproducibility. */
  dataHash: string;
}

/**
 * Build a panel from stored bars: total-return adjusted prices (open, high and low scaled by
 * adj_close / close, close = adj_close) on the union calendar of the symbols.
 */
export function loadPanel(store: MarketStore, symbols: readonly string[], window: PanelWindow): LoadedPanel {
  if (symbols.length === 0) throw new InputError('no symbols given');
  const series = new Map<string, Bar[]>();
  for (const s of symbols) {
    const bars = store.bars(s, null, window.to);
    if (bars.length === 0) throw new InputError(`${s}: no bars stored${window.to ? ` up to ${window.to}` : ''}; run: aegis ingest ${s}`);
    series.set(s, bars);
  }
  return buildPanel(symbols, series, window);
}

/** The pure part of loadPanel: bars per symbol -> panel. */
export function buildPanel(symbols: readonly string[], series: ReadonlyMap<string, readonly Bar[]>, window: PanelWindow): LoadedPanel {
  const all = new Set<string>();
  for (const s of symbols) for (const b of series.get(s) ?? []) all.add(b.date);
  let dates = [...all].sort();
  if (window.to) dates = dates.filter((d) => d <= window.to!);
  let startIndex = window.from ? dates.findIndex((d) => d >= window.from!) : 0;
  if (startIndex < 0) throw new InputError(`no stored bars on or after ${window.from}`);
  const first = Math.max(0, startIndex - window.warmup);
  dates = dates.slice(first);
  startIndex -= first;

  const N = symbols.length;
  const T = dates.length;
  const alloc = () => (window.shared ? new Float64Array(new SharedArrayBuffer(N * T * 8)) : new Float64Array(N * T)).fill(Number.NaN);
  const open = alloc();
  const high = alloc();
  const low = alloc();
  const close = alloc();
  const volume = alloc();
  const index = new Map(dates.map((d, i) => [d, i]));
  const hash = createHash('sha256');
  symbols.forEach((s, a) => {
    hash.update(s);
    for (const b of series.get(s) ?? []) {
      const t = index.get(b.date);
      if (t === undefined) continue;
      const f = b.close > 0 ? b.adjClose / b.close : 1;
      const i = a * T + t;
      open[i] = b.open * f;
      high[i] = b.high * f;
      low[i] = b.low * f;
      close[i] = b.adjClose;
      volume[i] = b.volume;
    }
  });
  hash.update(dates[0] ?? '').update(dates[T - 1] ?? '');
  for (const arr of [open, high, low, close, volume]) hash.update(new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
  return { panel: { symbols: [...symbols], dates, N, T, open, high, low, close, volume }, startIndex, dataHash: hash.digest('hex').slice(0, 16) };
}
