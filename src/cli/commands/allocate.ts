import type { Command } from 'commander';
import { ALLOCATORS } from '../../config/schema.js';
import { InputError } from '../../domain/errors.js';
import { loadPanel, WARMUP_DAYS } from '../../data/panel.js';
import { allocateStrategies } from '../../evolve/allocation.js';
import { splitWindows } from '../../evolve/windows.js';
import { MarketStore } from '../../store/marketStore.js';
import { AllocationStore, RunStore } from '../../store/runStore.js';
import type { Metric } from '../../config/schema.js';
import { choiceFlag, intFlag } from '../flags.js';
import { renderTable } from '../table.js';
import { runCommand } from '../run.js';
import { pct } from './evolve.js';

export function registerAllocate(program: Command): void {
  program
    .command('allocate')
    .description("weigh a run's best rules across assets: (strategy, asset) sleeves, correlation governance, constraints")
    .requiredOption('--run <id>', 'the run whose top strategies are allocated')
    .option('--method <name>', `${ALLOCATORS.join(', ')} (default allocate.method)`)
    .option('--top-k <k>', 'how many of the run\'s best rules (default allocate.topK)')
    .addHelpText('after', '\nExamples:\n  aegis allocate --run 3 --method risk-parity\n  aegis allocate --run 3 --method evolve --top-k 8 --json')
    .action((flags: { run: string; method?: string; topK?: string }, cmd: Command) =>
      runCommand(cmd, (ctx) => {
        const runId = intFlag(flags.run, '--run')!;
        const method = choiceFlag(flags.method, '--method', ALLOCATORS) ?? ctx.config.allocate.method;
        const topK = intFlag(flags.topK, '--top-k') ?? ctx.config.allocate.topK;
        const db = ctx.db();
        const runs = new RunStore(db);
        const run = runs.run(runId);
        if (!run) throw new InputError(`no run ${runId}; see: aegis runs`);
        const strategies = runs.strategies(runId).slice(0, topK);
        if (strategies.length === 0) throw new InputError(`run ${runId} has no strategies to allocate`);
        // The run's own window and validation split: the allocation sees exactly what the run saw.
        const loaded = loadPanel(new MarketStore(db), run.symbols, { from: run.trainFrom, to: run.validTo, warmup: WARMUP_DAYS });
        const windows = splitWindows(loaded.panel.dates, loaded.startIndex, { fraction: null, from: run.validFrom });
        const outcome = allocateStrategies(loaded.panel, windows, strategies.map((s) => ({ id: String(s.id), expr: s.expr })), ctx.config, method, run.metric as Metric, run.seed);
        const store = new AllocationStore(db);
        // The iteration whose strategies were weighed, so the run's strategies and allocation agree.
        const id = store.save(runId, { ...outcome, emIteration: strategies[0].emIteration, source: 'allocate' });
        store.markFinal(runId, id);
        ctx.output(
          {
            allocationId: id,
            runId,
            method,
            weights: Object.fromEntries(outcome.sleeves.map((w) => [w.sleeve, w.weight])),
            sleeves: outcome.sleeves,
            dropped: outcome.dropped,
            trainObjective: outcome.trainObjective,
            validationObjective: outcome.validationObjective,
            train: outcome.train,
            validation: outcome.validation,
          },
          () =>
            [
              renderTable([...outcome.sleeves].sort((a, b) => b.weight - a.weight), [
                { header: 'weight', value: (w) => pct(w.weight), align: 'right' },
                { header: 'asset', value: (w) => w.asset },
                { header: 'strategy', value: (w) => w.strategyId, align: 'right' },
                { header: 'rule', value: (w) => w.expr },
              ]),
              '',
              ...outcome.dropped.slice(0, 10).map((d) => `dropped ${d.id}: correlation ${d.correlation.toFixed(2)} with the better ${d.because}`),
              ...(outcome.dropped.length > 10 ? [`... and ${outcome.dropped.length - 10} more sleeves dropped for correlation (see --json)`] : []),
              '',
              renderTable(
                [
                  { name: `train ${windows.trainFrom}..${windows.trainTo}`, m: outcome.train },
                  { name: `validation ${windows.validFrom}..${windows.validTo}`, m: outcome.validation },
                ],
                [
                  { header: 'portfolio', value: (x) => x.name },
                  { header: 'sharpe', value: (x) => x.m.sharpe.toFixed(2), align: 'right' },
                  { header: 'cagr', value: (x) => pct(x.m.cagr), align: 'right' },
                  { header: 'maxDD', value: (x) => pct(x.m.maxDrawdown), align: 'right' },
                  { header: 'exposure', value: (x) => pct(x.m.exposure), align: 'right' },
                ],
              ),
              '',
              `allocation ${id} stored; it is now what run ${runId} trades (aegis backtest --run ${runId})`,
            ].join('\n'),
        );
      }),
    );
}
