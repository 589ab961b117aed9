import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import { promoteToLive, promoteToPaper } from '../../deploy/promote.js';
import { DeployStore } from '../../deploy/store.js';
import { BacktestStore } from '../../store/backtestStore.js';
import { MarketStore } from '../../store/marketStore.js';
import { choiceFlag, intFlag } from '../flags.js';
import { runCommand } from '../run.js';

interface PromoteFlags {
  backtest?: string;
  deployment?: string;
  to: string;
  force?: boolean;
  reason?: string;
  confirm?: string;
  broker?: string;
}

export function registerPromote(program: Command): void {
  program
    .command('promote')
    .description('backtest -> paper (gate G0) or paper -> live (gate G1 and --confirm ACCOUNT)')
    .requiredOption('--to <stage>', 'paper or live')
    .option('--backtest <id>', 'the backtest whose portfolio goes to paper')
    .option('--deployment <id>', 'the paper deployment that goes live')
    .option('--force', 'paper only: promote a portfolio that failed G0 (recorded as forced)')
    .option('--reason <text>', 'why, with --force')
    .option('--confirm <account-id>', 'live only: the live account id that will trade')
    .option('--broker <name>', 'paper deployments: sim or alpaca (default deploy.broker)')
    .addHelpText(
      'after',
      '\nExamples:\n  aegis promote --backtest 4 --to paper\n  aegis promote --backtest 4 --to paper --force --reason "gather evidence"\n  aegis promote --deployment 2 --to live --confirm PA1234567',
    )
    .action((flags: PromoteFlags, cmd: Command) =>
      runCommand(cmd, async (ctx) => {
        const to = choiceFlag(flags.to, '--to', ['paper', 'live'] as const)!;
        const db = ctx.db();
        const deps = { store: new DeployStore(db), backtests: new BacktestStore(db), market: new MarketStore(db), config: ctx.config };
        if (to === 'paper') {
          if (!flags.backtest) throw new InputError('--to paper needs --backtest ID');
          const d = promoteToPaper(deps, {
            backtestId: intFlag(flags.backtest, '--backtest')!,
            force: Boolean(flags.force),
            reason: flags.reason,
            broker: choiceFlag(flags.broker, '--broker', ['sim', 'alpaca'] as const) ?? ctx.config.deploy.broker,
          });
          ctx.output({ deploymentId: d.id, mode: d.mode, broker: d.broker, forced: d.forced, reason: d.reason, gate: d.gate, symbols: d.symbols, rules: d.portfolio.sleeves.map((s) => s.expr) }, () =>
            [
              `deployment ${d.id}: paper on ${d.broker}${d.forced ? ` — FORCED past gate G0 (${d.reason})` : ' (gate G0 passed)'}`,
              ...d.gate.reasons.map((r) => `  - ${r}`),
              `rules: ${d.portfolio.sleeves.map((s) => s.expr).join(' ; ')}`,
              `next: aegis deploy --paper --broker ${d.broker}`,
            ].join('\n'),
          );
          return;
        }
        if (!flags.deployment) throw new InputError('--to live needs --deployment ID (a paper deployment)');
        const { deployment, verdict } = await promoteToLive(
          deps,
          { deploymentId: intFlag(flags.deployment, '--deployment')!, confirm: flags.confirm, force: flags.force },
          async () => {
            const { createAlpacaBroker } = await import('../../broker/alpacaBroker.js');
            return createAlpacaBroker({ mode: 'live', baseUrl: ctx.config.deploy.alpaca.liveUrl, timeoutMs: ctx.config.deploy.alpaca.timeoutMs, retry: ctx.config.deploy.retry });
          },
        );
        ctx.output({ deploymentId: deployment.id, mode: 'live', accountId: deployment.accountId, gate: verdict.reasons }, () =>
          [`deployment ${deployment.id}: LIVE on account ${deployment.accountId} (gate G1 passed)`, ...verdict.reasons.map((r) => `  - ${r}`)].join('\n'),
        );
      }),
    );
}
