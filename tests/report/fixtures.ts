/**
 * Synthetic but plausible report data for the renderer tests: a seeded random walk for prices and
 * returns, so every run draws exactly the same report.
 */
import { Rng } from '../../src/domain/rng.js';
import type {
  BacktestFold,
  DataFinding,
  DeploymentOrder,
  EmIteration,
  GenerationStats,
  IsoDate,
  Metrics,
  ReportData,
  StrategyReport,
  SymbolSummary,
  Trade,
} from '../../src/report/model.js';

const DAY_MS = 86_400_000;

/** Weekdays from `from` to `to` inclusive (a stand-in for the NYSE calendar). */
export function businessDays(from: IsoDate, to: IsoDate): IsoDate[] {
  const out: IsoDate[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) {
    const day = new Date(t).getUTCDay();
    if (day !== 0 && day !== 6) out.push(new Date(t).toISOString().slice(0, 10));
  }
  return out;
}

/** Equity starting at 1 from daily returns (equity[i] is after return i). */
export function compound(returns: number[]): number[] {
  let e = 1;
  return returns.map((r) => (e *= 1 + r));
}

/** A small, self-contained metrics computation (annualised, 252 days). */
export function metricsOf(returns: number[], trades: number, exposure: number): Metrics {
  const n = returns.length;
  const mean = returns.reduce((s, r) => s + r, 0) / n;
  const sd = Math.sqrt(returns.reduce((s, r) => s + (r - mean) ** 2, 0) / (n - 1));
  const downside = Math.sqrt(returns.reduce((s, r) => s + Math.min(r, 0) ** 2, 0) / n);
  const equity = compound(returns);
  let peak = 1;
  let maxDrawdown = 0;
  for (const e of equity) {
    peak = Math.max(peak, e);
    maxDrawdown = Math.max(maxDrawdown, 1 - e / peak);
  }
  const total = equity[n - 1] - 1;
  const cagr = (1 + total) ** (252 / n) - 1;
  return {
    sharpe: (mean / sd) * Math.sqrt(252),
    sortino: (mean / downside) * Math.sqrt(252),
    cagr,
    maxDrawdown,
    trades,
    exposure,
    totalReturn: total,
    volatility: sd * Math.sqrt(252),
    calmar: maxDrawdown > 0 ? cagr / maxDrawdown : 0,
    winRate: 0.5 + mean * 40,
  };
}

const RULES: { expr: string; pretty: string }[] = [
  {
    expr: 'and(gt(close, sma(close, 200)), lt(rsi(close, 14), 35))',
    pretty: 'and(\n  gt(close, sma(close, 200)),\n  lt(rsi(close, 14), 35)\n)',
  },
  {
    expr: 'or(and(gt(ema(close, 20), ema(close, 100)), gt(roc(close, 63), 0.02)), lt(zscore(close, 20), -2.1))',
    pretty: 'or(\n  and(\n    gt(ema(close, 20), ema(close, 100)),\n    gt(roc(close, 63), 0.02)\n  ),\n  lt(zscore(close, 20), -2.1)\n)',
  },
  {
    expr: 'and(gt(close, highest(high, 55)), lt(atr(14), mul(1.5, sma(atr(14), 100))))',
    pretty: 'and(\n  gt(close, highest(high, 55)),\n  lt(atr(14), mul(1.5, sma(atr(14), 100)))\n)',
  },
  {
    expr: 'gt(sub(sma(close, 50), sma(close, 150)), mul(0.5, stdev(close, 50)))',
    pretty: 'gt(\n  sub(sma(close, 50), sma(close, 150)),\n  mul(0.5, stdev(close, 50))\n)',
  },
  {
    expr: 'and(lt(rsi(close, 2), 10), gt(close, sma(close, 100)), lt(volume, mul(2, sma(volume, 20))))',
    pretty: 'and(\n  lt(rsi(close, 2), 10),\n  gt(close, sma(close, 100)),\n  lt(volume, mul(2, sma(volume, 20)))\n)',
  },
];

const UNIVERSE = ['SPY', 'QQQ', 'TLT', 'GLD', 'IWM', 'EFA'];

function dataSection(rng: Rng): { symbols: SymbolSummary[]; findings: DataFinding[] } {
  const symbols: SymbolSummary[] = UNIVERSE.map((symbol, i) => {
    const first = ['2000-01-03', '2000-01-03', '2002-07-30', '2004-11-18', '2000-05-26', '2001-08-27'][i];
    return { symbol, first, last: '2026-06-09', rows: businessDays(first, '2026-06-09').length - 180, issues: 0 };
  });
  const kinds: [string, DataFinding['severity'], string][] = [
    ['gap', 'flagged', 'no bar on a NYSE trading day'],
    ['zero_volume', 'flagged', 'volume is 0'],
    ['unexplained_move', 'flagged', 'adjusted close moved −38.2 % without a split'],
    ['high_below_low', 'rejected', 'high 101.2 < low 101.9'],
    ['non_positive_price', 'rejected', 'close is 0'],
  ];
  const findings: DataFinding[] = [];
  for (let i = 0; i < 24; i++) {
    const [kind, severity, detail] = kinds[rng.int(0, kinds.length - 1)];
    const s = symbols[rng.int(0, symbols.length - 1)];
    s.issues++;
    const year = 2003 + rng.int(0, 20);
    findings.push({ symbol: s.symbol, date: `${year}-0${rng.int(1, 9)}-1${rng.int(0, 9)}`, kind, severity, detail });
  }
  return { symbols, findings };
}

/** Report data with only ingested data: fixture (b). */
export function dataOnlyReport(seed = 7): ReportData {
  return {
    meta: { title: 'Aegis research report', generatedAt: '2026-06-10T21:05:00Z', databasePath: 'data/aegis.sqlite', aegisVersion: '0.1.0' },
    data: dataSection(Rng.seeded(seed)),
    evolution: null,
    em: null,
    strategies: null,
    backtest: null,
    deployment: null,
  };
}

/** Report data with every section: fixture (a). */
export function fullReport(seed = 42): ReportData {
  const rng = Rng.seeded(seed);

  // --- backtest: ~10 years of out-of-sample days, a benchmark with a 2020 crash -------------------
  const dates = businessDays('2016-01-04', '2025-12-31');
  const bench: number[] = [];
  const strat: number[] = [];
  for (const d of dates) {
    const crash = d >= '2020-02-20' && d <= '2020-03-23';
    const bear = d >= '2022-01-04' && d <= '2022-10-12';
    const rb = crash ? -0.012 + 0.04 * rng.normal() : (bear ? -0.0008 : 0.0005) + 0.0105 * rng.normal();
    // The strategy is partly out of the market in the crash, so it falls less.
    const beta = crash ? 0.25 : 0.6;
    bench.push(rb);
    strat.push(beta * rb + 0.00018 + 0.0045 * rng.normal());
  }
  const equity = compound(strat);
  const benchEquity = compound(bench);

  const foldCount = 5;
  const per = Math.floor(dates.length / foldCount);
  const folds: BacktestFold[] = Array.from({ length: foldCount }, (_, i) => {
    const lo = i * per;
    const hi = i === foldCount - 1 ? dates.length - 1 : (i + 1) * per - 1;
    const trainFrom = `${Number(dates[lo].slice(0, 4)) - 4}${dates[lo].slice(4)}`;
    const oos = metricsOf(strat.slice(lo, hi + 1), 60 + rng.int(0, 30), 0.55 + 0.1 * rng.float());
    const isSharpe = oos.sharpe + 0.35 + 0.25 * rng.float();
    return {
      train: { from: trainFrom, to: dates[lo - 1] ?? `${Number(dates[lo].slice(0, 4)) - 1}-12-31` },
      test: { from: dates[lo], to: dates[hi] },
      expr: RULES[i % RULES.length].expr,
      is: { ...oos, sharpe: isSharpe, sortino: isSharpe * 1.4, cagr: oos.cagr + 0.04, trades: 240 + rng.int(0, 60) },
      oos,
    };
  });

  const trades: Trade[] = [];
  for (let i = 0; i < 620; i++) {
    const entry = rng.int(0, dates.length - 12);
    const hold = rng.int(2, 10);
    const price = 80 + 300 * rng.float();
    const ret = 0.002 + 0.035 * rng.normal();
    const open = i === 619;
    trades.push({
      symbol: UNIVERSE[rng.int(0, 3)],
      side: rng.chance(0.85) ? 'long' : 'short',
      entryDate: dates[entry],
      exitDate: open ? null : dates[entry + hold],
      entryPrice: price,
      exitPrice: open ? null : price * (1 + ret),
      return: open ? null : ret,
    });
  }
  trades.sort((a, b) => a.entryDate.localeCompare(b.entryDate));

  // --- evolution: 3 EM iterations × 30 generations × 2 species ---------------------------------
  const generations: GenerationStats[] = [];
  for (let em = 1; em <= 3; em++) {
    for (let g = 0; g < 30; g++) {
      for (const species of ['0', '1']) {
        const lift = species === '0' ? 0 : -0.12;
        const best = 0.4 + 0.1 * em + 0.9 * (1 - Math.exp(-g / 8)) + lift + 0.03 * rng.normal();
        generations.push({
          emIteration: em,
          generation: g,
          species,
          bestTrain: best,
          medianTrain: best - 0.55 + 0.04 * rng.normal(),
          bestValidation: best * 0.62 + 0.05 * rng.normal(),
          invalidShare: Math.max(0, 0.32 * Math.exp(-g / 10) + 0.04 + 0.01 * rng.normal()),
          diversity: Math.min(1, 0.55 + 0.4 * Math.exp(-g / 15) + 0.02 * rng.normal()),
        });
      }
    }
  }
  const trialSharpes = Array.from({ length: 6000 }, () => 0.15 + 0.45 * rng.normal() + (rng.chance(0.05) ? 0.8 * rng.float() : 0));

  // --- strategies ------------------------------------------------------------------------------
  const strategies: StrategyReport[] = RULES.map((rule, i) => {
    const returns = Array.from({ length: 750 }, () => 0.0007 - 0.0001 * i + 0.009 * rng.normal());
    const validation = Array.from({ length: 250 }, () => 0.0004 - 0.00012 * i + 0.009 * rng.normal());
    const train = metricsOf(returns, 180 + rng.int(0, 80), 0.6);
    return {
      id: `s${101 + i}`,
      rank: i + 1,
      expr: rule.expr,
      pretty: rule.pretty,
      species: String(i % 2),
      fitness: train.sharpe,
      train,
      validation: metricsOf(validation, 50 + rng.int(0, 30), 0.58),
    };
  });

  // --- EM ----------------------------------------------------------------------------------------
  const ids = strategies.map((s) => String(s.id));
  const iterations: EmIteration[] = [
    { iteration: 1, trainObjective: 0.92, validationObjective: 0.71, weights: { s101: 0.55, s102: 0.35 }, strategies: ids.slice(0, 2) },
    { iteration: 2, trainObjective: 1.18, validationObjective: 0.86, weights: { s101: 0.38, s102: 0.22, s103: 0.25, s104: 0.1 }, strategies: ids.slice(0, 4) },
    { iteration: 3, trainObjective: 1.27, validationObjective: 0.9, weights: { s101: 0.34, s102: 0.2, s103: 0.22, s105: 0.19 }, strategies: [ids[0], ids[1], ids[2], ids[4]] },
  ];

  // --- deployment: 60 trading days, paper, forced -----------------------------------------------
  const liveDates = businessDays('2026-03-16', '2026-06-09');
  const realised: number[] = [];
  const expected: number[] = [];
  let r = 100_000;
  let x = 1;
  for (let i = 0; i < liveDates.length; i++) {
    const common = 0.0005 + 0.008 * rng.normal();
    r *= 1 + common - 0.0002 + 0.0015 * rng.normal();
    x *= 1 + common;
    realised.push(r);
    expected.push(x);
  }
  const orders: DeploymentOrder[] = [];
  for (let i = 0; i < 48; i++) {
    const day = liveDates[Math.min(liveDates.length - 1, Math.floor(i * 1.2))];
    const symbol = UNIVERSE[i % 4];
    const status = i === 47 ? 'new' : i === 13 ? 'rejected' : i === 29 ? 'canceled' : 'filled';
    const price = 100 + 350 * rng.float();
    const notional = Math.round(2000 + 18000 * rng.float());
    orders.push({
      date: day,
      symbol,
      side: rng.chance(0.55) ? 'buy' : 'sell',
      notional,
      status,
      clientOrderId: `aegis-d7-${day.replaceAll('-', '')}-${symbol}-${i}`,
      filledQty: status === 'filled' ? Math.round((notional / price) * 1000) / 1000 : null,
      filledAvgPrice: status === 'filled' ? price : null,
    });
  }

  return {
    meta: { title: 'Aegis research report', generatedAt: '2026-06-10T21:05:00Z', databasePath: 'data/aegis.sqlite', aegisVersion: '0.1.0' },
    data: dataSection(rng),
    evolution: {
      runs: [{ runId: 12, grammar: 'default', metric: 'sharpe', trials: 6000, evaluations: 27_000, invalid: 2_860, stoppedEarly: false, generations, trialSharpes }],
    },
    em: {
      objective: 'Sharpe',
      iterations,
      finalWeights: iterations[2].weights,
      dropped: [{ id: 's104', because: 'correlated with s101', correlation: 0.87 }],
    },
    strategies,
    backtest: {
      backtestId: 3,
      kind: 'walk-forward',
      dates,
      equity,
      benchmark: { name: 'SPY', equity: benchEquity },
      folds,
      oos: metricsOf(strat, trades.length, 0.6),
      benchmarkMetrics: metricsOf(bench, 1, 1),
      psr: 0.987,
      dsr: 0.912,
      pbo: 0.18,
      trials: 6000,
      walkForwardEfficiency: 0.64,
      gate: {
        passed: false,
        reasons: ['DSR 0.912 is below the 0.95 required (6,000 trials)', 'OOS Sharpe 0.94 ≥ 0.5: ok', 'PBO 0.18 ≤ 0.5: ok'],
      },
      lookahead: { passed: true, detail: 'signals unchanged when future bars are perturbed (5 probes)' },
      stress: [
        { name: 'Q4 2018 sell-off', from: '2018-10-01', to: '2018-12-24', strategyReturn: -0.071, benchmarkReturn: -0.191, maxDrawdown: 0.094 },
        { name: 'COVID crash', from: '2020-02-19', to: '2020-03-23', strategyReturn: -0.112, benchmarkReturn: -0.337, maxDrawdown: 0.128 },
        { name: '2022 bear market', from: '2022-01-03', to: '2022-10-12', strategyReturn: -0.093, benchmarkReturn: -0.245, maxDrawdown: 0.141 },
      ],
      trades,
    },
    deployment: {
      deploymentId: 7,
      mode: 'paper',
      broker: 'simulator',
      forced: true,
      forcedReason: 'operator override: paper-trading to gather live evidence',
      status: 'running',
      positions: [
        { symbol: 'SPY', weight: 0.338, target: 0.34 },
        { symbol: 'QQQ', weight: 0.171, target: 0.2 },
        { symbol: 'TLT', weight: 0.224, target: 0.22 },
        { symbol: 'GLD', weight: 0.19, target: 0.19 },
      ],
      orders,
      realised: { dates: liveDates, equity: realised },
      expected: { dates: liveDates, equity: expected },
      safety: { breakerTripped: false, killSwitchEngaged: false, detail: null },
    },
  };
}

/**
 * Every section present but as thin as the model allows: one species, no EM loop iterations beyond
 * one, no trial Sharpes, a single backtest without benchmark, folds, trades or stress windows, a
 * live deployment with a tripped breaker and nothing else. The code paths a real first run takes.
 */
export function sparseReport(seed = 5): ReportData {
  const rng = Rng.seeded(seed);
  const base = dataOnlyReport(seed);
  const dates = businessDays('2024-01-02', '2024-12-31');
  const equity = compound(dates.map(() => 0.0002 + 0.01 * rng.normal()));
  const core = (sharpe: number): Metrics => ({ sharpe, sortino: sharpe * 1.3, cagr: 0.05, maxDrawdown: 0.12, trades: 12, exposure: 0.4 });
  return {
    ...base,
    evolution: {
      runs: [
        {
          runId: 'r1',
          grammar: 'grammars/tiny.bnf',
          metric: 'sortino',
          trials: 40,
          evaluations: 60,
          invalid: 0,
          stoppedEarly: true,
          generations: Array.from({ length: 5 }, (_, g) => ({
            emIteration: 0,
            generation: g,
            species: 'all',
            bestTrain: 0.2 + 0.1 * g,
            medianTrain: 0.1 * g,
            bestValidation: 0.15 + 0.05 * g,
            invalidShare: 0,
            diversity: 1 - 0.1 * g,
          })),
          trialSharpes: [],
        },
      ],
    },
    em: { objective: null, iterations: [{ iteration: 1, trainObjective: 0.6, validationObjective: 0.4, weights: { only: 1 }, strategies: ['only'] }], finalWeights: { only: 1 }, dropped: [] },
    strategies: [{ id: 1, rank: 1, expr: 'gt(close, sma(close, 50))', pretty: 'gt(close, sma(close, 50))', species: 'all', fitness: 0.6, train: core(0.6), validation: core(0.4) }],
    backtest: {
      backtestId: 'b1',
      kind: 'single',
      dates,
      equity,
      benchmark: null,
      folds: [],
      oos: core(0.3),
      benchmarkMetrics: null,
      psr: 0.61,
      dsr: 0.2,
      pbo: null,
      trials: 40,
      walkForwardEfficiency: null,
      gate: { passed: true, reasons: [] },
      lookahead: null,
      stress: [],
      trades: [],
    },
    deployment: {
      deploymentId: 'd1',
      mode: 'live',
      broker: 'alpaca',
      forced: false,
      forcedReason: null,
      status: 'paused',
      positions: [],
      orders: [],
      realised: { dates: ['2025-01-02', '2025-01-03'], equity: [10_000, 9_900] },
      expected: null,
      safety: { breakerTripped: true, killSwitchEngaged: false, detail: 'daily loss 3.1 % beyond the 3 % limit' },
    },
  };
}
