import type { Rng } from '../../../src/domain/rng.js';
import { call, field, num, type Node } from '../../../src/strategy/ast.js';
import { PRICE_FIELDS } from '../../../src/strategy/functions.js';

/**
 * Seeded generator of well-typed rules for evaluation tests: short periods (so warm-ups end
 * early on a few hundred bars), constants near the values series actually take (so comparisons
 * flip), every function of the language reachable, shared subtrees likely (small choice sets).
 */

const PERIODS = [1, 2, 3, 5, 8, 13];
const CONSTANTS = [0, 1, -1, 0.5, 2, 20, 30, 50, 70, 80, 100, 150];

export function randomSeries(rng: Rng, depth: number): Node {
  const period = (): Node => num(rng.pick(PERIODS));
  if (depth <= 0 || rng.chance(0.35)) return field(rng.pick(PRICE_FIELDS));
  const inner = (): Node => randomSeries(rng, depth - 1);
  switch (rng.int(0, 12)) {
    case 0:
      return call(rng.pick(['sma', 'ema'] as const), inner(), period());
    case 1:
      return call(rng.pick(['rsi', 'roc', 'stdev'] as const), inner(), period());
    case 2:
      return call(rng.pick(['highest', 'lowest'] as const), inner(), period());
    case 3:
    case 4:
      return call('lag', inner(), period());
    case 5: {
      const fast = rng.int(1, 4);
      return call(rng.pick(['macd', 'macd_signal', 'macd_hist'] as const), inner(), num(fast), num(fast + rng.int(1, 6)), period());
    }
    case 6:
      return call(rng.pick(['bb_upper', 'bb_lower'] as const), inner(), num(rng.int(2, 10)), num(rng.pick([0.5, 1, 2])));
    case 7:
      return call(rng.pick(['atr', 'adx'] as const), num(rng.int(1, 8)));
    case 8:
      return call(rng.pick(['stoch_k', 'stoch_d'] as const), num(rng.int(1, 8)), num(rng.int(1, 3)));
    default: {
      const op = rng.pick(['add', 'sub', 'mul', 'div'] as const);
      const [a, b] = randomPair(rng, depth - 1);
      return call(op, a, b);
    }
  }
}

/** A series and an operand (series or constant), in random order. */
function randomPair(rng: Rng, depth: number): [Node, Node] {
  const s = randomSeries(rng, depth);
  const o = rng.chance(0.4) ? num(rng.pick(CONSTANTS)) : randomSeries(rng, depth);
  return rng.chance(0.5) ? [s, o] : [o, s];
}

export function randomBool(rng: Rng, depth: number): Node {
  if (depth <= 0 || rng.chance(0.3)) {
    const [a, b] = randomPair(rng, 2);
    return call(rng.pick(['gt', 'lt', 'gt', 'lt', 'cross_above', 'cross_below'] as const), a, b);
  }
  switch (rng.int(0, 5)) {
    case 0:
    case 1:
      return call('and', randomBool(rng, depth - 1), randomBool(rng, depth - 1));
    case 2:
      return call('or', randomBool(rng, depth - 1), randomBool(rng, depth - 1));
    case 3:
      return call('not', randomBool(rng, depth - 1));
    default:
      return call('latch', randomBool(rng, depth - 1), randomBool(rng, depth - 1));
  }
}

/** A bool rule, or (one time in four) a long_short rule. */
export function randomRule(rng: Rng, depth = 3): Node {
  if (rng.chance(0.25)) return call('long_short', randomBool(rng, depth - 1), randomBool(rng, depth - 1));
  return randomBool(rng, depth);
}
