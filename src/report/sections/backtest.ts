/**
 * Backtest: how good the strategy really is. The gate verdict and the statistics that count every
 * trial (PSR, DSR, PBO) come first; then the equity curve against the benchmark, the drawdowns,
 * the calendar, the walk-forward folds, stress windows and the trades.
 */
import type { BacktestReport, Trade } from '../model.js';
import { COLORS, toUnixSeconds, type ChartSpec } from '../charts.js';
import { chartFrame, dataTable, grid, kpi, kpis, subheading, toneAbove, toneBelow, toneSign, type Section, type Tone } from '../components.js';
import { fmt } from '../format.js';
import { monthlyHeatmap } from '../heatmap.js';
import { html, type SafeHtml } from '../html.js';
import { metricsTable } from '../metricsTable.js';
import { drawdownCurve } from '../monthly.js';
import { PBO_BAD, PBO_GOOD, PROB_BAD, PROB_GOOD, WFE_BAD, WFE_GOOD } from '../thresholds.js';

/** Trades listed in the page; the rest are counted. */
export const MAX_TRADES_SHOWN = 500;


function rebase(equity: readonly number[]): number[] {
  const base = equity.find((v) => Number.isFinite(v) && v > 0) ?? 1;
  return equity.map((v) => v / base);
}

function checkLengths(bt: BacktestReport): void {
  if (bt.equity.length !== bt.dates.length) {
    throw new RangeError(`backtest ${bt.backtestId}: ${bt.dates.length} dates but ${bt.equity.length} equity values`);
  }
  if (bt.benchmark && bt.benchmark.equity.length !== bt.dates.length) {
    throw new RangeError(`backtest ${bt.backtestId}: ${bt.dates.length} dates but ${bt.benchmark.equity.length} benchmark values`);
  }
}

function verdict(bt: BacktestReport): SafeHtml {
  const tone: Tone = bt.gate.passed ? 'good' : 'bad';
  return html`<div class="verdict ${tone}" data-testid="gate-verdict" data-passed="${String(bt.gate.passed)}">
  <div class="verdict-title">${bt.gate.passed ? '✔ Passed the promotion gate' : '✘ Failed the promotion gate'}</div>
  ${bt.gate.reasons.length > 0 ? html`<ul>${bt.gate.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''}
</div>`;
}

function headline(bt: BacktestReport): SafeHtml {
  const b = bt.benchmarkMetrics;
  const vs = (v: number | undefined, kind: 'ratio' | 'pct'): string | undefined => (b && v !== undefined ? `benchmark ${fmt(v, kind)}` : undefined);
  const sharpeTone: Tone = bt.oos.sharpe <= 0 ? 'bad' : b && bt.oos.sharpe < b.sharpe ? 'warn' : 'good';
  const ddTone: Tone = b ? (bt.oos.maxDrawdown <= b.maxDrawdown ? 'good' : 'warn') : 'neutral';
  return kpis([
    kpi('OOS Sharpe', fmt(bt.oos.sharpe, 'ratio'), sharpeTone, vs(b?.sharpe, 'ratio')),
    kpi('OOS CAGR', fmt(bt.oos.cagr, 'pct'), bt.oos.cagr > 0 ? 'neutral' : 'bad', vs(b?.cagr, 'pct')),
    kpi('Max drawdown', fmt(bt.oos.maxDrawdown, 'pct'), ddTone, vs(b?.maxDrawdown, 'pct')),
    kpi('PSR', fmt(bt.psr, 'prob'), toneAbove(bt.psr, PROB_GOOD, PROB_BAD), 'P(Sharpe > 0)'),
    kpi('DSR', fmt(bt.dsr, 'prob'), toneAbove(bt.dsr, PROB_GOOD, PROB_BAD), `deflated for ${fmt(bt.trials, 'int')} trials`),
    kpi('PBO', fmt(bt.pbo, 'prob'), toneBelow(bt.pbo, PBO_GOOD, PBO_BAD), bt.pbo === null ? 'not computed' : 'P(overfit)'),
    kpi('WF efficiency', fmt(bt.walkForwardEfficiency, 'ratio'), toneAbove(bt.walkForwardEfficiency, WFE_GOOD, WFE_BAD), 'OOS / IS return'),
    kpi('Look-ahead check', bt.lookahead ? (bt.lookahead.passed ? 'passed' : 'FAILED') : 'not run', bt.lookahead ? (bt.lookahead.passed ? 'good' : 'bad') : 'neutral'),
  ]);
}

function equityChart(bt: BacktestReport, x: number[]): ChartSpec {
  const bands =
    bt.kind === 'walk-forward'
      ? bt.folds.map((f, i) => ({ from: toUnixSeconds(f.test.from), to: toUnixSeconds(f.test.to), label: `fold ${i + 1}` }))
      : [];
  return {
    id: 'bt-equity',
    x: { kind: 'time', values: x },
    y: { label: 'growth of 1', format: 'equity', logToggle: true },
    series: [
      { label: 'strategy', values: rebase(bt.equity), color: COLORS.strategy, style: 'line', width: 2 },
      ...(bt.benchmark ? [{ label: bt.benchmark.name, values: rebase(bt.benchmark.equity), color: COLORS.benchmark, style: 'line' as const, width: 1.25 }] : []),
    ],
    height: 340,
    bands,
    rules: [{ axis: 'y', value: 1 }],
    sync: 'backtest',
  };
}

function drawdownChart(bt: BacktestReport, x: number[]): ChartSpec {
  return {
    id: 'bt-drawdown',
    x: { kind: 'time', values: x },
    y: { label: 'drawdown', format: 'pct', max: 0 },
    series: [
      { label: 'strategy', values: drawdownCurve(bt.equity), color: COLORS.drawdown, style: 'area', width: 1.25 },
      ...(bt.benchmark ? [{ label: bt.benchmark.name, values: drawdownCurve(bt.benchmark.equity), color: COLORS.benchmark, style: 'line' as const, width: 1 }] : []),
    ],
    height: 200,
    sync: 'backtest',
  };
}

function foldsBlock(bt: BacktestReport): { body: SafeHtml; charts: ChartSpec[] } {
  if (bt.folds.length === 0) return { body: html``, charts: [] };
  const labels = bt.folds.map((_, i) => `fold ${i + 1}`);
  const spec: ChartSpec = {
    id: 'bt-folds',
    x: { kind: 'category', values: labels.map((_, i) => i), labels, label: 'walk-forward fold' },
    y: { label: 'Sharpe', format: 'ratio', includeZero: true },
    series: [
      { label: 'in-sample', values: bt.folds.map((f) => f.is.sharpe), color: COLORS.is, style: 'bars', align: -1 },
      { label: 'out-of-sample', values: bt.folds.map((f) => f.oos.sharpe), color: COLORS.oos, style: 'bars', align: 1 },
    ],
    height: 240,
    rules: [{ axis: 'y', value: 0 }],
  };
  const table = dataTable(
    [
      { label: 'Fold', cell: (_f, i) => i + 1, num: true },
      { label: 'Train', cell: (f) => `${f.train.from} → ${f.train.to}` },
      { label: 'Test', cell: (f) => `${f.test.from} → ${f.test.to}` },
      { label: 'IS Sharpe', cell: (f) => fmt(f.is.sharpe, 'ratio'), num: true },
      { label: 'OOS Sharpe', cell: (f) => fmt(f.oos.sharpe, 'ratio'), num: true, tone: (f) => toneSign(f.oos.sharpe) },
      { label: 'OOS CAGR', cell: (f) => fmt(f.oos.cagr, 'pct'), num: true, tone: (f) => toneSign(f.oos.cagr) },
      { label: 'OOS max DD', cell: (f) => fmt(f.oos.maxDrawdown, 'pct'), num: true },
      { label: 'OOS trades', cell: (f) => fmt(f.oos.trades, 'int'), num: true },
      { label: 'Selected rule', cell: (f) => html`<code>${f.expr}</code>` },
    ],
    bt.folds,
    { testId: 'folds' },
  );
  const positive = bt.folds.filter((f) => f.oos.sharpe > 0).length;
  return {
    body: html`${subheading('Walk-forward folds')}
${grid([
  chartFrame(spec, { title: 'Sharpe per fold: in-sample vs out-of-sample', note: `${positive} of ${bt.folds.length} folds have a positive out-of-sample Sharpe ratio.` }),
  html`<div>${metricsTable([{ label: 'Strategy (OOS)', metrics: bt.oos }, ...(bt.benchmarkMetrics ? [{ label: bt.benchmark?.name ?? 'Benchmark', metrics: bt.benchmarkMetrics }] : [])], { testId: 'oos-metrics' })}</div>`,
])}
${table}`,
    charts: [spec],
  };
}

function tradesBlock(trades: Trade[]): SafeHtml {
  const closed = trades.filter((t) => t.return !== null);
  const wins = closed.filter((t) => (t.return ?? 0) > 0).length;
  const avg = closed.length ? closed.reduce((s, t) => s + (t.return ?? 0), 0) / closed.length : null;
  const shown = trades.slice(-MAX_TRADES_SHOWN).reverse();
  return html`${subheading('Trades')}
<p class="note" data-testid="trade-count">${fmt(trades.length, 'int')} trades (${fmt(trades.length - closed.length, 'int')} open); win rate
  ${closed.length ? fmt(wins / closed.length, 'pct1') : '—'}, average ${fmt(avg, 'pct')}.
  ${trades.length > shown.length ? `Showing the most recent ${shown.length}.` : 'Most recent first.'}</p>
${dataTable(
  [
    { label: 'Symbol', cell: (t) => t.symbol },
    { label: 'Side', cell: (t) => t.side },
    { label: 'Entry', cell: (t) => t.entryDate },
    { label: 'Exit', cell: (t) => t.exitDate ?? 'open' },
    { label: 'Entry price', cell: (t) => fmt(t.entryPrice, 'price'), num: true },
    { label: 'Exit price', cell: (t) => fmt(t.exitPrice, 'price'), num: true },
    { label: 'Return', cell: (t) => fmt(t.return, 'pct'), num: true, tone: (t) => toneSign(t.return) },
  ],
  shown,
  { scroll: true, empty: 'No trades.', testId: 'trades' },
)}`;
}

/** The Backtest section, or null before a backtest ran. */
export function backtestSection(bt: BacktestReport | null): Section | null {
  if (!bt) return null;
  checkLengths(bt);
  const x = bt.dates.map(toUnixSeconds);
  const charts: ChartSpec[] = [];
  const curves: SafeHtml[] = [];
  if (bt.dates.length > 1) {
    const eq = equityChart(bt, x);
    const dd = drawdownChart(bt, x);
    charts.push(eq, dd);
    curves.push(
      chartFrame(eq, {
        title: bt.benchmark ? `Equity against ${bt.benchmark.name}` : 'Equity',
        note: bt.kind === 'walk-forward' ? 'Out-of-sample equity stitched from the test windows (shaded), both curves rebased to 1.' : 'Both curves rebased to 1.',
      }),
      chartFrame(dd, { title: 'Drawdown', note: 'Fall from the running peak.' }),
    );
  }
  const folds = foldsBlock(bt);
  charts.push(...folds.charts);
  const range = bt.dates.length ? `${bt.dates[0]} → ${bt.dates[bt.dates.length - 1]}` : 'no dates';

  const body = html`
<p class="lead">Backtest <b>${bt.backtestId}</b> · ${bt.kind === 'walk-forward' ? `walk-forward, ${bt.folds.length} folds` : 'single train/test split'} · ${range}</p>
${verdict(bt)}
${headline(bt)}
${bt.lookahead && !bt.lookahead.passed ? html`<div class="callout">Look-ahead check failed: ${bt.lookahead.detail}</div>` : ''}
${curves}
${subheading('Monthly returns')}
${monthlyHeatmap(bt.dates, bt.equity, bt.benchmark)}
${folds.body}
${bt.folds.length === 0 ? html`${subheading('Out-of-sample metrics')}${metricsTable([{ label: 'Strategy', metrics: bt.oos }, ...(bt.benchmarkMetrics ? [{ label: bt.benchmark?.name ?? 'Benchmark', metrics: bt.benchmarkMetrics }] : [])], { testId: 'oos-metrics' })}` : ''}
${subheading('Statistics that count every trial')}
<dl class="facts">
  <dt>PSR</dt><dd>${fmt(bt.psr, 'prob')} — probability that the true Sharpe ratio is above 0, given the track length, skew and fat tails.</dd>
  <dt>DSR</dt><dd>${fmt(bt.dsr, 'prob')} — the same, against the Sharpe ratio the best of ${fmt(bt.trials, 'int')} skill-less trials would reach by luck.</dd>
  <dt>PBO</dt><dd>${bt.pbo === null ? 'not computed' : html`${fmt(bt.pbo, 'prob')} — probability that the in-sample best underperforms the median out of sample.`}</dd>
  <dt>Look-ahead</dt><dd>${bt.lookahead ? html`${bt.lookahead.passed ? 'passed' : 'FAILED'} — ${bt.lookahead.detail}` : 'not run'}</dd>
</dl>
${subheading('Stress windows')}
${dataTable(
  [
    { label: 'Window', cell: (s) => s.name },
    { label: 'From', cell: (s) => s.from },
    { label: 'To', cell: (s) => s.to },
    { label: 'Strategy', cell: (s) => fmt(s.strategyReturn, 'signedPct'), num: true, tone: (s) => toneSign(s.strategyReturn) },
    { label: 'Benchmark', cell: (s) => fmt(s.benchmarkReturn, 'signedPct'), num: true, tone: (s) => toneSign(s.benchmarkReturn) },
    { label: 'Difference', cell: (s) => (s.benchmarkReturn === null ? '—' : fmt(s.strategyReturn - s.benchmarkReturn, 'signedPct')), num: true, tone: (s) => (s.benchmarkReturn === null ? null : toneSign(s.strategyReturn - s.benchmarkReturn)) },
    { label: 'Max drawdown', cell: (s) => fmt(s.maxDrawdown, 'pct'), num: true },
  ],
  bt.stress,
  { empty: 'No stress window falls inside the backtest.', testId: 'stress' },
)}
${tradesBlock(bt.trades)}`;
  return { id: 'backtest', title: 'Backtest', body, charts };
}
