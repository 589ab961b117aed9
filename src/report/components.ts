/**
 * Small building blocks shared by the sections: tables, key figures, badges, chart frames. They
 * return {@link SafeHtml} built with the escaping {@link html} tag, so callers pass plain text.
 */
import type { ChartSpec } from './charts.js';
import type { SafeHtml, HtmlValue } from './html.js';
import { html } from './html.js';

/** A rendered section of the page, with the charts its markup refers to. */
export interface Section {
  /** Anchor id, also the table-of-contents target. */
  id: string;
  title: string;
  body: SafeHtml;
  charts: ChartSpec[];
}

/** Good / bad / neutral colouring of a figure. */
export type Tone = 'good' | 'bad' | 'warn' | 'neutral';

/** Class of a table cell: a tone, or the colour of a signed return. */
export type CellTone = Tone | 'pos' | 'neg';

/** One column of {@link dataTable}. */
export interface Column<T> {
  label: string;
  cell: (row: T, index: number) => HtmlValue;
  /** Right-aligned, tabular figures. */
  num?: boolean;
  /** Extra class of a body cell (e.g. a tone). */
  tone?: (row: T) => CellTone | null;
  /** Tooltip of the header, to explain an abbreviation. */
  title?: string;
}

/** Options of {@link dataTable}. */
export interface TableOptions {
  /** Scroll inside a box of limited height, with a sticky header (long lists). */
  scroll?: boolean;
  /** Extra class on the table. */
  className?: string;
  /** Shown instead of an empty table. */
  empty?: string;
  /** data-testid for tests. */
  testId?: string;
}

/** A table of rows. */
export function dataTable<T>(columns: Column<T>[], rows: readonly T[], options: TableOptions = {}): SafeHtml {
  if (rows.length === 0) return html`<p class="empty">${options.empty ?? 'None.'}</p>`;
  const head = columns.map((c) => html`<th${c.num ? html` class="num"` : ''}${c.title ? html` title="${c.title}"` : ''}>${c.label}</th>`);
  const body = rows.map(
    (row, i) =>
      html`<tr>${columns.map((c) => {
        const classes = [c.num ? 'num' : '', c.tone?.(row) ?? ''].filter(Boolean).join(' ');
        return html`<td${classes ? html` class="${classes}"` : ''}>${c.cell(row, i)}</td>`;
      })}</tr>`,
  );
  const table = html`<table class="data ${options.className ?? ''}"${options.testId ? html` data-testid="${options.testId}"` : ''}><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
  return options.scroll ? html`<div class="scroll">${table}</div>` : html`<div class="table-wrap">${table}</div>`;
}

/** A key figure: a large number with a label and an optional note under it. */
export function kpi(label: string, value: string, tone: Tone = 'neutral', note?: HtmlValue): SafeHtml {
  // Long values (dates, statuses) get a smaller size instead of wrapping mid-word.
  const size = value.length > 8 ? ' long' : '';
  return html`<div class="kpi ${tone}"><div class="kpi-label">${label}</div><div class="kpi-value${size}" title="${value}">${value}</div>${note ? html`<div class="kpi-note">${note}</div>` : ''}</div>`;
}

/** A row of key figures. */
export function kpis(items: SafeHtml[]): SafeHtml {
  return html`<div class="kpis">${items}</div>`;
}

/** A coloured pill, e.g. PASS, FAIL, FORCED, PAPER. */
export function badge(text: string, tone: Tone): SafeHtml {
  return html`<span class="badge ${tone}">${text}</span>`;
}

/** Options of {@link chartFrame}. */
export interface ChartFrameOptions {
  title: string;
  /** A sentence under the chart saying how to read it. */
  note?: HtmlValue;
  /** Make the figure span the whole grid width. */
  wide?: boolean;
}

/**
 * The frame of one chart: a title, the container the page script draws into, and a note. When the
 * spec offers a log scale, the switch sits in the title bar.
 */
export function chartFrame(spec: ChartSpec, options: ChartFrameOptions): SafeHtml {
  const toggle = spec.y.logToggle
    ? html`<label class="toggle"><input type="checkbox" data-log-for="${spec.id}"> log scale</label>`
    : '';
  return html`<figure class="chart${options.wide ? ' wide' : ''}">
  <figcaption><span class="chart-title">${options.title}</span>${toggle}</figcaption>
  <div class="chart-canvas" id="${spec.id}" data-chart="${spec.id}" style="min-height:${spec.height + 32}px"></div>
  ${options.note ? html`<p class="note">${options.note}</p>` : ''}
</figure>`;
}

/** A grid of figures (two columns on a laptop, one on a phone or on paper). */
export function grid(items: HtmlValue[], columns: 2 | 3 = 2): SafeHtml {
  return html`<div class="grid cols-${columns}">${items}</div>`;
}

/** A sub-heading inside a section. */
export function subheading(text: string, id?: string): SafeHtml {
  return html`<h3${id ? html` id="${id}"` : ''}>${text}</h3>`;
}

/** Tone of a value against "good above / bad below" thresholds (larger is better). */
export function toneAbove(value: number | null, good: number, bad: number): Tone {
  if (value === null || !Number.isFinite(value)) return 'neutral';
  if (value >= good) return 'good';
  if (value < bad) return 'bad';
  return 'warn';
}

/** Tone of a value against "good below / bad above" thresholds (smaller is better). */
export function toneBelow(value: number | null, good: number, bad: number): Tone {
  if (value === null || !Number.isFinite(value)) return 'neutral';
  if (value <= good) return 'good';
  if (value > bad) return 'bad';
  return 'warn';
}

/** Tone of a signed return: green up, red down. */
export function toneSign(value: number | null): CellTone | null {
  if (value === null || !Number.isFinite(value) || value === 0) return null;
  return value > 0 ? 'pos' : 'neg';
}
