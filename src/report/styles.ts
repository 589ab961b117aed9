/**
 * The report's stylesheet. System fonts only (the page must not fetch anything), tabular figures
 * in every table so columns of numbers line up, and a print layout that expands scroll boxes and
 * keeps figures and tables whole across pages.
 */
export const REPORT_CSS = String.raw`
:root {
  --ink: #0f172a; --ink-2: #334155; --muted: #64748b; --line: #e2e8f0; --paper: #ffffff; --wash: #f8fafc;
  --accent: #1d4ed8; --good: #047857; --good-bg: #ecfdf5; --bad: #b91c1c; --bad-bg: #fef2f2;
  --warn: #b45309; --warn-bg: #fffbeb;
  --mono: ui-monospace, SFMono-Regular, Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace;
  --sans: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", "Liberation Sans", sans-serif;
}
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--wash); color: var(--ink); font: 14px/1.5 var(--sans); }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
code, pre, .mono { font-family: var(--mono); font-size: 12.5px; }

header.page { background: #0f172a; color: #e2e8f0; padding: 28px 0 22px; }
header.page .inner, main, nav.toc .inner, footer .inner { max-width: 1240px; margin: 0 auto; padding: 0 28px; }
header.page h1 { margin: 0 0 6px; font-size: 26px; font-weight: 650; letter-spacing: -0.01em; color: #fff; }
header.page .meta { display: flex; flex-wrap: wrap; gap: 4px 22px; font-size: 12.5px; color: #94a3b8; }
header.page .meta b { color: #cbd5e1; font-weight: 500; }

nav.toc { position: sticky; top: 0; z-index: 10; background: rgba(255,255,255,0.96); border-bottom: 1px solid var(--line); backdrop-filter: blur(6px); }
nav.toc ol { list-style: none; display: flex; flex-wrap: wrap; gap: 2px 4px; margin: 0; padding: 8px 0; }
nav.toc a { display: inline-block; padding: 4px 10px; border-radius: 6px; color: var(--ink-2); font-weight: 500; font-size: 13px; }
nav.toc a:hover { background: #eff6ff; color: var(--accent); text-decoration: none; }

main { padding-top: 8px; padding-bottom: 40px; }
section.report { background: var(--paper); border: 1px solid var(--line); border-radius: 10px; padding: 22px 26px 26px; margin: 20px 0; scroll-margin-top: 56px; }
section.report > h2 { margin: 0 0 4px; font-size: 20px; font-weight: 650; letter-spacing: -0.01em; }
section.report > .lead { margin: 0 0 16px; color: var(--muted); }
h3 { font-size: 15px; font-weight: 620; margin: 26px 0 10px; color: var(--ink); }
h3:first-of-type { margin-top: 18px; }
h4 { font-size: 13.5px; margin: 0; font-weight: 620; }
p { margin: 8px 0; }
.note { color: var(--muted); font-size: 12.5px; margin: 6px 2px 0; }
.empty { color: var(--muted); font-style: italic; }

.kpis { display: grid; grid-template-columns: repeat(auto-fit, minmax(132px, 1fr)); gap: 10px; margin: 12px 0 6px; }
.kpi { border: 1px solid var(--line); border-left: 4px solid #cbd5e1; border-radius: 8px; padding: 9px 12px 10px; background: #fff; min-width: 0; }
.kpi-label { font-size: 11.5px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); font-weight: 600; }
.kpi-value { font-size: 21px; font-weight: 650; font-variant-numeric: tabular-nums; margin-top: 2px; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.kpi-value.long { font-size: 17px; line-height: 29px; }
.kpi-note { font-size: 12px; color: var(--muted); margin-top: 1px; }
.kpi.good { border-left-color: #10b981; } .kpi.good .kpi-value { color: var(--good); }
.kpi.bad { border-left-color: #ef4444; } .kpi.bad .kpi-value { color: var(--bad); }
.kpi.warn { border-left-color: #f59e0b; } .kpi.warn .kpi-value { color: var(--warn); }

.badge { display: inline-block; padding: 2px 9px; border-radius: 999px; font-size: 11.5px; font-weight: 700; letter-spacing: 0.05em; vertical-align: middle; border: 1px solid transparent; }
.badge.good { background: var(--good-bg); color: var(--good); border-color: #a7f3d0; }
.badge.bad { background: var(--bad-bg); color: var(--bad); border-color: #fecaca; }
.badge.warn { background: var(--warn-bg); color: var(--warn); border-color: #fde68a; }
.badge.neutral { background: #f1f5f9; color: var(--ink-2); border-color: var(--line); }
.badges { display: flex; flex-wrap: wrap; gap: 6px; align-items: center; margin: 4px 0 10px; }

.verdict { border-radius: 10px; padding: 14px 18px; margin: 12px 0 16px; border: 1px solid; }
.verdict.good { background: var(--good-bg); border-color: #a7f3d0; }
.verdict.bad { background: var(--bad-bg); border-color: #fecaca; }
.verdict .verdict-title { font-size: 16px; font-weight: 700; }
.verdict.good .verdict-title { color: var(--good); }
.verdict.bad .verdict-title { color: var(--bad); }
.verdict ul { margin: 6px 0 0; padding-left: 20px; }
.verdict li { margin: 2px 0; }

.callout { border: 1px solid #fecaca; background: var(--bad-bg); color: #7f1d1d; border-radius: 8px; padding: 10px 14px; margin: 10px 0; }
.callout.warn { border-color: #fde68a; background: var(--warn-bg); color: #78350f; }

.grid { display: grid; gap: 18px; margin: 12px 0; }
.grid.cols-2 { grid-template-columns: repeat(2, minmax(0, 1fr)); }
.grid.cols-3 { grid-template-columns: repeat(3, minmax(0, 1fr)); }
.grid > .wide { grid-column: 1 / -1; }
@media (max-width: 900px) { .grid.cols-2, .grid.cols-3 { grid-template-columns: minmax(0, 1fr); } }

figure.chart { margin: 14px 0; min-width: 0; }
.grid figure.chart { margin: 0; }
figure.chart figcaption { display: flex; justify-content: space-between; align-items: baseline; gap: 12px; margin-bottom: 4px; }
.chart-title { font-weight: 620; font-size: 13.5px; }
.toggle { font-size: 12.5px; color: var(--ink-2); cursor: pointer; user-select: none; white-space: nowrap; }
.toggle input { vertical-align: -2px; margin-right: 4px; }
.chart-canvas { width: 100%; min-width: 0; }
.chart-error { color: var(--bad); padding: 20px; border: 1px dashed #fecaca; }
.uplot { font-family: var(--sans); }
.uplot .u-legend { font-size: 12px; text-align: left; margin: 4px 0 0 54px; }
.uplot .u-legend .u-series { padding: 1px 6px; }
.uplot .u-legend .u-series th { font-weight: 500; color: var(--ink-2); }
.uplot .u-legend .u-value { font-variant-numeric: tabular-nums; color: var(--ink); }
/* Values only while the cursor is on the chart: at rest the legend is a key, not a row of dashes. */
.uplot:not(:hover) .u-legend .u-value, .uplot:not(:hover) .u-legend .u-series:first-child { display: none; }
.uplot:not(:hover) .u-inline.u-live th::after { content: none; }

.table-wrap { overflow-x: auto; }
.table-wrap + .table-wrap, .table-wrap + .scroll, .note + .scroll, .note + .table-wrap { margin-top: 12px; }
.scroll { max-height: 420px; overflow: auto; border: 1px solid var(--line); border-radius: 8px; }
.scroll table.data { border: 0; }
.scroll thead th { position: sticky; top: 0; z-index: 1; }
table.data { border-collapse: collapse; width: 100%; font-size: 13px; }
table.data th, table.data td { padding: 6px 10px; border-bottom: 1px solid var(--line); text-align: left; vertical-align: top; }
table.data thead th { background: #f1f5f9; color: var(--ink-2); font-weight: 600; font-size: 12px; white-space: nowrap; border-bottom: 1px solid #cbd5e1; }
table.data tbody tr:nth-child(even) > * { background: #fafbfd; }
table.data tbody tr:hover > * { background: #eff6ff; }
table.data tbody th { text-align: left; font-weight: 500; color: var(--ink-2); white-space: nowrap; }
table.data .num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.data td.good, table.data td.pos { color: var(--good); }
table.data td.bad, table.data td.neg { color: var(--bad); }
table.data td.warn { color: var(--warn); }
table.data td code { white-space: pre-wrap; word-break: break-word; }
table.compact { width: auto; min-width: 320px; }

table.heat { border-collapse: separate; border-spacing: 2px; font-size: 12px; font-variant-numeric: tabular-nums; width: 100%; }
table.heat th { font-weight: 600; color: var(--muted); padding: 4px 6px; text-align: center; font-size: 11.5px; }
table.heat th.year { text-align: right; color: var(--ink-2); }
table.heat td { text-align: center; padding: 5px 4px; border-radius: 3px; min-width: 48px; color: #0f172a; }
table.heat td.total { font-weight: 700; border-left: 2px solid #fff; }
table.heat td.bench { color: var(--muted); background: #f8fafc; }
table.heat td.none { color: #cbd5e1; }

.rule { border: 1px solid var(--line); border-radius: 10px; margin: 14px 0; overflow: hidden; break-inside: avoid; }
.rule-head { display: flex; flex-wrap: wrap; gap: 6px 14px; align-items: baseline; padding: 10px 14px; background: #f8fafc; border-bottom: 1px solid var(--line); }
.rule-head .rank { font-weight: 750; color: var(--accent); font-size: 15px; }
.rule-head .meta { color: var(--muted); font-size: 12.5px; }
.rule > pre { margin: 0; padding: 14px 18px; background: #fbfcfe; color: var(--ink); border-bottom: 1px solid var(--line); overflow: auto; line-height: 1.6; font-size: 13px; white-space: pre; tab-size: 2; max-height: 420px; }
.rule > pre .fn { color: #1d4ed8; font-weight: 600; }
.rule > pre .num { color: #b45309; }
.rule > pre .field { color: #047857; }
.rule > .metrics table.data { font-size: 12.5px; }
.rule > .metrics table.data th, .rule > .metrics table.data td { padding: 5px 10px; }
.rule > .metrics table.data tbody tr:last-child th, .rule > .metrics table.data tbody tr:last-child td { border-bottom: 0; }

.bar-cell { min-width: 140px; }
.bar { position: relative; height: 12px; background: #f1f5f9; border-radius: 3px; overflow: hidden; }
.bar > span { position: absolute; top: 0; bottom: 0; border-radius: 3px; }
.bar.pair { height: 16px; }
.bar.pair > span.now { top: 0; bottom: 8px; background: #1d4ed8; }
.bar.pair > span.target { top: 8px; bottom: 0; background: #a5b4fc; }
.bar > span.fill { left: 0; background: #6366f1; }
.legend-inline { display: inline-flex; align-items: center; gap: 4px; margin-right: 12px; font-size: 12px; color: var(--muted); }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; }

.oneline { font-family: var(--mono); font-size: 12px; color: var(--ink-2); }
.summary-rule { font-family: var(--mono); font-size: 12.5px; background: #f1f5f9; border-radius: 6px; padding: 8px 10px; overflow-wrap: anywhere; margin: 6px 0 0; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 14px; margin: 8px 0; font-size: 13px; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }

footer { color: var(--muted); font-size: 12px; padding: 10px 0 30px; }

@media print {
  @page { size: A4; margin: 14mm 12mm; }
  body { background: #fff; font-size: 11.5px; }
  header.page { background: #fff; color: var(--ink); padding: 0 0 8px; border-bottom: 2px solid var(--ink); }
  header.page h1 { color: var(--ink); }
  header.page .meta, header.page .meta b { color: var(--ink-2); }
  header.page .inner, main, footer .inner { max-width: none; padding: 0; }
  nav.toc, .toggle { display: none; }
  section.report { border: 0; padding: 0; margin: 18px 0; break-before: page; }
  section.report:first-of-type { break-before: auto; }
  figure.chart, .kpis, .verdict, table.heat, .rule, tr { break-inside: avoid; }
  .scroll { max-height: none; overflow: visible; border: 0; }
  .kpis { grid-template-columns: repeat(auto-fit, minmax(105px, 1fr)); gap: 6px; }
  .kpi { padding: 6px 9px; }
  .kpi-value { font-size: 16px; line-height: 22px; }
  .kpi-value.long { font-size: 13px; line-height: 22px; }
  .uplot .u-legend .u-value, .uplot .u-legend .u-series:first-child { display: none; }
  .uplot .u-inline.u-live th::after { content: none; }
  /* Fallback when a printer does not fire 'beforeprint': scale the canvas down rather than clip it. */
  .uplot, .uplot .u-wrap { max-width: 100%; }
  .uplot canvas { max-width: 100%; height: auto !important; }
  .uplot .u-over, .uplot .u-cursor-x, .uplot .u-cursor-y { display: none; }
  .rule > pre { white-space: pre-wrap; max-height: none; }
  * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
