/**
 * Data: what is stored (symbols and date ranges) and what the quality checks found. Rejected rows
 * never became bars; flagged ones did and deserve a look before trusting a backtest on them.
 */
import type { DataFinding, DataSection } from '../model.js';
import { badge, dataTable, kpi, kpis, subheading, type Section } from '../components.js';
import { fmt } from '../format.js';
import { html } from '../html.js';

/** Findings listed in the page; the rest are counted in the summary table. */
export const MAX_FINDINGS_SHOWN = 1000;

interface KindCount {
  kind: string;
  severity: DataFinding['severity'];
  count: number;
  symbols: number;
}

function countByKind(findings: DataFinding[]): KindCount[] {
  const groups = new Map<string, { kind: string; severity: DataFinding['severity']; count: number; symbols: Set<string> }>();
  for (const f of findings) {
    const key = `${f.severity}\u0000${f.kind}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { kind: f.kind, severity: f.severity, count: 0, symbols: new Set() }));
    g.count++;
    g.symbols.add(f.symbol);
  }
  return [...groups.values()]
    .map((g) => ({ kind: g.kind, severity: g.severity, count: g.count, symbols: g.symbols.size }))
    .sort((a, b) => (a.severity === b.severity ? b.count - a.count : a.severity === 'rejected' ? -1 : 1));
}

/** The Data section, or null when nothing was ingested. */
export function dataSection(data: DataSection | null): Section | null {
  if (!data) return null;
  const firsts = data.symbols.map((s) => s.first).filter((d): d is string => d !== null).sort();
  const lasts = data.symbols.map((s) => s.last).filter((d): d is string => d !== null).sort();
  const rows = data.symbols.reduce((sum, s) => sum + s.rows, 0);
  const rejected = data.findings.filter((f) => f.severity === 'rejected').length;
  const flagged = data.findings.length - rejected;
  // Rejected first: they are the ones that changed what is stored.
  const shown = [...data.findings]
    .sort((a, b) => (a.severity === b.severity ? a.symbol.localeCompare(b.symbol) || a.date.localeCompare(b.date) : a.severity === 'rejected' ? -1 : 1))
    .slice(0, MAX_FINDINGS_SHOWN);

  const body = html`
<p class="lead">Daily bars stored in the database and the findings of the data-quality checks.</p>
${kpis([
  kpi('Symbols', fmt(data.symbols.length, 'int')),
  kpi('Bars', fmt(rows, 'int')),
  kpi('First date', firsts[0] ?? '—'),
  kpi('Last date', lasts[lasts.length - 1] ?? '—'),
  kpi('Rejected rows', fmt(rejected, 'int'), rejected > 0 ? 'bad' : 'good', 'quarantined, never stored'),
  kpi('Flagged rows', fmt(flagged, 'int'), flagged > 0 ? 'warn' : 'good', 'stored, worth a look'),
])}
${subheading('Symbols')}
${dataTable(
  [
    { label: 'Symbol', cell: (s) => html`<b>${s.symbol}</b>` },
    { label: 'First', cell: (s) => s.first ?? '—' },
    { label: 'Last', cell: (s) => s.last ?? '—' },
    { label: 'Bars', cell: (s) => fmt(s.rows, 'int'), num: true },
    { label: 'Findings', cell: (s) => fmt(s.issues, 'int'), num: true, tone: (s) => (s.issues > 0 ? 'warn' : null) },
  ],
  data.symbols,
  { scroll: data.symbols.length > 25, empty: 'No symbols stored.', testId: 'symbols' },
)}
${subheading('Data-quality findings')}
${countByKind(data.findings).length > 0
  ? dataTable(
      [
        { label: 'Check', cell: (k) => k.kind },
        { label: 'Severity', cell: (k) => badge(k.severity, k.severity === 'rejected' ? 'bad' : 'warn') },
        { label: 'Rows', cell: (k) => fmt(k.count, 'int'), num: true },
        { label: 'Symbols', cell: (k) => fmt(k.symbols, 'int'), num: true },
      ],
      countByKind(data.findings),
      { className: 'compact' },
    )
  : ''}
${data.findings.length > 0
  ? html`<p class="note">${data.findings.length > shown.length ? `Showing ${fmt(shown.length, 'int')} of ${fmt(data.findings.length, 'int')} findings` : 'Every finding'}, rejected first.</p>`
  : ''}
${dataTable(
  [
    { label: 'Symbol', cell: (f) => f.symbol },
    { label: 'Date', cell: (f) => f.date },
    { label: 'Check', cell: (f) => f.kind },
    { label: 'Severity', cell: (f) => badge(f.severity, f.severity === 'rejected' ? 'bad' : 'warn') },
    { label: 'Detail', cell: (f) => f.detail },
  ],
  shown,
  { scroll: true, empty: 'The quality checks found nothing.', testId: 'findings' },
)}`;
  return { id: 'data', title: 'Data', body, charts: [] };
}
