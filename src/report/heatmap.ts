/**
 * The monthly-returns heat map: a plain HTML table (years × months + the year), each cell tinted
 * green or red by its return. A table rather than a canvas: it prints crisply, copies into a
 * spreadsheet and is readable by a screen reader.
 */
import { fmt } from './format.js';
import { html, type SafeHtml } from './html.js';
import type { IsoDate } from './model.js';
import { monthlyTable, yearlyReturns } from './monthly.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Tint of a return cell. The intensity saturates at `scale` so one crash month does not wash out
 * every other cell.
 */
function tint(value: number | null, scale: number): string {
  if (value === null || !Number.isFinite(value) || value === 0) return '';
  const alpha = Math.min(1, Math.abs(value) / scale) * 0.8 + 0.06;
  const rgb = value > 0 ? '16,185,129' : '239,68,68';
  return `background:rgba(${rgb},${alpha.toFixed(3)})`;
}

/** 90th percentile of |values|, at least `floor`, the saturation point of the colour scale. */
function saturation(values: (number | null)[], floor: number): number {
  const abs = values.filter((v): v is number => v !== null && Number.isFinite(v)).map(Math.abs).sort((a, b) => a - b);
  if (abs.length === 0) return floor;
  return Math.max(floor, abs[Math.floor((abs.length - 1) * 0.9)]);
}

/**
 * Renders the heat map of an equity curve, with the benchmark's yearly return alongside when given.
 *
 * @throws RangeError from monthly.ts when dates and equity do not pair up.
 */
export function monthlyHeatmap(dates: readonly IsoDate[], equity: readonly number[], benchmark: { name: string; equity: readonly number[] } | null): SafeHtml {
  const rows = monthlyTable(dates, equity);
  if (rows.length === 0) return html`<p class="empty">No returns to show.</p>`;
  const benchYears = benchmark ? new Map(yearlyReturns(dates, benchmark.equity).map((y) => [y.year, y.value])) : null;
  const monthScale = saturation(rows.flatMap((r) => r.months), 0.02);
  const yearScale = saturation(rows.map((r) => r.total), 0.1);
  const cell = (v: number | null, scale: number, cls = ''): SafeHtml =>
    v === null
      ? html`<td class="none ${cls}">·</td>`
      : html`<td class="${cls}" style="${tint(v, scale)}" title="${fmt(v, 'pct')}">${(v * 100).toFixed(1)}</td>`;
  const benchCell = (v: number | null): SafeHtml => html`<td class="bench">${v === null ? '·' : (v * 100).toFixed(1)}</td>`;
  return html`<div class="table-wrap"><table class="heat" data-testid="monthly-heatmap">
  <thead><tr><th></th>${MONTHS.map((m) => html`<th>${m}</th>`)}<th>Year</th>${benchYears ? html`<th title="${benchmark!.name}">${benchmark!.name}</th>` : ''}</tr></thead>
  <tbody>${rows.map(
    (r) => html`<tr><th class="year">${r.year}</th>${r.months.map((v) => cell(v, monthScale))}${cell(r.total, yearScale, 'total')}${
      benchYears ? benchCell(benchYears.get(r.year) ?? null) : ''
    }</tr>`,
  )}</tbody>
</table></div>
<p class="note">Monthly returns in %, from month-end to month-end; the first and last months may be partial.${benchYears ? ' The last column is the benchmark over the same year.' : ''}</p>`;
}
