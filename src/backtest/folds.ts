import { addDays, addSpan } from '../domain/dates.js';
import { InputError } from '../domain/errors.js';

export interface FoldPlan {
  fold: number;
  trainFrom: string;
  trainTo: string;
  testFrom: string;
  testTo: string;
}

/**
 * Walk-forward folds over [from, to]: each trains on `train` and tests on the following `test`;
 * rolling windows slide by the test length, anchored ones keep the first training day. The last
 * test window may be shorter (it ends at `to`).
 */
export function planFolds(from: string, to: string, train: string, test: string, anchored: boolean): FoldPlan[] {
  const folds: FoldPlan[] = [];
  let trainFrom = from;
  let testFrom = addSpan(from, train);
  while (testFrom <= to) {
    const testTo = minDate(addDays(addSpan(testFrom, test), -1), to);
    folds.push({ fold: folds.length + 1, trainFrom, trainTo: addDays(testFrom, -1), testFrom, testTo });
    testFrom = addDays(testTo, 1);
    if (!anchored) trainFrom = addSpan(trainFrom, test);
  }
  if (folds.length === 0) {
    throw new InputError(`walk-forward: ${from}..${to} is shorter than one training window (${train}) plus a test window; widen --from/--to or shorten --train`);
  }
  return folds;
}

function minDate(a: string, b: string): string {
  return a < b ? a : b;
}
