/**
 * The EM loop: the portfolio objective per iteration (does validation follow train, or does the
 * gap widen?), how the allocation moved between sleeves, and which sleeves correlation governance
 * dropped.
 */
import type { EmSection } from '../model.js';
import { COLORS, paletteColor, type ChartSpec } from '../charts.js';
import { chartFrame, dataTable, grid, kpi, kpis, subheading, type Section } from '../components.js';
import { fmt } from '../format.js';
import { html } from '../html.js';

/** Sleeve ids in display order: by final weight (largest first), then any others as first seen. */
export function sleeveOrder(em: EmSection): string[] {
  const ids = Object.keys(em.finalWeights).sort((a, b) => (em.finalWeights[b] ?? 0) - (em.finalWeights[a] ?? 0));
  for (const it of em.iterations) for (const id of Object.keys(it.weights)) if (!ids.includes(id)) ids.push(id);
  return ids;
}

/** The EM section, or null when the loop did not run. */
export function emSection(em: EmSection | null): Section | null {
  if (!em || em.iterations.length === 0) return null;
  const iterations = [...em.iterations].sort((a, b) => a.iteration - b.iteration);
  const labels = iterations.map((it) => String(it.iteration));
  const sleeves = sleeveOrder(em);
  const color = new Map(sleeves.map((id, i) => [id, paletteColor(i)]));
  const objectiveName = em.objective ?? 'objective';

  const objective: ChartSpec = {
    id: 'em-objective',
    x: { kind: 'category', values: labels.map((_, i) => i), labels, label: 'EM iteration' },
    y: { label: objectiveName, format: 'ratio' },
    series: [
      { label: 'train', values: iterations.map((it) => it.trainObjective), color: COLORS.train, style: 'points', width: 2 },
      { label: 'validation', values: iterations.map((it) => it.validationObjective), color: COLORS.validation, style: 'points', width: 2 },
    ],
    height: 260,
  };
  const weights: ChartSpec = {
    id: 'em-weights',
    x: { kind: 'category', values: labels.map((_, i) => i), labels, label: 'EM iteration' },
    y: { label: 'weight', format: 'pct', includeZero: true },
    series: sleeves.map((id) => ({ label: id, values: iterations.map((it) => it.weights[id] ?? 0), color: color.get(id)!, style: 'bars' as const })),
    stacked: true,
    height: 260,
  };

  const last = iterations[iterations.length - 1];
  const gap = last.trainObjective - last.validationObjective;
  const finalRows = sleeves.filter((id) => em.finalWeights[id] !== undefined).map((id) => ({ id, weight: em.finalWeights[id] }));
  const maxWeight = Math.max(1e-12, ...finalRows.map((r) => Math.abs(r.weight)));
  const invested = finalRows.reduce((sum, r) => sum + r.weight, 0);

  const body = html`
<p class="lead">Each iteration evolves sleeves against the current portfolio and re-allocates between them.</p>
${kpis([
  kpi('Iterations', String(iterations.length)),
  kpi(`Final train ${objectiveName}`, fmt(last.trainObjective, 'ratio')),
  kpi(`Final validation ${objectiveName}`, fmt(last.validationObjective, 'ratio'), 'neutral', `train − validation gap ${fmt(gap, 'ratio')}`),
  kpi('Sleeves held', String(finalRows.filter((r) => r.weight !== 0).length), 'neutral', `${fmt(invested, 'pct1')} invested`),
  kpi('Dropped', String(em.dropped.length), 'neutral', 'by correlation governance'),
])}
${grid([
  chartFrame(objective, { title: `Portfolio ${objectiveName} per iteration`, note: 'Train and validation objective. Validation falling while train rises means the loop is fitting noise.' }),
  chartFrame(weights, { title: 'Allocation weights per iteration', note: 'Stacked weight of each sleeve; the gap to 100 % is cash.' }),
])}
${subheading('Iterations')}
${dataTable(
  [
    { label: 'Iteration', cell: (it) => it.iteration, num: true },
    { label: `Train ${objectiveName}`, cell: (it) => fmt(it.trainObjective, 'ratio'), num: true },
    { label: `Validation ${objectiveName}`, cell: (it) => fmt(it.validationObjective, 'ratio'), num: true },
    { label: 'Sleeves', cell: (it) => it.strategies.length, num: true },
    { label: 'Strategies', cell: (it) => html`<span class="oneline">${it.strategies.join(', ')}</span>` },
  ],
  iterations,
)}
<div class="grid cols-2">
  <div>
    ${subheading('Final allocation')}
    ${dataTable(
      [
        { label: 'Sleeve', cell: (r) => html`<span class="swatch" style="background:${color.get(r.id) ?? '#999'}"></span> ${r.id}` },
        { label: 'Weight', cell: (r) => fmt(r.weight, 'pct1'), num: true },
        { label: '', cell: (r) => html`<div class="bar"><span class="fill" style="width:${((Math.abs(r.weight) / maxWeight) * 100).toFixed(1)}%;background:${color.get(r.id) ?? '#999'}"></span></div>` },
      ],
      finalRows,
      { empty: 'No final allocation recorded.', testId: 'final-weights' },
    )}
  </div>
  <div>
    ${subheading('Dropped by correlation governance')}
    ${dataTable(
      [
        { label: 'Sleeve', cell: (d) => d.id },
        { label: 'Because', cell: (d) => d.because },
        { label: 'Correlation', cell: (d) => fmt(d.correlation, 'ratio'), num: true },
      ],
      em.dropped,
      { empty: 'No sleeve was dropped.' },
    )}
  </div>
</div>`;
  return { id: 'em', title: 'EM loop', body, charts: [objective, weights] };
}
