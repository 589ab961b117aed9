// Benchmarks: prints `key: value` lines. Run with `npm run bench` (it builds first).
// Each section measures the compiled code on the bundled real data; nothing here is a test.
import { mkdtempSync, rmSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = (p) => import(join(root, 'dist', p));


async function benchIngest() {
  const { openDb } = await dist('store/db.js');
  const { MarketStore } = await dist('store/marketStore.js');
  const { CsvSource } = await dist('data/csvSource.js');
  const { ingest } = await dist('data/ingest.js');
  const dir = join(root, 'data', 'daily');
  const symbols = readdirSync(dir).filter((f) => f.endsWith('.csv.gz')).map((f) => f.replace('.csv.gz', '')).sort();
  const tmp = mkdtempSync(join(tmpdir(), 'aegis-bench-'));
  try {
    const db = openDb(join(tmp, 'bench.sqlite'));
    const t0 = performance.now();
    const r = await ingest(new MarketStore(db), new CsvSource(dir), {
      symbols, from: null, to: null, defaultFrom: '1990-01-01', quality: { maxDailyMove: 0.35, priceTolerance: 1e-6 },
    });
    const seconds = (performance.now() - t0) / 1000;
    db.close();
    const rows = r.symbols.reduce((s, x) => s + x.added, 0);
    console.log(`ingest_csv_symbols: ${symbols.length}`);
    console.log(`ingest_csv_rows: ${rows}`);
    console.log(`ingest_csv_seconds: ${seconds.toFixed(2)}`);
    console.log(`ingest_csv_rows_per_second: ${Math.round(rows / seconds)}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** Bundled symbols with the full 2000-2026 history (6,648 bars each). */
const FULL = ['SPY', 'QQQ', 'DIA', 'XLE', 'XLF', 'XLK', 'XLV', 'XLY', 'XLP', 'XLU', 'XLI', 'AAPL', 'MSFT', 'JPM', 'KO', 'PG', 'XOM', 'WMT', 'IBM', 'JNJ',
  'AMD', 'AMZN', 'BA', 'BAC', 'CAT', 'COST', 'CSCO', 'CVX', 'DIS', 'GS', 'HD', 'INTC', 'LLY', 'MCD', 'MRK', 'NVDA', 'ORCL', 'PEP', 'PFE', 'UNH', 'VZ', 'WFC'];

async function loadBundledPanel(symbols) {
  const { CsvSource } = await dist('data/csvSource.js');
  const { buildPanel } = await dist('data/panel.js');
  const src = new CsvSource(join(root, 'data', 'daily'));
  const series = new Map();
  for await (const o of src.fetchDaily(symbols.map((symbol) => ({ symbol, from: null, to: null })))) {
    if (!o.ok) throw o.error;
    series.set(o.symbol, o.result.bars);
  }
  return buildPanel(symbols, series, { from: null, to: null, warmup: 0, shared: true }).panel;
}

async function benchEvolve() {
  const { availableParallelism } = await import('node:os');
  const { loadGrammar, initialisePopulation, mapGenome } = await dist('ge/index.js');
  const { Rng } = await dist('domain/rng.js');
  const { RuleEvaluator } = await dist('evolve/evaluator.js');
  const { uniformWeights } = await dist('evolve/fitness.js');
  const { compileRule, referencePositions, evaluatePositions, IndicatorCache } = await dist('strategy/index.js');
  const { loadConfig } = await dist('config/load.js');
  const config = loadConfig();
  // BENCH_SYMBOLS=50: the whole bundled universe (some symbols listed after 2000), for the memory
  // target; the default is 20 symbols with the full 2000-2026 history.
  const all = readdirSync(join(root, 'data', 'daily')).filter((f) => f.endsWith('.csv.gz')).map((f) => f.replace('.csv.gz', '')).sort();
  const universe = process.env.BENCH_SYMBOLS ?? '20';
  if (universe !== '20' && universe !== '50') throw new Error(`BENCH_SYMBOLS must be 20 or 50, got '${universe}'`);
  const symbols = universe === '50' ? all : FULL.filter((s) => s !== 'INTC').slice(0, 20);
  const panel = await loadBundledPanel(symbols);
  const grammar = loadGrammar('default');
  const T = panel.T;
  const validStart = Math.round(T * 0.7);
  const settings = {
    metric: 'sharpe', metricWeights: null, penalties: config.evolve.penalties, execution: config.execution,
    initialCapital: config.backtest.initialCapital, trainStart: 0, validStart, validEnd: T, assetWeights: uniformWeights(panel.N), signature: false,
  };
  const workers = Number(process.env.BENCH_WORKERS ?? availableParallelism());
  if (!Number.isInteger(workers) || workers < 1) throw new Error(`BENCH_WORKERS must be a whole number of threads >= 1, got '${process.env.BENCH_WORKERS}'`);
  const evaluator = new RuleEvaluator(panel, settings, { workers, keepSignatures: 0 });
  const rng = Rng.seeded(7);
  const genomes = (size) => initialisePopulation(grammar, { populationSize: size, minDepth: config.evolve.minInitDepth, maxDepth: config.evolve.maxInitDepth }, rng.fork()).map((i) => Int32Array.from(i.genome));
  // Warm-up: JIT and the indicator columns most rules read, as in the first generations of a run.
  // Scored as the search scores a generation: every candidate on train, then the train-elite on
  // validation (a run validates each species' best and the hall of fame's entrants, a few per
  // generation of hundreds; here the best 30 of each batch of 1,000, more than a run asks for).
  const scoreBatch = async (mapped) => {
    const phenotypes = mapped.map((m) => (m.valid ? m.phenotype : null));
    const scores = await evaluator.evaluate(phenotypes);
    const elite = [...new Set(phenotypes.map((p, i) => ({ p, s: scores[i] })).filter((x) => x.s.valid).sort((a, b) => b.s.fitness - a.s.fitness).map((x) => x.p))].slice(0, 30);
    await evaluator.validate(elite);
  };
  const warm = genomes(600).map((g) => mapGenome(grammar, g, { maxWraps: 1, maxDepth: config.evolve.maxDepth }));
  await scoreBatch(warm);
  const trialsBefore = evaluator.counts.trials;
  const t0 = performance.now();
  let batches = 0;
  while (performance.now() - t0 < 10_000 || batches < 3) {
    await scoreBatch(genomes(1000).map((g) => mapGenome(grammar, g, { maxWraps: 1, maxDepth: config.evolve.maxDepth })));
    batches++;
  }
  const seconds = (performance.now() - t0) / 1000;
  const distinct = evaluator.counts.trials - trialsBefore;
  const cps = distinct / seconds;
  await evaluator.close();
  // The evolve pipeline's own peak, before the reference check below adds a second set of columns.
  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);

  // The plain tree-walking reference evaluator must agree with the fast path.
  const sample = [...evaluator.results.keys()].slice(0, process.env.BENCH_NO_REFERENCE ? 0 : 200);
  const cache = new IndicatorCache(panel);
  let mismatches = 0;
  for (const text of sample) {
    const rule = compileRule(text).rule;
    const fast = evaluatePositions(rule, panel, cache);
    const ref = referencePositions(rule, panel, cache);
    for (let i = 0; i < fast.length; i++) if (fast[i] !== ref[i]) { mismatches++; break; }
  }
  console.log(`evolve_symbols: ${panel.N}`);
  console.log(`evolve_bars_per_symbol: ${T}`);
  console.log(`evolve_workers: ${workers}`);
  console.log(`evolve_distinct_candidates: ${distinct}`);
  console.log(`evolve_seconds: ${seconds.toFixed(2)}`);
  console.log(`reference_check_rules: ${sample.length}`);
  console.log(`reference_check_mismatches: ${mismatches}`);
  console.log(`candidates_per_second: ${Math.round(cps)}`);
  console.log(`candidate_bars_per_second: ${Math.round(cps * panel.N * T)}`);
  console.log(`peak_rss_mb: ${peakRssMb}`);
}

/** One full backtest of a rule (positions, simulation with costs and trades, metrics) on 20 symbols. */
async function benchBacktest() {
  const { loadConfig } = await dist('config/load.js');
  const { tradePortfolio } = await dist('backtest/engine.js');
  const { uniformPortfolio } = await dist('backtest/portfolio.js');
  const config = loadConfig();
  const symbols = FULL.filter((s) => s !== 'INTC').slice(0, 20);
  const panel = await loadBundledPanel(symbols);
  const expr = 'and(gt(close,sma(close,200)),lt(rsi(close,2),30))';
  // Warm the JIT; indicators are recomputed every time (a fresh cache per backtest, as the CLI does).
  for (let i = 0; i < 5; i++) tradePortfolio(panel, uniformPortfolio(expr, symbols), 0, panel.T, config, null);
  const times = [];
  let trades = 0;
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const r = tradePortfolio(panel, uniformPortfolio(expr, symbols), 0, panel.T, config, null);
    times.push(performance.now() - t0);
    trades = r.metrics.trades;
  }
  times.sort((a, b) => a - b);
  // The same, with the indicator columns already computed: what the simulation and metrics cost.
  const { IndicatorCache, compileRule, requiredSeries, computeSeries } = await dist('strategy/index.js');
  const { portfolioTargets } = await dist('backtest/portfolio.js');
  const { simulate } = await dist('backtest/simulator.js');
  const { metricsOf } = await dist('backtest/engine.js');
  const cache = new IndicatorCache(panel);
  const ind0 = performance.now();
  for (const node of requiredSeries(compileRule(expr).rule.ast)) computeSeries(node, panel, cache);
  const indicatorsMs = performance.now() - ind0;
  const warm = [];
  for (let i = 0; i < 30; i++) {
    const t0 = performance.now();
    const { targets } = portfolioTargets(uniformPortfolio(expr, symbols), panel, cache);
    const sim = simulate({ panel, targets, start: 0, end: panel.T, execution: config.execution, initialCapital: config.backtest.initialCapital, detailed: true });
    metricsOf(sim);
    warm.push(performance.now() - t0);
  }
  warm.sort((a, b) => a - b);
  console.log(`backtest_symbols: ${panel.N}`);
  console.log(`backtest_bars_per_symbol: ${panel.T}`);
  console.log(`backtest_trades: ${trades}`);
  console.log(`backtest_indicators_ms: ${indicatorsMs.toFixed(1)}`);
  console.log(`backtest_cached_indicators_ms: ${warm[Math.floor(warm.length / 2)].toFixed(1)}`);
  console.log(`backtest_ms: ${times[Math.floor(times.length / 2)].toFixed(1)}`);
}

// Run last: the sections above are function declarations and constants.
const only = process.argv[2];
const sections = { ingest: benchIngest, evolve: benchEvolve, backtest: benchBacktest };

if (only && !(only in sections)) {
  console.error(`bench: unknown section '${only}' (one of: ${Object.keys(sections).join(', ')})`);
  process.exit(2);
}
try {
  for (const [name, fn] of Object.entries(sections)) {
    if (!only || only === name) await fn();
  }
} catch (err) {
  console.error(`bench: ${err.message}`);
  process.exit(1);
}
