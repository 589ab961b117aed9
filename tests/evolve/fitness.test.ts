import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { buildPanel } from '../../src/data/panel.js';
import { Rng } from '../../src/domain/rng.js';
import type { Bar } from '../../src/domain/types.js';
import { scoreRule } from '../../src/evolve/fitness.js';
import { RuleEvaluator } from '../../src/evolve/evaluator.js';
import { fitnessSettings, seedGenomes } from '../../src/evolve/runEvolve.js';
import { openDb } from '../../src/store/db.js';
import { RunStore } from '../../src/store/runStore.js';
import { loadGrammar } from '../../src/ge/grammar.js';
import { mapGenome } from '../../src/ge/mapper.js';
import { computeMetrics } from '../../src/backtest/metrics.js';
import { splitWindows } from '../../src/evolve/windows.js';
import { compileRule, IndicatorCache } from '../../src/strategy/index.js';
import { syntheticBars } from '../helpers/synthetic.js';

describe('fitness windows', () => {
  const bars = syntheticBars(Rng.seeded(3), { days: 900, sigma: 0.012, mu: 0.001 });
  const score = (series: Bar[], text: string) => {
    const { panel, startIndex } = buildPanel(['S'], new Map([['S', series]]), { from: null, to: null, warmup: 0 });
    const windows = splitWindows(panel.dates, startIndex + 250, { fraction: 0.3, from: null });
    const config = loadConfig();
    const settings = { ...fitnessSettings(config, windows, 1, 'profit-factor'), signature: false };
    const c = compileRule(text);
    if (!c.ok) throw new Error(c.error);
    return { windows, result: scoreRule(c.rule, panel, new IndicatorCache(panel), settings, {}) };
  };

  it('no validation price reaches the train fitness, also through a trade open across the boundary', () => {
    const rule = 'gt(close,sma(close,50))';
    const base = score(bars, rule);
    const validFrom = base.windows.validFrom;
    // Triple every price from the validation start on: a trade still open at the boundary would
    // carry that jump into its return.
    const shocked = bars.map((b) => (b.date < validFrom ? b : { ...b, open: b.open * 3, high: b.high * 3, low: b.low * 3, close: b.close * 3, adjClose: b.adjClose * 3 }));
    const after = score(shocked, rule);
    expect(after.result.train).toEqual(base.result.train);
    expect(after.result.fitness).toBe(base.result.fitness);
    expect(after.result.validationMetrics).not.toEqual(base.result.validationMetrics);
  });
});

describe('the rule evaluator', () => {
  const series = new Map([
    ['A', syntheticBars(Rng.seeded(5), { days: 700, sigma: 0.01, mu: 0.0008 })],
    ['B', syntheticBars(Rng.seeded(6), { days: 700, sigma: 0.015 })],
  ]);
  const { panel, startIndex } = buildPanel(['A', 'B'], series, { from: null, to: null, warmup: 0 });
  const windows = splitWindows(panel.dates, startIndex + 250, { fraction: 0.3, from: null });
  const settings = { ...fitnessSettings(loadConfig(), windows, 2, 'sharpe'), signature: true };
  const rules = ['gt(close,sma(close,50))', 'lt(rsi(close,14),30)', 'gt(close,sma(close,20))', 'gt(adx(14),25)', 'lt(close,sma(close,200))', 'gt(roc(close,20),0)'];

  it('every valid rule of a batch gets its signature, even when the batch evicts the stored ones', async () => {
    const ev = new RuleEvaluator(panel, settings, { workers: 0, keepSignatures: 3 });
    try {
      await ev.evaluate(rules.slice(0, 3));
      // The first rule's signature is stored; the three new rules of this batch push it out.
      const out = await ev.evaluate([rules[0], ...rules.slice(3)]);
      for (const [i, r] of out.entries()) {
        expect(r.valid, String(i)).toBe(true);
        if (r.valid) expect(r.signature?.length, String(i)).toBe(windows.validStart - windows.trainStart);
      }
    } finally {
      await ev.close();
    }
  });

  it('counts every distinct valid rule once as a trial, across batches and new settings', async () => {
    const ev = new RuleEvaluator(panel, settings, { workers: 0, keepSignatures: 0 });
    try {
      await ev.evaluate([rules[0], rules[1], null, 'gt(close,', rules[0]]);
      await ev.evaluate([rules[1], rules[2], 'and(gt(close,sma(close,50)),gt(close,sma(close,50)))']);
      ev.updateSettings({ ...settings, assetWeights: Float64Array.from([0.8, 0.2]) });
      await ev.evaluate([rules[2], rules[3]]);
      expect(ev.counts.trials).toBe(5); // rules 0-3 and the and(...) rule
      expect(ev.counts.invalid).toBe(2);
      expect(ev.counts.evaluations).toBe(10);
      expect(ev.trialSharpes).toHaveLength(5);
    } finally {
      await ev.close();
    }
  });

  it('scores train for every rule and validation only when asked, with the numbers of a full score, in-thread and on workers', async () => {
    for (const workers of [0, 2]) {
      const ev = new RuleEvaluator(panel, { ...settings, signature: false }, { workers, keepSignatures: 0 });
      try {
        const scores = await ev.evaluate(rules);
        for (const s of scores) expect(Number.isNaN(s.validation)).toBe(true);
        expect([...ev.results.values()].every((r) => r.validationMetrics === null)).toBe(true);
        const trials = ev.counts.trials;
        // Another spelling of rules[1] (same canonical text) is the same rule.
        const asked = [rules[4], 'lt( rsi(close, 14), 30 )'];
        const values = await ev.validate(asked);
        expect(ev.counts.trials).toBe(trials); // validating is not a new trial
        for (const [i, text] of [rules[4], rules[1]].entries()) {
          const c = compileRule(text);
          if (!c.ok) throw new Error(c.error);
          const full = scoreRule(c.rule, panel, new IndicatorCache(panel), { ...settings, signature: false }, {});
          expect(values[i]).toBe(full.validation);
          const kept = ev.results.get(c.rule.text)!;
          expect(kept.validationMetrics).toEqual(full.validationMetrics);
          expect(kept.fitness).toBe(full.fitness);
          expect(kept.train).toEqual(full.train);
        }
        // The others stay unvalidated; a later train batch does not undo a validation.
        expect(Number.isNaN(ev.results.get(ev.canonical(rules[0]))!.validation)).toBe(true);
        const again = await ev.evaluate([rules[4]]);
        expect(again[0].validation).toBe(values[0]);
        // A rule never scored is scored on train first, and counted as a trial.
        const fresh = await ev.validate(['gt(close,sma(close,77))']);
        expect(Number.isFinite(fresh[0])).toBe(true);
        expect(ev.counts.trials).toBe(trials + 1);
      } finally {
        await ev.close();
      }
    }
  });

  it('workers give the in-thread scores also when the shared comparison columns are evicted and their slots reused', async () => {
    const many = [...rules, 'cross_above(close,sma(close,30))', 'and(gt(close,ema(close,12)),lt(rsi(close,7),70))', 'or(gt(adx(14),20),cross_below(close,sma(close,10)))', 'not(gt(close,sma(close,100)))'];
    const plain = new RuleEvaluator(panel, { ...settings, signature: false }, { workers: 0, keepSignatures: 0 });
    const n = panel.N * panel.T;
    // Room for three columns: nearly every new comparison evicts one, within and across batches.
    const tight = new RuleEvaluator(panel, { ...settings, signature: false }, { workers: 2, keepSignatures: 0, sharedBoolBytes: 3 * ((n + 3) & ~3) });
    try {
      for (const batch of [many.slice(0, 6), many.slice(3), [...many].reverse()]) {
        const a = await plain.evaluate(batch);
        const b = await tight.evaluate(batch);
        expect(b.map((x) => x.fitness)).toEqual(a.map((x) => x.fitness));
      }
      expect(await tight.validate(many)).toEqual(await plain.validate(many));
    } finally {
      await plain.close();
      await tight.close();
    }
  });
});

describe('seeding from earlier runs', () => {
  it('takes rules only from runs whose data ended by the new run\'s last day', () => {
    const db = openDb(':memory:');
    const runs = new RunStore(db);
    const grammar = loadGrammar('default');
    const metrics = computeMetrics({ returns: new Float64Array(0) });
    const run = (validTo: string, expr: string) => {
      const id = runs.createRun({
        purpose: 'evolve', config: {}, configHash: 'h', seed: 1, grammar: 'default', grammarHash: 'other-grammar', symbols: ['SPY'],
        trainFrom: '2005-01-03', trainTo: '2008-12-31', validFrom: '2009-01-02', validTo, dataHash: 'd', codeVersion: 'v', metric: 'sharpe', observations: 1,
      });
      runs.replaceStrategies(id, 0, [{ emIteration: 0, rank: 1, expr, genome: [], species: 0, nodes: 1, fitness: 1, validationFitness: 1, train: metrics, validation: metrics }]);
      runs.finishRun(id, 'finished', false);
      return id;
    };
    run('2010-12-31', 'gt(close,sma(close,200))');
    run('2020-12-31', 'lt(rsi(close,14),30)'); // saw prices after 2012: a fold ending then must not use it
    const current = run('2012-12-31', 'gt(adx(14),25)');
    const seeds = seedGenomes(runs, grammar, 'this-grammar', 5, '2012-12-31', current);
    const phenotypes = seeds.map((g) => mapGenome(grammar, g).phenotype);
    expect(phenotypes).toEqual(['gt(close,sma(close,200))']);
    db.close();
  });
});
