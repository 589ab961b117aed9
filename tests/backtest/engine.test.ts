import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { buildPanel } from '../../src/data/panel.js';
import { Rng } from '../../src/domain/rng.js';
import type { Panel } from '../../src/domain/types.js';
import { metricsOf, significance, tradePortfolio } from '../../src/backtest/engine.js';
import { uniformPortfolio } from '../../src/backtest/portfolio.js';
import { checkLookahead } from '../../src/backtest/lookahead.js';
import { applyRegimeFilter } from '../../src/backtest/regime.js';
import { stressWindows } from '../../src/backtest/stress.js';
import { gateG0 } from '../../src/backtest/gate.js';
import { planFolds } from '../../src/backtest/folds.js';
import { scoreRule, uniformWeights } from '../../src/evolve/fitness.js';
import { BoolMemo, compileRule, evaluatePositions, IndicatorCache, type CompiledRule } from '../../src/strategy/index.js';
import { syntheticBars } from '../helpers/synthetic.js';

const config = loadConfig();

function synthPanel(n: number, days: number, seed: number): Panel {
  const rng = Rng.seeded(seed);
  const symbols = Array.from({ length: n }, (_, i) => `S${i}`);
  const series = new Map(symbols.map((s) => [s, syntheticBars(rng.fork(), { days, start: '2005-01-03', mu: 0.0005 })]));
  return buildPanel(symbols, series, { from: null, to: null, warmup: 0 }).panel;
}

const rule = (text: string): CompiledRule => {
  const c = compileRule(text);
  if (!c.ok) throw new Error(c.error);
  return c.rule;
};

describe('one simulator for evolve and backtest', () => {
  it("evolve's fitness path and backtest give the same result for the same rule", () => {
    const panel = synthPanel(4, 1500, 1);
    const expr = 'and(gt(close,sma(close,50)),lt(rsi(close,14),70))';
    const trainStart = 250;
    const validStart = 1000;
    const fit = scoreRule(rule(expr), panel, new IndicatorCache(panel), {
      metric: 'sharpe', metricWeights: null, penalties: config.evolve.penalties, execution: config.execution,
      initialCapital: config.backtest.initialCapital, trainStart, validStart, validEnd: panel.T, assetWeights: uniformWeights(4), signature: false,
    }, {}, new BoolMemo());
    // Each window is its own simulation, starting flat (no validation price reaches train).
    const trainBt = tradePortfolio(panel, uniformPortfolio(expr, panel.symbols), trainStart, validStart, config, null);
    const validBt = tradePortfolio(panel, uniformPortfolio(expr, panel.symbols), validStart, panel.T, config, null);
    expect(metricsOf(trainBt.sim)).toEqual(fit.train);
    expect(metricsOf(validBt.sim)).toEqual(fit.validationMetrics);
    expect(fit.train.trades).toBeGreaterThan(5);
  });
});

describe('lookahead check', () => {
  const panel = synthPanel(3, 600, 2);

  it('passes a causal rule', () => {
    const r = rule('cross_above(ema(close,10),sma(close,30))');
    const out = checkLookahead('ema cross', (p) => evaluatePositions(r, p, new IndicatorCache(p)).slice(), panel, { start: 100, cutoffs: 12 });
    expect(out).toMatchObject({ passed: true, cutoffs: 12 });
  });

  it('catches a deliberately leaky indicator and names the rule and date', () => {
    // "Long when tomorrow closes higher": reads the next bar.
    const leaky = (p: Panel) => {
      const pos = new Int8Array(p.N * p.T);
      for (let a = 0; a < p.N; a++) for (let t = 0; t + 1 < p.T; t++) pos[a * p.T + t] = p.close[a * p.T + t + 1] > p.close[a * p.T + t] ? 1 : 0;
      return pos;
    };
    const out = checkLookahead('peek(close,1)', leaky, panel, { start: 100, cutoffs: 12 });
    expect(out.passed).toBe(false);
    expect(out.detail).toMatch(/^peek\(close,1\): the position of S\d on \d{4}-\d{2}-\d{2} is \d with data up to \d{4}-\d{2}-\d{2} but \d with the full data/);
  });
});

describe('regime filter', () => {
  it('holds exposure only while the benchmark closes above its average, else the defensive asset', () => {
    const panel = synthPanel(2, 40, 3);
    const targets = new Float64Array(2 * 40).fill(0.5);
    const bench = Float64Array.from({ length: 40 }, (_, t) => (t < 20 ? 100 + t : 140 - 2 * t)); // rises, then falls
    applyRegimeFilter(targets, panel, { benchmarkClose: bench, period: 5, defensive: 1 });
    expect(targets[0 * 40 + 2]).toBe(0); // not enough history: no exposure
    expect(targets[1 * 40 + 2]).toBe(1); // the defensive asset takes the weight
    expect(targets[0 * 40 + 10]).toBe(0.5); // above its average
    expect(targets[0 * 40 + 35]).toBe(0); // below
    expect(targets[1 * 40 + 35]).toBe(1);
  });
});

describe('stress windows, gate, folds', () => {
  it('reports the windows the data covers', () => {
    const dates = ['2020-02-18', '2020-02-19', '2020-03-02', '2020-03-23', '2020-03-24'];
    const r = stressWindows(dates, [0, -0.1, -0.2, 0.1, 0], [0, -0.05, -0.1, 0.05, 0]);
    expect(r).toHaveLength(1);
    expect(r[0].name).toBe('2020 crash');
    expect(r[0].strategyReturn).toBeCloseTo(0.9 * 0.8 * 1.1 - 1, 12);
    expect(r[0].maxDrawdown).toBeCloseTo(1 - 0.72, 12);
  });

  it('gate G0 passes only walk-forward results that clear every threshold', () => {
    const g = config.backtest.gate;
    const good = { kind: 'walk-forward' as const, oosSharpe: 1.2, dsr: 0.97, maxDrawdown: 0.2, lookahead: { passed: true } };
    expect(gateG0(good, g).passed).toBe(true);
    expect(gateG0({ ...good, kind: 'single' }, g).passed).toBe(false);
    const bad = gateG0({ ...good, dsr: 0.5, lookahead: { passed: false } }, g);
    expect(bad.passed).toBe(false);
    expect(bad.reasons).toEqual(['DSR 0.500 below 0.95 (the result is not distinguishable from the best of that many random trials)', 'lookahead check failed']);
  });

  it('plans rolling and anchored folds', () => {
    const rolling = planFolds('2006-01-01', '2020-12-31', '5y', '2y', false);
    expect(rolling.map((f) => [f.trainFrom, f.trainTo, f.testFrom, f.testTo])).toEqual([
      ['2006-01-01', '2010-12-31', '2011-01-01', '2012-12-31'],
      ['2008-01-01', '2012-12-31', '2013-01-01', '2014-12-31'],
      ['2010-01-01', '2014-12-31', '2015-01-01', '2016-12-31'],
      ['2012-01-01', '2016-12-31', '2017-01-01', '2018-12-31'],
      ['2014-01-01', '2018-12-31', '2019-01-01', '2020-12-31'],
    ]);
    const anchored = planFolds('2006-01-01', '2012-06-30', '5y', '1y', true);
    expect(anchored.map((f) => [f.trainFrom, f.testFrom, f.testTo])).toEqual([
      ['2006-01-01', '2011-01-01', '2011-12-31'],
      ['2006-01-01', '2012-01-01', '2012-06-30'],
    ]);
    expect(() => planFolds('2006-01-01', '2008-01-01', '5y', '1y', false)).toThrow(/shorter than one training window/);
  });
});

describe('significance (PSR / DSR of a result)', () => {
  const returns = Array.from({ length: 1000 }, (_, i) => 0.001 + 0.01 * Math.sin(i * 1.7));
  it('bounds the trials\' Sharpe variance by the variance noise alone produces (1/T)', () => {
    const wide = significance(returns, 500, 0.01, 750); // dispersion from real signal: capped
    expect(wide.sharpeVariance).toBeCloseTo(1 / 750, 15);
    const narrow = significance(returns, 500, 0.0002, 750); // correlated trials: kept as recorded
    expect(narrow.sharpeVariance).toBe(0.0002);
    expect(narrow.dsr).toBeGreaterThan(wide.dsr);
    // More trials, a higher bar.
    expect(significance(returns, 5000, 0.0002, 750).dsr).toBeLessThan(narrow.dsr);
  });
  it('one trial: the DSR is the PSR', () => {
    const one = significance(returns, 1, 0.001, 750);
    expect(one.dsr).toBeCloseTo(one.psr, 12);
    expect(one.expectedMaxSharpe).toBe(0);
  });
});
