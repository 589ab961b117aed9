/**
 * Deployment: what is running and whether it behaves like its backtest — positions against
 * targets, orders and fills, realised equity against the backtest's expectation over the same
 * days, and the safety switches. A forced deployment (gate failed) is flagged loudly.
 */
import type { DeploymentReport, EquitySeries } from '../model.js';
import { COLORS, toUnixSeconds, type ChartSpec } from '../charts.js';
import { badge, chartFrame, dataTable, kpi, kpis, subheading, type Section } from '../components.js';
import { fmt } from '../format.js';
import { html, type SafeHtml } from '../html.js';

/** Orders listed in the page; the rest are counted. */
export const MAX_ORDERS_SHOWN = 500;

function checkSeries(name: string, s: EquitySeries): void {
  if (s.dates.length !== s.equity.length) throw new RangeError(`deployment ${name}: ${s.dates.length} dates but ${s.equity.length} equity values`);
}

/** Total return of a curve from its first to its last value; null when it cannot be measured. */
function totalReturn(s: EquitySeries | null): number | null {
  if (!s || s.equity.length < 2 || !(s.equity[0] > 0)) return null;
  return s.equity[s.equity.length - 1] / s.equity[0] - 1;
}

/**
 * Realised and expected equity on the union of their dates, both rebased to 1 at their first
 * value, so a difference in account size does not hide a difference in behaviour.
 */
function equityChart(d: DeploymentReport): ChartSpec | null {
  const curves = [d.realised, ...(d.expected ? [d.expected] : [])];
  const dates = [...new Set(curves.flatMap((c) => c.dates))].sort();
  if (dates.length < 2) return null;
  const align = (c: EquitySeries): (number | null)[] => {
    const byDate = new Map(c.dates.map((day, i) => [day, c.equity[i]]));
    const base = c.equity.find((v) => v > 0) ?? 1;
    return dates.map((day) => (byDate.has(day) ? byDate.get(day)! / base : null));
  };
  return {
    id: 'deploy-equity',
    x: { kind: 'time', values: dates.map(toUnixSeconds) },
    y: { label: 'growth of 1', format: 'equity' },
    series: [
      { label: 'realised', values: align(d.realised), color: COLORS.realised, style: 'line', width: 2 },
      ...(d.expected ? [{ label: 'backtest expectation', values: align(d.expected), color: COLORS.expected, style: 'dashed' as const, width: 1.5 }] : []),
    ],
    height: 280,
    rules: [{ axis: 'y', value: 1 }],
  };
}

function positionsTable(d: DeploymentReport): SafeHtml {
  const scale = Math.max(1e-12, ...d.positions.flatMap((p) => [Math.abs(p.weight), Math.abs(p.target)]));
  const width = (w: number): string => `${((Math.abs(w) / scale) * 100).toFixed(1)}%`;
  return dataTable(
    [
      { label: 'Symbol', cell: (p) => p.symbol },
      { label: 'Weight', cell: (p) => fmt(p.weight, 'pct'), num: true },
      { label: 'Target', cell: (p) => fmt(p.target, 'pct'), num: true },
      { label: 'Difference', cell: (p) => fmt(p.weight - p.target, 'pct'), num: true, tone: (p) => (Math.abs(p.weight - p.target) > 0.01 ? 'warn' : null) },
      {
        label: 'Held / target',
        cell: (p) => html`<div class="bar pair" title="held ${fmt(p.weight, 'pct')}, target ${fmt(p.target, 'pct')}"><span class="now" style="width:${width(p.weight)}"></span><span class="target" style="width:${width(p.target)}"></span></div>`,
      },
    ],
    d.positions,
    { empty: 'No positions.', testId: 'positions' },
  );
}

function ordersTable(d: DeploymentReport): SafeHtml {
  const shown = d.orders.slice(-MAX_ORDERS_SHOWN).reverse();
  return html`<p class="note">${fmt(d.orders.length, 'int')} orders${d.orders.length > shown.length ? `; showing the most recent ${shown.length}` : ''}, most recent first.</p>
${dataTable(
  [
    { label: 'Date', cell: (o) => o.date },
    { label: 'Symbol', cell: (o) => o.symbol },
    { label: 'Side', cell: (o) => o.side, tone: (o) => (o.side === 'buy' ? 'pos' : 'neg') },
    { label: 'Notional', cell: (o) => fmt(o.notional, 'money'), num: true },
    { label: 'Status', cell: (o) => o.status, tone: (o) => (/reject|cancel|expire|fail/i.test(o.status) ? 'bad' : null) },
    { label: 'Filled qty', cell: (o) => fmt(o.filledQty, 'num'), num: true },
    { label: 'Avg price', cell: (o) => fmt(o.filledAvgPrice, 'price'), num: true },
    { label: 'Client order id', cell: (o) => html`<span class="oneline">${o.clientOrderId}</span>` },
  ],
  shown,
  { scroll: true, empty: 'No orders yet.', testId: 'orders' },
)}`;
}

/** The Deployment section, or null when nothing is deployed. */
export function deploymentSection(d: DeploymentReport | null): Section | null {
  if (!d) return null;
  checkSeries('realised', d.realised);
  if (d.expected) checkSeries('expected', d.expected);
  const chart = equityChart(d);
  const realised = totalReturn(d.realised);
  const expected = totalReturn(d.expected);
  const filled = d.orders.filter((o) => /^filled$/i.test(o.status)).length;
  const { safety } = d;

  const body = html`
<div class="badges">
  ${badge(d.mode.toUpperCase(), d.mode === 'live' ? 'warn' : 'neutral')}
  ${d.forced ? html`<span data-testid="forced-badge">${badge('FORCED', 'bad')}</span>` : ''}
  ${badge(d.status, /run|active|ok/i.test(d.status) ? 'good' : 'neutral')}
  ${safety.breakerTripped ? badge('BREAKER TRIPPED', 'bad') : badge('breaker armed', 'good')}
  ${safety.killSwitchEngaged ? badge('KILL SWITCH ON', 'bad') : badge('kill switch off', 'good')}
</div>
<p class="lead">Deployment <b>${d.deploymentId}</b> · ${d.mode} trading via <b>${d.broker}</b></p>
${d.forced ? html`<div class="callout">Deployed with <b>--force</b> although the promotion gate failed${d.forcedReason ? html`: ${d.forcedReason}` : '.'}</div>` : ''}
${safety.detail && (safety.breakerTripped || safety.killSwitchEngaged) ? html`<div class="callout warn">${safety.detail}</div>` : ''}
${kpis([
  kpi('Realised return', fmt(realised, 'signedPct'), realised === null ? 'neutral' : realised >= 0 ? 'good' : 'bad', d.realised.dates.length ? `since ${d.realised.dates[0]}` : undefined),
  kpi('Expected return', fmt(expected, 'signedPct'), 'neutral', 'backtest, same days'),
  kpi('Tracking difference', realised === null || expected === null ? '—' : fmt(realised - expected, 'signedPct'), 'neutral', 'realised − expected'),
  kpi('Positions', String(d.positions.length)),
  kpi('Orders', fmt(d.orders.length, 'int'), 'neutral', `${fmt(filled, 'int')} filled`),
])}
${chart ? chartFrame(chart, { title: 'Realised vs expected equity', note: 'Both rebased to 1 at their first day. A widening gap means live trading does not behave like the backtest (costs, fills, data).' }) : html`<p class="empty">Not enough realised history for a chart yet.</p>`}
${subheading('Positions vs targets')}
<p class="note"><span class="legend-inline"><span class="swatch" style="background:#1d4ed8"></span>held</span><span class="legend-inline"><span class="swatch" style="background:#a5b4fc"></span>target</span></p>
${positionsTable(d)}
${subheading('Orders and fills')}
${ordersTable(d)}`;
  return { id: 'deployment', title: 'Deployment', body, charts: chart ? [chart] : [] };
}

// Re-exported so the summary can reuse the same arithmetic.
export { totalReturn as deploymentReturn };
