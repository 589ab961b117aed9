import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileRule } from '../../src/strategy/compile.js';
import { FUNCTIONS, isPriceField } from '../../src/strategy/functions.js';
import { IndicatorCache } from '../../src/strategy/cache.js';
import { evaluatePositions } from '../../src/strategy/evaluate.js';
import { referencePositions } from '../../src/strategy/reference.js';
import { syntheticPanel } from './helpers/panel.js';

const grammar = (name: string): string => readFileSync(fileURLToPath(new URL(`../../grammars/${name}.bnf`, import.meta.url)), 'utf8');

/** Phenotypes in the exact shape grammars/default.bnf and long_short.bnf derive (no spaces). */
const PHENOTYPES: readonly string[] = [
  // trend
  'gt(close,sma(close,200))',
  'cross_above(close,ema(close,50))',
  'and(gt(ema(close,20),sma(close,100)),gt(roc(sma(close,200),20),0))',
  'cross_above(sma(close,10),ema(close,200))',
  'lt(roc(ema(close,50),5),0)',
  'gt(close,lag(highest(high,50),1))',
  'lt(close,lag(lowest(low,20),1))',
  'gt(close,mul(sma(close,50),1.05))',
  'lt(close,mul(sma(close,200),0.9))',
  // mean reversion
  'lt(rsi(close,2),10)',
  'cross_above(rsi(close,14),30)',
  'cross_below(rsi(close,21),70)',
  'and(gt(close,sma(close,200)),lt(rsi(close,5),25))',
  'lt(close,bb_lower(close,20,2))',
  'cross_below(close,bb_upper(close,50,2.5))',
  'lt(stoch_k(14,3),20)',
  'cross_above(stoch_k(5,3),stoch_d(5,3))',
  'and(lt(roc(close,3),-5),gt(close,sma(close,100)))',
  // momentum
  'gt(roc(close,250),10)',
  'cross_above(macd_hist(close,12,26,9),0)',
  'and(gt(macd(close,5,35,5),0),gt(macd_hist(close,5,35,5),0))',
  // regime and volatility
  'and(gt(adx(14),25),gt(close,ema(close,50)))',
  'lt(div(atr(14),close),0.02)',
  'gt(stdev(roc(close,1),10),stdev(roc(close,1),100))',
  'gt(sub(high,low),mul(atr(20),2))',
  // volume
  'and(gt(volume,mul(sma(volume,20),2)),gt(close,lag(highest(high,20),1)))',
  'gt(sma(volume,5),sma(volume,50))',
  // combinations the top-level productions build
  'latch(cross_above(close,sma(close,50)),cross_below(close,sma(close,50)))',
  'or(lt(rsi(close,2),10),not(gt(div(atr(10),close),0.05)))',
  'latch(lt(stoch_k(21,5),20),or(gt(stoch_k(21,5),80),lt(close,lag(lowest(low,10),1))))',
  // long_short.bnf
  'long_short(gt(close,sma(close,200)),lt(close,sma(close,200)))',
  'long_short(latch(cross_above(macd_hist(close,8,17,9),0),lt(rsi(close,14),40)),and(lt(close,ema(close,100)),gt(adx(28),20)))',
];

describe('grammar-style phenotypes', () => {
  it.each(PHENOTYPES)('%s parses and type-checks', (text) => {
    const r = compileRule(text);
    if (!r.ok) throw new Error(r.error);
    expect(r.rule.text).toBe(text); // already canonical: the grammar writes no spaces
    expect(r.rule.type).toBe(text.startsWith('long_short') ? 'position' : 'bool');
  });

  it('evaluate identically on the fast path and the reference evaluator', () => {
    const p = syntheticPanel(31, 2, 600, { maxListing: 100 });
    const cache = new IndicatorCache(p);
    for (const text of PHENOTYPES) {
      const r = compileRule(text);
      if (!r.ok) throw new Error(r.error);
      expect(Array.from(evaluatePositions(r.rule, p, cache)), text).toEqual(Array.from(referencePositions(r.rule, p, cache)));
    }
  });
});

describe('grammar files', () => {
  it('use only names the language knows', () => {
    for (const name of ['default', 'long_short']) {
      const text = grammar(name).replace(/#.*$/gm, '').replace(/<[^<>\s]+>/g, ' ');
      for (const m of text.matchAll(/([a-z_]+)\(/g)) {
        expect(FUNCTIONS.has(m[1]), `${name}.bnf: ${m[1]}`).toBe(true);
      }
      for (const m of text.matchAll(/[(,]([a-z_]+)[,)]/g)) expect(isPriceField(m[1]), `${name}.bnf: ${m[1]}`).toBe(true);
    }
  });

  it('long_short.bnf carries an identical copy of the default conditions', () => {
    const body = (t: string): string => t.slice(t.indexOf('<cond> ::='));
    expect(body(grammar('long_short'))).toBe(body(grammar('default')));
  });
});
