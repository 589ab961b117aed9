/**
 * Strategies: the best evolved rules, readable (pretty-printed, monospace) with train and
 * validation metrics side by side, so the validation column — the honest one — is next to the
 * number the search optimised.
 */
import type { StrategyReport } from '../model.js';
import { dataTable, kpi, kpis, subheading, toneSign, type Section } from '../components.js';
import { fmt } from '../format.js';
import { html, type SafeHtml } from '../html.js';
import { metricsTable } from '../metricsTable.js';
import { highlightRule } from '../ruleText.js';

/** Rules shown in full; the overview table lists all of them. */
export const MAX_RULE_CARDS = 10;

function ruleCard(s: StrategyReport): SafeHtml {
  return html`<article class="rule" id="strategy-${String(s.id)}" data-testid="rule">
  <div class="rule-head">
    <span class="rank">#${s.rank}</span>
    <h4>Strategy ${s.id}</h4>
    <span class="meta">species ${s.species} · fitness ${fmt(s.fitness, 'ratio')} · validation Sharpe ${fmt(s.validation.sharpe, 'ratio')}</span>
  </div>
  <pre><code>${highlightRule(s.pretty || s.expr)}</code></pre>
  <div class="metrics">${metricsTable([{ label: 'Train', metrics: s.train }, { label: 'Validation', metrics: s.validation }], { compareLast: true, layout: 'columns' })}</div>
</article>`;
}

/** The Strategies section, or null before evolution produced any. */
export function strategiesSection(strategies: StrategyReport[] | null): Section | null {
  if (!strategies || strategies.length === 0) return null;
  const ranked = [...strategies].sort((a, b) => a.rank - b.rank);
  const best = ranked[0];
  const holdUp = ranked.filter((s) => s.validation.sharpe > 0).length;
  const overview = dataTable(
    [
      { label: '#', cell: (s) => s.rank, num: true },
      { label: 'Strategy', cell: (s) => html`<a href="#strategy-${String(s.id)}">${s.id}</a>` },
      { label: 'Species', cell: (s) => s.species },
      { label: 'Fitness', cell: (s) => fmt(s.fitness, 'ratio'), num: true },
      { label: 'Train Sharpe', cell: (s) => fmt(s.train.sharpe, 'ratio'), num: true },
      { label: 'Valid. Sharpe', cell: (s) => fmt(s.validation.sharpe, 'ratio'), num: true, tone: (s) => toneSign(s.validation.sharpe) },
      { label: 'Valid. CAGR', cell: (s) => fmt(s.validation.cagr, 'pct'), num: true, tone: (s) => toneSign(s.validation.cagr) },
      { label: 'Valid. max DD', cell: (s) => fmt(s.validation.maxDrawdown, 'pct'), num: true },
      { label: 'Valid. trades', cell: (s) => fmt(s.validation.trades, 'int'), num: true },
      { label: 'Rule', cell: (s) => html`<span class="oneline">${s.expr.length > 90 ? `${s.expr.slice(0, 88)}…` : s.expr}</span>` },
    ],
    ranked,
    { testId: 'strategies-overview' },
  );
  const shown = ranked.slice(0, MAX_RULE_CARDS);
  const body = html`
<p class="lead">The top rules of the search, best first. Train numbers are what was optimised; validation numbers are the first honest check.</p>
${kpis([
  kpi('Strategies', String(ranked.length)),
  kpi('Best validation Sharpe', fmt(Math.max(...ranked.map((s) => s.validation.sharpe)), 'ratio')),
  kpi('Positive in validation', `${holdUp} of ${ranked.length}`, holdUp === ranked.length ? 'good' : holdUp === 0 ? 'bad' : 'warn'),
  kpi('Top rule', `#${best.rank} · ${String(best.id)}`, 'neutral', `species ${best.species}`),
])}
${overview}
${subheading(ranked.length > shown.length ? `The top ${shown.length} rules` : 'The rules')}
${shown.map(ruleCard)}`;
  return { id: 'strategies', title: 'Strategies', body, charts: [] };
}
