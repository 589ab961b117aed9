/**
 * Evolution: how the search went (fitness per generation, per species, across EM iterations), how
 * much of it was wasted on invalid individuals, and how many trials it took — the number that
 * decides how sceptical to be of the best one.
 */
import type { EvolutionRun, EvolutionSection, GenerationStats } from '../model.js';
import { COLORS, paletteColor, type ChartBand, type ChartSeries, type ChartSpec } from '../charts.js';
import { chartFrame, grid, kpi, kpis, subheading, toneBelow, type Section } from '../components.js';
import { fmt } from '../format.js';
import { histogram } from '../histogram.js';
import { html, type SafeHtml } from '../html.js';

/** Natural order of species labels ("2" before "10"). */
const bySpecies = (a: string, b: string): number => a.localeCompare(b, 'en', { numeric: true });

/** One x position of the generation charts: an (EM iteration, generation) pair. */
interface Step {
  emIteration: number;
  generation: number;
}

/**
 * The x positions, in run order. Between two EM iterations sits an empty slot (null), so the lines
 * break there instead of drawing a misleading fall from the last generation of one iteration to
 * the first of the next.
 */
function steps(generations: GenerationStats[]): (Step | null)[] {
  const seen = new Map<string, Step>();
  for (const g of generations) seen.set(`${g.emIteration}:${g.generation}`, { emIteration: g.emIteration, generation: g.generation });
  const sorted = [...seen.values()].sort((a, b) => a.emIteration - b.emIteration || a.generation - b.generation);
  const out: (Step | null)[] = [];
  for (const s of sorted) {
    const prev = out[out.length - 1];
    if (prev && prev.emIteration !== s.emIteration) out.push(null);
    out.push(s);
  }
  return out;
}

/** One series per species and statistic, aligned on the steps (null where a species has no row). */
function seriesOf(
  run: EvolutionRun,
  xs: (Step | null)[],
  pick: (g: GenerationStats) => number,
): Map<string, (number | null)[]> {
  const index = new Map<string, number>();
  xs.forEach((s, i) => s && index.set(`${s.emIteration}:${s.generation}`, i));
  const out = new Map<string, (number | null)[]>();
  for (const g of run.generations) {
    let values = out.get(g.species);
    if (!values) out.set(g.species, (values = new Array<number | null>(xs.length).fill(null)));
    const v = pick(g);
    values[index.get(`${g.emIteration}:${g.generation}`)!] = Number.isFinite(v) ? v : null;
  }
  return out;
}

/** Shaded EM iterations on the generation axis (meeting in the empty slot), when there is more than one. */
function emBands(xs: (Step | null)[], labelled: boolean): ChartBand[] {
  const bands: ChartBand[] = [];
  let current: number | null = null;
  xs.forEach((s, i) => {
    if (!s) {
      bands[bands.length - 1].to = i;
      return;
    }
    if (s.emIteration !== current) {
      bands.push({ from: bands.length ? i - 1 : i - 0.5, to: i + 0.5, label: labelled ? `EM iteration ${s.emIteration}` : '' });
      current = s.emIteration;
    } else {
      bands[bands.length - 1].to = i + 0.5;
    }
  });
  return bands.length > 1 ? bands : [];
}

/** Tick labels: the generation number, at a round step so each EM iteration gets a few. */
function xAxis(xs: (Step | null)[]): ChartSpec['x'] {
  const iterations = new Set(xs.filter((s) => s !== null).map((s) => s!.emIteration)).size;
  const longest = Math.max(1, ...xs.map((s) => (s ? s.generation + 1 : 0)));
  const step = [1, 2, 5, 10, 20, 25, 50, 100, 200, 500].find((n) => longest / n <= Math.max(2, 12 / iterations)) ?? 1000;
  const ticks: number[] = [];
  xs.forEach((s, i) => s && s.generation % step === 0 && ticks.push(i));
  return {
    kind: 'category',
    values: xs.map((_, i) => i),
    labels: xs.map((s) => (s ? String(s.generation) : '')),
    legendLabels: xs.map((s) => (s ? (iterations > 1 ? `EM ${s.emIteration} · generation ${s.generation}` : String(s.generation)) : '')),
    ticks,
    label: iterations > 1 ? 'generation (within each EM iteration)' : 'generation',
  };
}

function fitnessChart(run: EvolutionRun, xs: (Step | null)[], id: string, species: string[]): ChartSpec {
  const best = seriesOf(run, xs, (g) => g.bestTrain);
  const median = seriesOf(run, xs, (g) => g.medianTrain);
  const validation = seriesOf(run, xs, (g) => g.bestValidation);
  const single = species.length === 1;
  const series: ChartSeries[] = species.flatMap((sp, i) => {
    const prefix = single ? '' : `species ${sp} · `;
    return [
      { label: `${prefix}best train`, values: best.get(sp)!, color: single ? COLORS.train : paletteColor(i), style: 'line', width: 2 },
      // Median lines are translucent: context for the best line, not a competitor to it.
      { label: `${prefix}median train`, values: median.get(sp)!, color: `${single ? COLORS.train : paletteColor(i)}99`, style: 'dashed', width: 1.25 },
      { label: `${prefix}best validation`, values: validation.get(sp)!, color: single ? COLORS.validation : paletteColor(i), style: single ? 'line' : 'dotted', width: 2 },
    ] satisfies ChartSeries[];
  });
  return {
    id,
    x: xAxis(xs),
    y: { label: `fitness (${run.metric})`, format: 'ratio' },
    series,
    height: 300,
    bands: emBands(xs, true),
    sync: `${id}-sync`,
    spanGaps: false,
  };
}

function invalidChart(run: EvolutionRun, xs: (Step | null)[], id: string, syncWith: string, species: string[]): ChartSpec {
  const invalid = seriesOf(run, xs, (g) => g.invalidShare);
  const diversity = seriesOf(run, xs, (g) => g.diversity);
  const single = species.length === 1;
  const series: ChartSeries[] = species.flatMap((sp, i) => {
    const prefix = single ? '' : `species ${sp} · `;
    return [
      { label: `${prefix}invalid share`, values: invalid.get(sp)!, color: single ? '#dc2626' : paletteColor(i), style: 'line', width: 2 },
      { label: `${prefix}diversity`, values: diversity.get(sp)!, color: single ? '#64748b' : paletteColor(i), style: 'dashed', width: 1.25 },
    ] satisfies ChartSeries[];
  });
  return {
    id,
    x: xAxis(xs),
    y: { label: 'share of population', format: 'pct', min: 0, max: 1 },
    series,
    height: 190,
    // Unlabelled: the fitness chart above names the iterations, and labels would sit on the lines.
    bands: emBands(xs, false),
    sync: `${syncWith}-sync`,
    spanGaps: false,
  };
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const i = Math.floor(pos);
  return i + 1 < sorted.length ? sorted[i] + (sorted[i + 1] - sorted[i]) * (pos - i) : sorted[i];
}

function trialHistogram(run: EvolutionRun, id: string): { spec: ChartSpec; note: SafeHtml } | null {
  const sorted = run.trialSharpes.filter(Number.isFinite).sort((a, b) => a - b);
  if (sorted.length === 0) return null;
  const h = histogram(sorted);
  const median = quantile(sorted, 0.5);
  const lo = h.edges[0];
  const hi = h.edges[h.edges.length - 1];
  const spec: ChartSpec = {
    id,
    x: { kind: 'number', values: h.centers, label: 'annualised train Sharpe', format: 'ratio' },
    y: { label: 'trials', format: 'int', includeZero: true },
    series: [{ label: 'trials', values: h.counts, color: COLORS.histogram, style: 'bars' }],
    height: 240,
    rules: [
      ...(lo <= 0 && hi >= 0 ? [{ axis: 'x' as const, value: 0 }] : []),
      { axis: 'x', value: median, label: 'median' },
    ],
  };
  const note = html`${fmt(sorted.length, 'int')} trials scored. Median Sharpe ${fmt(median, 'ratio')}, 95th percentile
    ${fmt(quantile(sorted, 0.95), 'ratio')}, best ${fmt(sorted[sorted.length - 1], 'ratio')}. The best of many trials is
    high by luck alone; the deflated Sharpe ratio in the backtest corrects for it.`;
  return { spec, note };
}

function runBlock(run: EvolutionRun, index: number, multiple: boolean): { body: SafeHtml; charts: ChartSpec[] } {
  const xs = steps(run.generations);
  const species = [...new Set(run.generations.map((g) => g.species))].sort(bySpecies);
  const emIterations = new Set(run.generations.map((g) => g.emIteration)).size;
  const invalidShare = run.evaluations > 0 ? run.invalid / run.evaluations : null;
  const charts: ChartSpec[] = [];
  const figures: SafeHtml[] = [];

  if (xs.length > 0) {
    const fit = fitnessChart(run, xs, `evo-fitness-${index}`, species);
    const inv = invalidChart(run, xs, `evo-invalid-${index}`, fit.id, species);
    charts.push(fit, inv);
    figures.push(
      chartFrame(fit, {
        title: 'Fitness per generation',
        wide: true,
        note: species.length > 1
          ? 'One colour per species: solid = best train, dashed = median train, dotted = best validation. A validation line far below train is overfitting.'
          : 'Best and median train fitness, and the validation fitness of the best individuals. A validation line far below train is overfitting.',
      }),
      chartFrame(inv, { title: 'Invalid individuals and diversity', wide: true, note: 'Share of each population that did not map to a valid rule (solid) and population diversity (dashed).' }),
    );
  } else {
    figures.push(html`<p class="empty">No generation statistics were recorded for this run.</p>`);
  }
  const hist = trialHistogram(run, `evo-trials-${index}`);
  if (hist) {
    charts.push(hist.spec);
    figures.push(chartFrame(hist.spec, { title: 'Train Sharpe of every trial', note: hist.note, wide: true }));
  }

  const body = html`
${multiple ? subheading(`Run ${run.runId}`) : ''}
<p class="lead-inline">Run <b>${run.runId}</b> · grammar <code>${run.grammar}</code> · fitness metric <b>${run.metric}</b>
  ${run.stoppedEarly ? html` · <span class="badge warn">STOPPED EARLY</span>` : ''}</p>
${kpis([
  kpi('Trials', fmt(run.trials, 'int'), 'neutral', 'distinct rules scored'),
  kpi('Evaluations', fmt(run.evaluations, 'int'), 'neutral', 'including cache hits'),
  kpi('Invalid', fmt(run.invalid, 'int'), toneBelow(invalidShare, 0.1, 0.4), invalidShare === null ? undefined : `${fmt(invalidShare, 'pct1')} of evaluations`),
  kpi('Species', String(species.length)),
  kpi('EM iterations', String(emIterations)),
  kpi('Generations', fmt(xs.filter((s) => s !== null).length, 'int'), 'neutral', emIterations > 1 ? 'over all EM iterations' : undefined),
])}
${grid(figures)}`;
  return { body, charts };
}

/** The Evolution section, or null when no run was recorded. */
export function evolutionSection(evolution: EvolutionSection | null): Section | null {
  if (!evolution || evolution.runs.length === 0) return null;
  const blocks = evolution.runs.map((run, i) => runBlock(run, i, evolution.runs.length > 1));
  const totalTrials = evolution.runs.reduce((sum, r) => sum + r.trials, 0);
  return {
    id: 'evolution',
    title: 'Evolution',
    body: html`<p class="lead">Grammatical evolution of trading rules: ${fmt(evolution.runs.length, 'int')} run${evolution.runs.length > 1 ? 's' : ''},
      ${fmt(totalTrials, 'int')} trials counted in total.</p>${blocks.map((b) => b.body)}`,
    charts: blocks.flatMap((b) => b.charts),
  };
}
