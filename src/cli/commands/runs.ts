import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import { RunStore, type RunRow } from '../../store/runStore.js';
import { intFlag } from '../flags.js';
import { renderTable } from '../table.js';
import { runCommand } from '../run.js';
import { pct } from './evolve.js';

export function registerRuns(program: Command): void {
  program
    .command('runs')
    .description('list evolution runs')
    .addHelpText('after', '\nExample:\n  aegis runs --json')
    .action((_flags: unknown, cmd: Command) =>
      runCommand(cmd, (ctx) => {
        const store = new RunStore(ctx.db());
        store.markStaleRuns();
        const runs = store.listRuns();
        ctx.output(runs.map(runSummary), () =>
          runs.length === 0
            ? 'no runs yet; try: aegis evolve --grammar default'
            : renderTable(runs, [
                { header: 'id', value: (r) => r.id, align: 'right' },
                { header: 'created', value: (r) => r.createdAt.slice(0, 16).replace('T', ' ') },
                { header: 'status', value: (r) => r.status, colour: (r) => (r.status === 'finished' ? 'green' : r.status === 'running' ? 'yellow' : 'red') },
                { header: 'purpose', value: (r) => r.purpose },
                { header: 'grammar', value: (r) => r.grammar },
                { header: 'symbols', value: (r) => (r.symbols.length > 4 ? `${r.symbols.slice(0, 4).join(',')}+${r.symbols.length - 4}` : r.symbols.join(',')) },
                { header: 'train', value: (r) => `${r.trainFrom}..${r.trainTo}` },
                { header: 'gens', value: (r) => r.generationsDone, align: 'right' },
                { header: 'trials', value: (r) => r.trials, align: 'right' },
              ]),
        );
      }),
    );
}

export function runSummary(r: RunRow) {
  return {
    id: r.id,
    createdAt: r.createdAt,
    finishedAt: r.finishedAt,
    status: r.status,
    purpose: r.purpose,
    grammar: r.grammar,
    metric: r.metric,
    seed: r.seed,
    symbols: r.symbols,
    train: { from: r.trainFrom, to: r.trainTo },
    validation: { from: r.validFrom, to: r.validTo },
    generations: r.generationsDone,
    trials: r.trials,
    evaluations: r.evaluations,
    invalid: r.invalid,
    stoppedEarly: r.stoppedEarly,
    sharpeVariance: r.sharpeVariance,
    dataHash: r.dataHash,
    configHash: r.configHash,
    codeVersion: r.codeVersion,
    detail: r.detail,
  };
}

/** `aegis show run ID`: the run, its generations and its strategies. */
export function showRun(store: RunStore, idText: string) {
  const id = intFlag(idText, 'run id')!;
  store.markStaleRuns();
  const run = store.run(id);
  if (!run) throw new InputError(`no run ${id}; see: aegis runs`);
  return { run, generations: store.generations(id), strategies: store.strategies(id) };
}

export function renderRun({ run, generations, strategies }: ReturnType<typeof showRun>): string {
  const lines = [
    `run ${run.id} (${run.status}${run.stoppedEarly ? ', stopped early' : ''}) ${run.purpose}, created ${run.createdAt}`,
    `grammar ${run.grammar}, metric ${run.metric}, seed ${run.seed}, code ${run.codeVersion}, config ${run.configHash}, data ${run.dataHash}`,
    `symbols ${run.symbols.join(',')}`,
    `train ${run.trainFrom}..${run.trainTo}, validation ${run.validFrom}..${run.validTo}`,
    `${run.generationsDone} generation(s), ${run.trials} trials, ${run.evaluations} evaluations, ${run.invalid} invalid; trial Sharpe variance ${run.sharpeVariance?.toExponential(3) ?? '-'}`,
    run.detail ? `note: ${run.detail}` : '',
    '',
    renderTable(generations, [
      { header: 'em', value: (g) => g.emIteration, align: 'right' },
      { header: 'gen', value: (g) => g.generation, align: 'right' },
      { header: 'species', value: (g) => g.species, align: 'right' },
      { header: 'best train', value: (g) => g.bestTrain.toFixed(3), align: 'right' },
      { header: 'median train', value: (g) => g.medianTrain.toFixed(3), align: 'right' },
      { header: 'best valid', value: (g) => g.bestValidation.toFixed(3), align: 'right' },
      { header: 'invalid', value: (g) => pct(g.invalidShare), align: 'right' },
      { header: 'diversity', value: (g) => pct(g.diversity), align: 'right' },
      { header: 'trials', value: (g) => g.trials, align: 'right' },
    ]),
    '',
    strategies.length
      ? renderTable(strategies, [
          { header: 'id', value: (s) => s.id },
          { header: 'rank', value: (s) => s.rank, align: 'right' },
          { header: 'train sharpe', value: (s) => s.train.sharpe.toFixed(2), align: 'right' },
          { header: 'valid sharpe', value: (s) => s.validation.sharpe.toFixed(2), align: 'right' },
          { header: 'valid cagr', value: (s) => pct(s.validation.cagr), align: 'right' },
          { header: 'valid maxDD', value: (s) => pct(s.validation.maxDrawdown), align: 'right' },
          { header: 'rule', value: (s) => s.expr },
        ])
      : 'no strategies recorded',
  ];
  return lines.filter((l, i) => l !== '' || i > 4).join('\n');
}
