import type { Command } from 'commander';
import { ALLOCATORS, METRICS, type Config } from '../../config/schema.js';
import type { StoredAllocation } from '../../store/runStore.js';
import { parseTickerList } from '../../domain/tickers.js';
import { InputError } from '../../domain/errors.js';
import { defaultWorkers } from '../../evolve/evaluator.js';
import { runEvolve, type BestStrategy, type EmSummary } from '../../evolve/runEvolve.js';
import { MarketStore } from '../../store/marketStore.js';
import { RunStore } from '../../store/runStore.js';
import { choiceFlag, dateFlag, intFlag, override } from '../flags.js';
import { progressBar } from '../progress.js';
import { renderTable } from '../table.js';
import { runCommand } from '../run.js';
import type { CommandContext } from '../context.js';

export interface SearchFlags {
  grammar?: string;
  symbols?: string;
  from?: string;
  to?: string;
  population?: string;
  generations?: string;
  seed?: string;
  metric?: string;
  species?: string;
  workers?: string;
  top?: string;
  emIterations?: string;
  topK?: string;
  allocator?: string;
}

/** Add the search flags shared by evolve and backtest --walk-forward. */
export function withSearchFlags(cmd: Command): Command {
  return cmd
    .option('--grammar <name|file>', 'grammar: a bundled name (default, long_short) or a .bnf path (default evolve.grammar)')
    .option('--symbols <list>', 'comma-separated universe (default evolve.symbols, else every stored symbol)')
    .option('--from <date>', 'first in-sample day, YYYY-MM-DD (default: the first stored day)')
    .option('--to <date>', 'last in-sample day, YYYY-MM-DD (default: the last stored day)')
    .option('--population <n>', 'individuals per species')
    .option('--generations <n>', 'generations at most (early stopping may end sooner)')
    .option('--seed <n>', 'random seed: the same seed, data and config give the same run')
    .option('--metric <name>', `fitness metric: ${METRICS.join(', ')}`)
    .option('--species <k>', 'competing populations that are pushed apart')
    .option('--workers <n>', 'scoring threads (default: one per core; results do not depend on it)')
    .option('--top <n>', 'strategies to keep and show (default evolve.top)')
    .option('--em-iterations <n>', 'evolve / allocate rounds (default allocate.emIterations)')
    .option('--top-k <k>', 'best rules of each round that the allocation weighs (default allocate.topK)')
    .option('--allocator <method>', `allocation method: ${ALLOCATORS.join(', ')} (default allocate.method)`);
}

/** The config the search flags make (no database needed). */
export function searchConfig(ctx: CommandContext, flags: SearchFlags): Config {
  return override(ctx.config, {
    evolve: {
      grammar: flags.grammar,
      population: intFlag(flags.population, '--population'),
      generations: intFlag(flags.generations, '--generations'),
      seed: intFlag(flags.seed, '--seed', -(2 ** 31), 2 ** 31 - 1),
      metric: choiceFlag(flags.metric, '--metric', METRICS),
      species: intFlag(flags.species, '--species'),
      top: intFlag(flags.top, '--top'),
    },
    allocate: { emIterations: intFlag(flags.emIterations, '--em-iterations'), topK: intFlag(flags.topK, '--top-k'), method: choiceFlag(flags.allocator, '--allocator', ALLOCATORS) },
  });
}

/** Resolve the search flags against the config: the config the run records, the universe, the window. */
export function resolveSearch(ctx: CommandContext, flags: SearchFlags): { config: Config; symbols: string[]; from: string | null; to: string | null; workers: number } {
  const config = searchConfig(ctx, flags);
  const from = dateFlag(flags.from, '--from') ?? config.evolve.from;
  const to = dateFlag(flags.to, '--to') ?? config.evolve.to;
  if (from && to && from >= to) throw new InputError(`--from ${from} must be before --to ${to}`);
  let symbols = flags.symbols ? parseTickerList(flags.symbols, '--symbols') : [...config.evolve.symbols];
  if (symbols.length === 0) symbols = new MarketStore(ctx.db()).listSymbols().map((s) => s.symbol);
  if (symbols.length === 0) throw new InputError('no symbols: ingest some first (aegis ingest SPY,QQQ) or pass --symbols');
  const workers = intFlag(flags.workers, '--workers') ?? (config.evolve.workers > 0 ? config.evolve.workers : defaultWorkers());
  return { config, symbols, from, to, workers };
}

/** Stop cleanly at the next generation on Ctrl-C; a second Ctrl-C aborts at once. */
export function interruptible(ctx: CommandContext): { shouldStop: () => boolean; dispose: () => void } {
  let stop = false;
  const onSigint = () => {
    if (stop) process.exit(130);
    stop = true;
    ctx.log.warn('stopping after this generation; what is finished is kept (Ctrl-C again to abort)');
  };
  process.on('SIGINT', onSigint);
  return { shouldStop: () => stop, dispose: () => process.off('SIGINT', onSigint) };
}

export function registerEvolve(program: Command): void {
  const cmd = program
    .command('evolve')
    .description('discover readable trading rules by grammatical evolution, alternating with portfolio allocation (EM loop)');
  withSearchFlags(cmd)
    .addHelpText(
      'after',
      '\nExamples:\n  aegis evolve --grammar default --symbols SPY,QQQ,TLT,GLD --from 2005-01-01 --to 2018-12-31\n  aegis evolve --population 500 --generations 60 --species 3 --metric sortino --json',
    )
    .action((flags: SearchFlags, command: Command) =>
      runCommand(command, async (ctx) => {
        const { config: finalConfig, symbols, from, to, workers } = resolveSearch(ctx, flags);
        const runs = new RunStore(ctx.db());
        runs.markStaleRuns();
        const stop = interruptible(ctx);
        const bar = progressBar(ctx.interactive, 'evolve', finalConfig.evolve.generations);
        try {
          const out = await runEvolve(
            new MarketStore(ctx.db()),
            runs,
            { symbols, from, to, grammar: finalConfig.evolve.grammar, seed: finalConfig.evolve.seed, workers, metric: finalConfig.evolve.metric, purpose: 'evolve', config: finalConfig },
            {
              shouldStop: stop.shouldStop,
              onGeneration: (stats, g, _total, iteration) => {
                const best = Math.max(...stats.map((s) => s.bestTrain));
                const valid = Math.max(...stats.map((s) => s.bestValidation));
                if (g === 0 && iteration > 0) bar.reset();
                bar.tick(`${finalConfig.allocate.emIterations > 1 ? `EM ${iteration + 1}/${finalConfig.allocate.emIterations} ` : ''}gen ${g + 1}: best train ${best.toFixed(3)}, validation ${valid.toFixed(3)}`);
                if (!ctx.interactive) ctx.log.debug({ emIteration: iteration, generation: g, bestTrain: best, bestValidation: valid }, 'generation done');
              },
            },
          );
          bar.stop();
          ctx.output(
            {
              runId: out.runId,
              trials: out.trials,
              evaluations: out.evaluations,
              invalid: out.invalid,
              stoppedEarly: out.stoppedEarly,
              interrupted: out.interrupted,
              generations: out.generations,
              train: { from: out.windows.trainFrom, to: out.windows.trainTo },
              validation: { from: out.windows.validFrom, to: out.windows.validTo },
              best: out.best.map(jsonStrategy),
              em: out.em.map(({ iteration, trainObjective, validationObjective, weights, strategies, trials, dropped }) => ({ iteration, trainObjective, validationObjective, weights, strategies, trials, dropped })),
              allocation: out.allocation && {
                id: out.allocation.id,
                iteration: out.allocation.emIteration,
                method: out.allocation.method,
                weights: Object.fromEntries(out.allocation.sleeves.map((w) => [w.sleeve, w.weight])),
                sleeves: out.allocation.sleeves,
                trainObjective: out.allocation.trainObjective,
                validationObjective: out.allocation.validationObjective,
                train: out.allocation.train,
                validation: out.allocation.validation,
              },
            },
            () =>
              `${renderStrategies(out.best)}\n\n${renderEm(out.em, out.allocation)}\n\nrun ${out.runId}: ${out.generations} generation(s)${out.stoppedEarly ? ' (stopped early: validation stopped improving)' : ''}${out.interrupted ? ' (interrupted)' : ''}, ` +
              `${out.trials} trials (distinct rules scored), ${out.evaluations} evaluations, ${out.invalid} invalid\n` +
              `train ${out.windows.trainFrom}..${out.windows.trainTo}, validation ${out.windows.validFrom}..${out.windows.validTo}; next: aegis backtest --run ${out.runId}`,
          );
          return out.interrupted ? 130 : 0;
        } finally {
          bar.stop();
          stop.dispose();
        }
      }),
    );
}

export function jsonStrategy(s: BestStrategy) {
  const pick = (m: BestStrategy['train']) => ({ sharpe: m.sharpe, sortino: m.sortino, cagr: m.cagr, maxDrawdown: m.maxDrawdown, trades: m.trades, exposure: m.exposure, profitFactor: m.profitFactor });
  return { id: s.id, expr: s.expr, species: s.species, fitness: s.fitness, validationFitness: s.validationFitness, nodes: s.nodes, train: pick(s.train), validation: pick(s.validation) };
}

export function renderStrategies(best: readonly BestStrategy[]): string {
  if (best.length === 0) return 'no valid strategy found';
  return renderTable(best, [
    { header: 'id', value: (s) => s.id },
    { header: 'sp', value: (s) => s.species, align: 'right' },
    { header: 'train sharpe', value: (s) => s.train.sharpe.toFixed(2), align: 'right' },
    { header: 'cagr', value: (s) => pct(s.train.cagr), align: 'right' },
    { header: 'maxDD', value: (s) => pct(s.train.maxDrawdown), align: 'right' },
    { header: 'trades', value: (s) => s.train.trades, align: 'right' },
    { header: 'valid sharpe', value: (s) => s.validation.sharpe.toFixed(2), align: 'right', colour: (s) => (s.validation.sharpe > 0 ? 'green' : 'red') },
    { header: 'cagr', value: (s) => pct(s.validation.cagr), align: 'right' },
    { header: 'maxDD', value: (s) => pct(s.validation.maxDrawdown), align: 'right' },
    { header: 'trades', value: (s) => s.validation.trades, align: 'right' },
    { header: 'rule', value: (s) => s.expr },
  ]);
}

/** The EM loop's convergence table and the allocation the run trades. */
export function renderEm(em: readonly EmSummary[], allocation: StoredAllocation | null): string {
  if (em.length === 0) return 'no allocation (no valid rule)';
  const table = renderTable(em, [
    { header: 'EM iteration', value: (e) => e.iteration, align: 'right' },
    { header: 'train objective', value: (e) => e.trainObjective.toFixed(3), align: 'right' },
    { header: 'validation objective', value: (e) => e.validationObjective.toFixed(3), align: 'right' },
    { header: 'sleeves', value: (e) => Object.keys(e.weights).length, align: 'right' },
    { header: 'rules', value: (e) => e.strategies.length, align: 'right' },
    { header: 'trials', value: (e) => e.trials, align: 'right' },
  ]);
  if (!allocation) return table;
  const sleeves = renderTable([...allocation.sleeves].sort((a, b) => b.weight - a.weight), [
    { header: 'weight', value: (w) => pct(w.weight), align: 'right' },
    { header: 'asset', value: (w) => w.asset },
    { header: 'strategy', value: (w) => w.strategyId, align: 'right' },
    { header: 'rule', value: (w) => w.expr },
  ]);
  const invested = allocation.sleeves.reduce((a, w) => a + w.weight, 0);
  return `${table}\n\nallocation ${allocation.id} (${allocation.method}, EM iteration ${allocation.emIteration}): ${pct(invested)} invested, ${allocation.dropped.length} correlated sleeve(s) dropped\n${sleeves}`;
}

export function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}
