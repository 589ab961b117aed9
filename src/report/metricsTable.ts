/**
 * A side-by-side metrics table (train vs validation, strategy vs benchmark, in-sample vs
 * out-of-sample): one row per metric, one column per set, core metrics first.
 */
import type { Metrics } from './model.js';
import { fmtMetric, metricInfo, metricKeys } from './format.js';
import { html, type SafeHtml } from './html.js';

/** One column of the table. */
export interface MetricsColumn {
  label: string;
  metrics: Metrics | null;
}

/** Options of {@link metricsTable}. */
export interface MetricsTableOptions {
  /** Colour the last column against the first (see below). */
  compareLast?: boolean;
  /** 'rows' (default): one row per metric. 'columns': one column per metric, one row per set — compact for two sets. */
  layout?: 'rows' | 'columns';
  testId?: string;
}

/**
 * Tone of `value` (in the last set) against `base` (in the first) where the metric has a
 * direction: green when it improved, red when it lost more than half (a validation Sharpe of 0.4
 * after 1.5 in train) — the quick read of "did it hold up out of sample". Some decay out of
 * sample is normal and stays uncoloured.
 */
function tone(key: string, value: number | undefined, base: number | undefined): string {
  const { better } = metricInfo(key);
  if (better === 0 || value === undefined || base === undefined || !Number.isFinite(value) || !Number.isFinite(base)) return '';
  const change = better * (value - base);
  if (change > 0) return ' good';
  if (change < 0 && Math.abs(value - base) > 0.5 * Math.abs(base)) return ' bad';
  return '';
}

/** Renders the table. */
export function metricsTable(columns: MetricsColumn[], options: MetricsTableOptions = {}): SafeHtml {
  const keys = metricKeys(...columns.map((c) => c.metrics));
  const first = columns[0]?.metrics ?? null;
  const toneOf = (key: string, setIndex: number): string =>
    options.compareLast && setIndex === columns.length - 1 && setIndex > 0 && first ? tone(key, columns[setIndex].metrics?.[key], first[key]) : '';
  const testId = options.testId ? html` data-testid="${options.testId}"` : '';

  if (options.layout === 'columns') {
    const rows = columns.map(
      (c, i) => html`<tr><th scope="row">${c.label}</th>${keys.map((key) => html`<td class="num${toneOf(key, i)}">${fmtMetric(key, c.metrics?.[key])}</td>`)}</tr>`,
    );
    return html`<div class="table-wrap"><table class="data metrics"${testId}><thead><tr><th></th>${keys.map((k) => html`<th class="num">${metricInfo(k).label}</th>`)}</tr></thead><tbody>${rows}</tbody></table></div>`;
  }
  const rows = keys.map(
    (key) => html`<tr><th scope="row">${metricInfo(key).label}</th>${columns.map((c, i) => html`<td class="num${toneOf(key, i)}">${fmtMetric(key, c.metrics?.[key])}</td>`)}</tr>`,
  );
  return html`<table class="data compact metrics"${testId}><thead><tr><th>Metric</th>${columns.map((c) => html`<th class="num">${c.label}</th>`)}</tr></thead><tbody>${rows}</tbody></table>`;
}
