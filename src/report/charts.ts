/**
 * The chart contract between the renderer (Node) and the page script (browser): plain JSON chart
 * specifications. The renderer decides everything a researcher reads — which series, colours,
 * formats, reference lines — and the page script (client.ts) only maps a spec onto uPlot, so the
 * interesting logic stays in typed, testable TypeScript.
 */
import type { IsoDate } from './model.js';

/** How axis ticks and legend values are written in the page. */
export type ValueFormat = 'pct' | 'ratio' | 'num' | 'int' | 'equity';

/** How a series is drawn. */
export type SeriesStyle = 'line' | 'area' | 'bars' | 'dashed' | 'dotted' | 'points';

/** One series of a chart. */
export interface ChartSeries {
  label: string;
  /** One value per x value; null leaves a gap. */
  values: (number | null)[];
  /** CSS colour. */
  color: string;
  style: SeriesStyle;
  /** Line width in CSS pixels; default 1.5. */
  width?: number;
  /** Bars only: drawn left of (−1), centred on (0) or right of (1) the x value, for grouped bars. */
  align?: -1 | 0 | 1;
}

/** A shaded x range with a label, e.g. a walk-forward test window. */
export interface ChartBand {
  from: number;
  to: number;
  label: string;
}

/** A reference line, e.g. y = 0 or "median". */
export interface ChartRule {
  axis: 'x' | 'y';
  value: number;
  label?: string;
}

/** Everything the page needs to draw one chart. */
export interface ChartSpec {
  /** DOM id of the container (unique in the page). */
  id: string;
  x: {
    /** time: values are Unix seconds (UTC midnight); number: numeric; category: 0..n−1 indexes into labels. */
    kind: 'time' | 'number' | 'category';
    values: number[];
    /** Category labels (ticks and legend), for kind 'category'. */
    labels?: string[];
    /** Explicit tick positions (x values); default: chosen by the chart library. */
    ticks?: number[];
    /** Legend text per x index when it should say more than the tick (e.g. "EM 2 · generation 14"). */
    legendLabels?: string[];
    label?: string;
    format?: ValueFormat;
  };
  y: {
    label: string;
    format: ValueFormat;
    /** Offer a linear / log-scale switch (values must be positive). */
    logToggle?: boolean;
    /** Keep 0 inside the y range (bars, returns). */
    includeZero?: boolean;
    min?: number;
    max?: number;
  };
  series: ChartSeries[];
  /** Draw the series stacked (bars): each on top of the previous. */
  stacked?: boolean;
  /** Plot height in CSS pixels. */
  height: number;
  bands?: ChartBand[];
  rules?: ChartRule[];
  /** Connect lines across null values (default true); false breaks them, e.g. between EM iterations. */
  spanGaps?: boolean;
  /** Charts with the same key share the cursor (e.g. equity and drawdown). */
  sync?: string;
}

/** Unix seconds of a `YYYY-MM-DD` date at UTC midnight (the page formats ticks in UTC too). */
export function toUnixSeconds(date: IsoDate): number {
  const ms = Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10)));
  if (!Number.isFinite(ms)) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  return ms / 1000;
}

/**
 * The palette: colour-blind-friendly hues dark enough for white paper. Series colours are picked by
 * index, so the same sleeve or species keeps its colour across charts.
 */
export const PALETTE = ['#2563eb', '#db2777', '#059669', '#d97706', '#7c3aed', '#0891b2', '#dc2626', '#65a30d', '#c026d3', '#0d9488'];

/** Fixed roles that recur across sections. */
export const COLORS = {
  strategy: '#1d4ed8',
  benchmark: '#ea580c',
  train: '#2563eb',
  validation: '#059669',
  oos: '#059669',
  is: '#93c5fd',
  drawdown: '#dc2626',
  expected: '#7c3aed',
  realised: '#1d4ed8',
  histogram: '#6366f1',
} as const;

/** Colour of the i-th member of a group (species, sleeve), cycling through the palette. */
export function paletteColor(i: number): string {
  return PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length];
}
