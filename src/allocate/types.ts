/**
 * Shared types of the allocation core: sleeves (return streams), constraints, method outputs and
 * the result `allocate` hands to reports.
 */

/**
 * The daily return stream of one (strategy, asset) pair. `returns` are simple daily returns net of
 * costs; every sleeve passed to one allocation has the same length T and the same calendar.
 */
export interface Sleeve {
  id: string;
  strategyId: string;
  asset: string;
  returns: Float64Array;
}

/**
 * Portfolio constraints. Weights are fractions of capital; whatever is not allocated is cash
 * earning 0.
 */
export interface Constraints {
  /** Only long-only allocation is supported; kept explicit so configs say what they mean. */
  longOnly: true;
  /** Largest total invested weight, in (0, 1]; the rest is cash. Default 1. */
  maxTotal: number;
  /** Largest weight of any one sleeve, in (0, 1]. Default 1. */
  maxWeightPerSleeve: number;
  /** Largest summed weight of the sleeves trading the same asset, in (0, 1]. Default 1. */
  maxWeightPerAsset: number;
  /**
   * Smallest non-zero weight, in [0, min of the caps]: smaller weights become 0 and their capital
   * is redistributed over the other sleeves (caps still respected). Default 0.
   */
  minWeight: number;
}

/** What callers may pass: any subset of the constraints; the rest take their defaults. */
export type ConstraintsInput = Partial<Constraints>;

/** The allocation methods `allocate` dispatches to. */
export const ALLOCATION_METHODS = [
  'equal',
  'inverse-vol',
  'min-variance',
  'risk-parity',
  'max-sharpe',
  'evolve',
] as const;

export type AllocationMethod = (typeof ALLOCATION_METHODS)[number];

/**
 * A quantity to maximise over the daily returns of a candidate portfolio (e.g. Sharpe, Calmar).
 * The array may be reused between calls: copy it if you need to keep it.
 */
export type Objective = (portfolioReturns: Float64Array) => number;

/** Diagnostics a method reports about how it reached its weights (all optional). */
export interface MethodDiagnostics {
  /** Indices of sleeves given weight 0 because their returns have (numerically) zero variance. */
  zeroVariance?: number[];
  /** Ledoit–Wolf (or fixed) covariance shrinkage intensity in [0, 1]. */
  covarianceShrinkage?: number;
  /** Shrinkage intensity of the expected returns towards their grand mean, in [0, 1]. */
  meanShrinkage?: number;
  /** Iterations of the solver (active-set steps, Newton steps or generations). */
  iterations?: number;
  /**
   * Whether the solver met its tolerance within its iteration budget. For evolve: whether the
   * search stopped because the best stopped improving (patience) rather than at the budget.
   */
  converged?: boolean;
  /** Risk parity: largest relative deviation of a risk contribution from its budget. */
  riskContributionError?: number;
  /** Evolve: best objective found, and the objective of (projected) equal weights. */
  objective?: number;
  equalWeightObjective?: number;
  /** Evolve: candidate portfolios evaluated. */
  evaluations?: number;
  /** Human-readable remarks (fallbacks taken and why). */
  notes: string[];
}

/** A method's proportions (non-negative, summing to 1 unless N = 0) plus how it got them. */
export interface MethodOutput {
  weights: number[];
  diagnostics: MethodDiagnostics;
}

/** Fractional-Kelly exposure scaling applied after the constraints (see kellyScale). */
export interface KellyReport {
  /** Full-Kelly leverage f* = mean / variance of the constrained portfolio's daily returns. */
  fullKelly: number;
  fraction: number;
  /** Multiplier applied to the constrained weights, in [0, 1]. */
  scale: number;
}

export interface AllocationDiagnostics extends Omit<MethodDiagnostics, 'zeroVariance'> {
  /** The method's proportions before constraints and Kelly scaling. */
  preConstraintWeights: Record<string, number>;
  /** Ids of sleeves left out for having zero variance. */
  zeroVariance: string[];
  /** Kelly scaling, when requested. */
  kelly?: KellyReport;
}

export interface AllocationResult {
  method: AllocationMethod;
  /** Final weight per sleeve id; every constraint holds. */
  weights: Record<string, number>;
  /** Sum of the weights (total exposure). */
  invested: number;
  /** 1 - invested: capital held as cash. */
  cash: number;
  diagnostics: AllocationDiagnostics;
}
