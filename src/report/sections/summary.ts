/**
 * "At a glance": the few facts a researcher looks for first — did the strategy pass the gate, how
 * good is it out of sample after counting every trial, what rule is it, and what is running.
 * Present only once there is more than ingested data to summarise.
 */
import type { ReportData } from '../model.js';
import { badge, kpi, kpis, toneAbove, toneBelow, type Section } from '../components.js';
import { fmt } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { deploymentReturn } from './deployment.js';
import { PBO_BAD, PBO_GOOD, PROB_BAD, PROB_GOOD } from '../thresholds.js';

/** The summary section, or null when only data (or nothing) is there. */
export function summarySection(report: ReportData): Section | null {
  const { backtest: bt, strategies, deployment: dep, evolution } = report;
  if (!bt && !strategies?.length && !dep && !evolution?.runs.length) return null;
  const tiles: SafeHtml[] = [];
  const lines: SafeHtml[] = [];

  if (bt) {
    tiles.push(
      kpi('Gate', bt.gate.passed ? 'PASSED' : 'FAILED', bt.gate.passed ? 'good' : 'bad', bt.gate.reasons[0]),
      kpi('OOS Sharpe', fmt(bt.oos.sharpe, 'ratio'), bt.oos.sharpe > 0 ? 'neutral' : 'bad', bt.benchmarkMetrics ? `benchmark ${fmt(bt.benchmarkMetrics.sharpe, 'ratio')}` : undefined),
      kpi('OOS CAGR', fmt(bt.oos.cagr, 'pct'), 'neutral', bt.benchmarkMetrics ? `benchmark ${fmt(bt.benchmarkMetrics.cagr, 'pct')}` : undefined),
      kpi('Max drawdown', fmt(bt.oos.maxDrawdown, 'pct'), 'neutral', bt.benchmarkMetrics ? `benchmark ${fmt(bt.benchmarkMetrics.maxDrawdown, 'pct')}` : undefined),
      kpi('DSR', fmt(bt.dsr, 'prob'), toneAbove(bt.dsr, PROB_GOOD, PROB_BAD), `${fmt(bt.trials, 'int')} trials counted`),
      kpi('PBO', fmt(bt.pbo, 'prob'), toneBelow(bt.pbo, PBO_GOOD, PBO_BAD)),
    );
  } else if (evolution?.runs.length) {
    tiles.push(kpi('Trials', fmt(evolution.runs.reduce((s, r) => s + r.trials, 0), 'int'), 'neutral', 'counted over all runs'));
  }
  if (dep) {
    const r = deploymentReturn(dep.realised);
    tiles.push(kpi(`${dep.mode} deployment`, dep.status, dep.forced ? 'bad' : 'neutral', dep.forced ? 'FORCED past a failed gate' : `realised ${fmt(r, 'signedPct')}`));
  }
  const best = strategies?.length ? [...strategies].sort((a, b) => a.rank - b.rank)[0] : null;
  if (best) {
    lines.push(html`<p><b>Best rule</b> (strategy ${best.id}, validation Sharpe ${fmt(best.validation.sharpe, 'ratio')}):</p>
<div class="summary-rule" data-testid="best-rule">${best.expr}</div>`);
  }
  if (dep?.forced) lines.push(html`<p>${badge('FORCED', 'bad')} The deployment was forced past the gate${dep.forcedReason ? html`: ${dep.forcedReason}` : '.'}</p>`);

  return { id: 'summary', title: 'At a glance', body: html`${kpis(tiles)}${lines}`, charts: [] };
}
