import { z } from 'zod';
import { parseRule } from '../strategy/parser.js';

/** Ticker syntax, as everywhere else (src/domain/tickers.ts): SPY, BRK.B, ^VIX, EURUSD=X. */
const TICKER = /^\^?[A-Z0-9]+(?:[.\-=][A-Z0-9]+)*$/;

/*
 * The one schema of every tunable. configs/default.json holds a value for each key; a user file
 * given with --config overrides any subset. Every field carries its own error text ("expected a
 * positive integer") so a bad value reads as `file: key.path: expected ..., got -5`.
 */

const posInt = (what = 'a positive integer') =>
  z.number({ error: `expected ${what}` }).int({ error: `expected ${what}` }).positive({ error: `expected ${what}` });
const nonNegInt = (what = 'a non-negative integer') =>
  z.number({ error: `expected ${what}` }).int({ error: `expected ${what}` }).min(0, { error: `expected ${what}` });
const nonNeg = (what = 'a non-negative number') =>
  z.number({ error: `expected ${what}` }).min(0, { error: `expected ${what}` });
const fraction = (what = 'a number between 0 and 1') =>
  z.number({ error: `expected ${what}` }).min(0, { error: `expected ${what}` }).max(1, { error: `expected ${what}` });
const openFraction = (what = 'a number above 0 and below 1') =>
  z.number({ error: `expected ${what}` }).gt(0, { error: `expected ${what}` }).lt(1, { error: `expected ${what}` });
const isoDate = () =>
  z
    .string({ error: 'expected a date YYYY-MM-DD' })
    .regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'expected a date YYYY-MM-DD' })
    .refine((s) => !Number.isNaN(Date.parse(`${s}T00:00:00Z`)) && new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), {
      error: 'expected a real calendar date YYYY-MM-DD',
    });
const url = () => z.url({ error: 'expected a URL (http:// or https://)' });
/** A span such as "5y", "18m", "90d" (calendar years, months, days). */
const span = () => z.string({ error: 'expected a span such as 5y, 18m or 260d' }).regex(/^[1-9]\d*[ymd]$/, {
  error: 'expected a span such as 5y, 18m or 260d',
});
const oneOf = <T extends readonly [string, ...string[]]>(values: T) =>
  z.enum(values, { error: `expected one of ${values.join(', ')}` });

export const METRICS = ['sharpe', 'sortino', 'calmar', 'cagr', 'profit-factor'] as const;
export const ALLOCATORS = ['equal', 'inverse-vol', 'min-variance', 'risk-parity', 'max-sharpe', 'evolve'] as const;
export const SOURCES = ['yahoo', 'alpaca', 'csv'] as const;

const retrySchema = z
  .object({
    attempts: posInt(),
    baseDelayMs: posInt(),
    maxDelayMs: posInt(),
  })
  .strict();

const dataSchema = z
  .object({
    source: oneOf(SOURCES),
    csvDir: z.string({ error: 'expected a folder path' }).min(1, { error: 'expected a folder path' }),
    from: isoDate(),
    timeoutMs: posInt(),
    retry: retrySchema,
    yahoo: z.object({ concurrency: posInt() }).strict(),
    alpaca: z
      .object({
        dataUrl: url(),
        feed: oneOf(['iex', 'sip'] as const),
        symbolsPerRequest: posInt(),
        requestsPerMinute: posInt(),
        pageLimit: posInt(),
      })
      .strict(),
    quality: z
      .object({
        maxDailyMove: z.number({ error: 'expected a positive fraction' }).positive({ error: 'expected a positive fraction' }),
        priceTolerance: nonNeg(),
      })
      .strict(),
  })
  .strict();

/** How orders are filled and charged: shared by evolve's fitness, backtest and the sim broker. */
const executionSchema = z
  .object({
    slippageBps: nonNeg(),
    commissionBps: nonNeg(),
    minCommission: nonNeg(),
    rebalanceBand: fraction(),
    minOrderNotional: nonNeg(),
  })
  .strict();

const penaltiesSchema = z
  .object({
    sizePerNode: nonNeg(),
    minTrades: nonNegInt(),
    fewTrades: nonNeg(),
    minExposure: fraction(),
    maxExposure: fraction(),
    exposure: nonNeg(),
  })
  .strict()
  .refine((p) => p.minExposure <= p.maxExposure, { error: 'expected minExposure <= maxExposure', path: ['minExposure'] });

const validationSchema = z
  .object({
    fraction: openFraction().nullable(),
    from: isoDate().nullable(),
  })
  .strict()
  // `from` wins when both are set, so a user file can give a date without clearing the default fraction.
  .refine((v) => v.fraction !== null || v.from !== null, {
    error: 'set validation.fraction or validation.from',
  });

const evolveSchema = z
  .object({
    grammar: z.string({ error: 'expected a grammar name or path' }).min(1, { error: 'expected a grammar name or path' }),
    symbols: z.array(
      z.string({ error: 'expected a ticker' }).regex(TICKER, { error: 'expected an upper-case ticker like SPY or BRK.B' }),
      { error: 'expected a list of symbols' },
    ),
    from: isoDate().nullable(),
    to: isoDate().nullable(),
    population: posInt(),
    generations: posInt(),
    // 32 bits: the generator is seeded with a 32-bit integer, and two seeds must never give one run.
    seed: z
      .number({ error: 'expected an integer' })
      .int({ error: 'expected an integer' })
      .min(-(2 ** 31), { error: 'expected a 32-bit integer' })
      .max(2 ** 31 - 1, { error: 'expected a 32-bit integer' }),
    metric: oneOf(METRICS),
    metricWeights: z.partialRecord(oneOf(METRICS), z.number({ error: 'expected a number' })).nullable(),
    tournamentSize: posInt(),
    elitism: nonNegInt(),
    crossoverRate: fraction(),
    mutationRate: fraction(),
    blockInsertionRate: fraction(),
    minInitDepth: posInt(),
    maxInitDepth: posInt(),
    maxDepth: posInt(),
    maxWraps: nonNegInt(),
    codonSize: posInt(),
    species: posInt(),
    speciesPenalty: nonNeg(),
    patience: posInt(),
    validation: validationSchema,
    penalties: penaltiesSchema,
    workers: nonNegInt('a non-negative integer (0 = one per core)'),
    top: posInt(),
    seedFromRuns: nonNegInt('a non-negative integer (top rules of that many earlier runs)'),
    blocks: z.array(
      z.string({ error: 'expected a rule fragment' }).superRefine((text, ctx) => {
        const parsed = parseRule(text);
        if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `not a rule fragment (${parsed.error})` });
      }),
    ),
  })
  .strict()
  .refine((e) => e.minInitDepth <= e.maxInitDepth && e.maxInitDepth <= e.maxDepth, {
    error: 'expected minInitDepth <= maxInitDepth <= maxDepth',
  });

const gateSchema = z
  .object({
    minOosSharpe: z.number({ error: 'expected a number' }),
    minDsr: fraction(),
    maxDrawdown: fraction(),
    requireLookahead: z.boolean({ error: 'expected true or false' }),
  })
  .strict();

const backtestSchema = z
  .object({
    initialCapital: z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' }),
    benchmark: z.string({ error: 'expected a symbol' }).min(1),
    regimeFilter: z
      .object({
        enabled: z.boolean({ error: 'expected true or false' }),
        symbol: z.string({ error: 'expected a symbol' }).min(1),
        period: posInt(),
        defensive: z.string({ error: 'expected a symbol or null' }).min(1).nullable(),
      })
      .strict(),
    walkForward: z
      .object({
        train: span(),
        test: span(),
        anchored: z.boolean({ error: 'expected true or false' }),
      })
      .strict(),
    lookahead: z.object({ cutoffs: posInt() }).strict(),
    pbo: z.object({ enabled: z.boolean({ error: 'expected true or false' }), partitions: posInt() }).strict(),
    gate: gateSchema,
  })
  .strict();

const allocateSchema = z
  .object({
    method: oneOf(ALLOCATORS),
    topK: posInt(),
    emIterations: posInt(),
    tolerance: nonNeg(),
    correlationThreshold: fraction(),
    constraints: z
      .object({
        maxTotal: fraction(),
        maxWeightPerSleeve: fraction(),
        maxWeightPerAsset: fraction(),
        minWeight: fraction(),
      })
      .strict(),
    kelly: z
      .object({
        enabled: z.boolean({ error: 'expected true or false' }),
        fraction: fraction(),
        cap: fraction(),
      })
      .strict(),
    walkForward: z.boolean({ error: 'expected true or false' }),
  })
  .strict();

const deploySchema = z
  .object({
    broker: oneOf(['sim', 'alpaca'] as const),
    alpaca: z
      .object({
        paperUrl: url(),
        liveUrl: url(),
        timeoutMs: posInt(),
      })
      .strict(),
    sim: z.object({ initialCash: z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' }) }).strict(),
    leaseSeconds: posInt(),
    limits: z
      .object({
        maxOrderNotional: z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' }),
        maxPositionWeight: fraction(),
        maxOrdersPerRun: posInt(),
        maxDailyTurnover: nonNeg(),
      })
      .strict(),
    reconcileTolerance: fraction(),
    breaker: z.object({ failures: posInt(), cooldownMinutes: posInt() }).strict(),
    retry: retrySchema,
    alerts: z.object({ webhookUrl: url().nullable(), timeoutMs: posInt() }).strict(),
    g1: z.object({ minDays: posInt(), trackingTolerance: nonNeg() }).strict(),
  })
  .strict();

const reportSchema = z.object({ outDir: z.string({ error: 'expected a folder path' }).min(1) }).strict();

export const configSchema = z
  .object({
    data: dataSchema,
    execution: executionSchema,
    evolve: evolveSchema,
    backtest: backtestSchema,
    allocate: allocateSchema,
    deploy: deploySchema,
    report: reportSchema,
  })
  .strict();

export type Config = z.infer<typeof configSchema>;
export type Metric = (typeof METRICS)[number];
export type AllocatorName = (typeof ALLOCATORS)[number];
export type SourceName = (typeof SOURCES)[number];
