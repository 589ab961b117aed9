import type { Config } from '../config/schema.js';

export interface GateInput {
  kind: 'single' | 'walk-forward';
  oosSharpe: number | null;
  dsr: number | null;
  maxDrawdown: number | null;
  lookahead: { passed: boolean } | null;
}

export interface GateVerdict {
  passed: boolean;
  reasons: string[];
}

/**
 * Gate G0, backtest -> paper: walk-forward out-of-sample results that clear the configured
 * Sharpe, Deflated Sharpe and drawdown thresholds, and a passed lookahead check. The reasons list
 * says what passed and what failed, so the verdict explains itself.
 */
export function gateG0(input: GateInput, gate: Config['backtest']['gate']): GateVerdict {
  const fails: string[] = [];
  const passes: string[] = [];
  if (input.kind !== 'walk-forward') fails.push('not a walk-forward backtest: G0 needs out-of-sample results (aegis backtest --walk-forward)');
  const check = (ok: boolean, good: string, bad: string) => (ok ? passes : fails).push(ok ? good : bad);
  if (input.oosSharpe === null) fails.push('no out-of-sample Sharpe ratio');
  else check(input.oosSharpe >= gate.minOosSharpe, `OOS Sharpe ${input.oosSharpe.toFixed(2)} >= ${gate.minOosSharpe}`, `OOS Sharpe ${input.oosSharpe.toFixed(2)} below ${gate.minOosSharpe}`);
  if (input.dsr === null) fails.push('no Deflated Sharpe Ratio');
  else check(input.dsr >= gate.minDsr, `DSR ${input.dsr.toFixed(3)} >= ${gate.minDsr}`, `DSR ${input.dsr.toFixed(3)} below ${gate.minDsr} (the result is not distinguishable from the best of that many random trials)`);
  if (input.maxDrawdown === null) fails.push('no drawdown measured');
  else check(input.maxDrawdown <= gate.maxDrawdown, `max drawdown ${(input.maxDrawdown * 100).toFixed(1)}% within ${(gate.maxDrawdown * 100).toFixed(0)}%`, `max drawdown ${(input.maxDrawdown * 100).toFixed(1)}% above ${(gate.maxDrawdown * 100).toFixed(0)}%`);
  if (gate.requireLookahead) {
    if (!input.lookahead) fails.push('lookahead check not run (use --check-lookahead)');
    else check(input.lookahead.passed, 'lookahead check passed', 'lookahead check failed');
  }
  return { passed: fails.length === 0, reasons: fails.length ? fails : passes };
}
