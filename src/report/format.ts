/**
 * Number formatting for tables and captions. Fixed 'en-US' grouping so a report reads the same on
 * every machine, and a dash for anything missing or non-finite instead of "NaN".
 */

/** What a number means, which decides how it is written. */
export type NumberKind = 'pct' | 'pct1' | 'signedPct' | 'ratio' | 'int' | 'prob' | 'num' | 'price' | 'money';

const DASH = '—';

/** Formats one number for display. */
export function fmt(value: number | null | undefined, kind: NumberKind): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  switch (kind) {
    case 'pct':
      return `${(value * 100).toFixed(2)} %`;
    case 'pct1':
      return `${(value * 100).toFixed(1)} %`;
    case 'signedPct':
      return `${value > 0 ? '+' : ''}${(value * 100).toFixed(1)} %`;
    case 'ratio':
      return value.toFixed(2);
    case 'prob':
      return value.toFixed(3);
    case 'int':
      return Math.round(value).toLocaleString('en-US');
    case 'price':
      return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 4 });
    case 'money':
      return value.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
    case 'num':
      return Math.abs(value) >= 1000 ? value.toLocaleString('en-US', { maximumFractionDigits: 0 }) : value.toPrecision(4).replace(/\.?0+$/, '');
  }
}

/** Display label and number kind of a known metric key. */
interface MetricInfo {
  label: string;
  kind: NumberKind;
  /** +1 when larger is better, −1 when smaller is better, 0 when neither. */
  better: 1 | -1 | 0;
}

/** The metrics every table shows first, in this order. */
export const CORE_METRICS = ['sharpe', 'sortino', 'cagr', 'maxDrawdown', 'trades', 'exposure'] as const;

const METRIC_INFO: Record<string, MetricInfo> = {
  sharpe: { label: 'Sharpe', kind: 'ratio', better: 1 },
  sortino: { label: 'Sortino', kind: 'ratio', better: 1 },
  cagr: { label: 'CAGR', kind: 'pct', better: 1 },
  maxDrawdown: { label: 'Max drawdown', kind: 'pct', better: -1 },
  trades: { label: 'Trades', kind: 'int', better: 0 },
  exposure: { label: 'Exposure', kind: 'pct1', better: 0 },
  // Neutral: a total return depends on the window's length, so train and validation do not compare.
  totalReturn: { label: 'Total return', kind: 'pct', better: 0 },
  volatility: { label: 'Volatility', kind: 'pct', better: -1 },
  calmar: { label: 'Calmar', kind: 'ratio', better: 1 },
  maxDrawdownDays: { label: 'Longest drawdown (days)', kind: 'int', better: 0 },
  profitFactor: { label: 'Profit factor', kind: 'ratio', better: 1 },
  winRate: { label: 'Win rate', kind: 'pct1', better: 1 },
  avgTrade: { label: 'Average trade', kind: 'pct', better: 1 },
  turnover: { label: 'Turnover (×/year)', kind: 'ratio', better: 0 },
  skewness: { label: 'Skewness', kind: 'ratio', better: 0 },
  kurtosis: { label: 'Kurtosis', kind: 'ratio', better: 0 },
};

/** Label, number kind and direction of a metric key; unknown keys get a readable label and plain numbers. */
export function metricInfo(key: string): MetricInfo {
  const known = METRIC_INFO[key];
  if (known) return known;
  // camelCase -> "Camel case", so an extra metric added upstream is still legible.
  const words = key.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
  return { label: words.charAt(0).toUpperCase() + words.slice(1), kind: 'num', better: 0 };
}

/**
 * The metric keys to show for a set of metrics objects: the core ones first, then every extra key
 * in first-seen order.
 */
export function metricKeys(...sets: ({ [key: string]: number } | null | undefined)[]): string[] {
  const keys: string[] = [...CORE_METRICS];
  for (const set of sets) {
    if (!set) continue;
    for (const key of Object.keys(set)) if (!keys.includes(key)) keys.push(key);
  }
  return keys;
}

/** Formats a metric by its key. */
export function fmtMetric(key: string, value: number | null | undefined): string {
  return fmt(value, metricInfo(key).kind);
}
