import type { Command } from 'commander';
import { RunStore } from '../../store/runStore.js';
import { runCommand } from '../run.js';
import { renderRun, runSummary, showRun } from './runs.js';

export function registerShow(program: Command): void {
  const show = program.command('show').description('show one run, backtest or deployment in detail');
  show
    .command('run')
    .description('a run: settings, generations, strategies')
    .argument('<id>', 'run id (see aegis runs)')
    .action((id: string, _flags: unknown, cmd: Command) =>
      runCommand(cmd, (ctx) => {
        const r = showRun(new RunStore(ctx.db()), id);
        ctx.output({ run: runSummary(r.run), generations: r.generations, strategies: r.strategies }, () => renderRun(r));
      }),
    );
}
