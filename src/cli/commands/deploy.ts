import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import { Alerts } from '../../deploy/alerts.js';
import { makeBroker } from '../../deploy/brokers.js';
import { runDeployCycle, type DeployResult } from '../../deploy/cycle.js';
import { DeployStore } from '../../deploy/store.js';
import { MarketStore } from '../../store/marketStore.js';
import type { CommandContext } from '../context.js';
import { choiceFlag, dateFlag, intFlag } from '../flags.js';
import { renderTable } from '../table.js';
import { runCommand } from '../run.js';

interface DeployFlags {
  paper?: boolean;
  live?: boolean;
  broker?: string;
  deployment?: string;
  asOf?: string;
  dryRun?: boolean;
}

export function registerDeploy(program: Command): void {
  program
    .command('deploy')
    .description('one trading cycle of a promoted portfolio: reconcile, target weights, limits, intents, orders (cron-safe)')
    .option('--paper', 'trade the paper deployment')
    .option('--live', 'trade the live deployment (real money)')
    .option('--broker <name>', 'sim (local paper broker, offline) or alpaca (default deploy.broker)')
    .option('--deployment <id>', 'which deployment (default: the latest active one of the mode)')
    .option('--as-of <date>', 'sim broker: the session to trade (default: the session after the latest stored bar); step it to replay history')
    .option('--dry-run', 'print the orders it would send and send nothing')
    .addHelpText(
      'after',
      '\nExamples:\n  aegis deploy --paper --broker sim\n  aegis deploy --paper --broker sim --as-of 2026-05-04     # replay one historical session\n  aegis deploy --paper --broker alpaca --dry-run\n\nExit codes: 0 done, 3 refused (kill switch, breaker, stale data, position mismatch), 75 another deploy holds the lease.',
    )
    .action((flags: DeployFlags, cmd: Command) =>
      runCommand(cmd, async (ctx) => {
        if (Boolean(flags.paper) === Boolean(flags.live)) throw new InputError('give exactly one of --paper and --live');
        const mode = flags.live ? 'live' : 'paper';
        const broker = choiceFlag(flags.broker, '--broker', ['sim', 'alpaca'] as const) ?? ctx.config.deploy.broker;
        if (mode === 'live' && broker === 'sim') throw new InputError('--live trades on alpaca only; the sim broker is paper');
        const result = await runDeployCycle(deployDeps(ctx), {
          mode,
          brokerName: broker,
          deploymentId: intFlag(flags.deployment, '--deployment'),
          asOf: dateFlag(flags.asOf, '--as-of'),
          dryRun: Boolean(flags.dryRun),
        });
        ctx.output(result, () => renderDeploy(result));
      }),
    );
}

export function deployDeps(ctx: CommandContext) {
  const db = ctx.db();
  const market = new MarketStore(db);
  return {
    market,
    store: new DeployStore(db),
    config: ctx.config,
    alerts: new Alerts(ctx.config.deploy.alerts.webhookUrl, ctx.config.deploy.alerts.timeoutMs),
    makeBroker: (d: Parameters<typeof makeBroker>[3], session: string | null) => makeBroker(db, market, ctx.config, d, session),
  };
}

function renderDeploy(r: DeployResult): string {
  const lines = [
    `deployment ${r.deploymentId}: session ${r.tradingDay} (decided at the close of ${r.decidedAt})${r.dryRun ? ' — DRY RUN, nothing sent' : ''}`,
    `account ${r.account.id}: equity ${r.account.equity.toFixed(2)}, cash ${r.account.cash.toFixed(2)}; circuit breaker ${r.breaker}`,
  ];
  if (r.reconciled.length) lines.push(`reconciled ${r.reconciled.length} earlier order(s): ${r.reconciled.map((x) => `${x.clientOrderId} ${x.status}`).join(', ')}`);
  const targets = Object.entries(r.targets).filter(([, w]) => w !== 0);
  lines.push(`targets: ${targets.length ? targets.map(([s, w]) => `${s} ${(w * 100).toFixed(1)}%`).join(', ') : 'all cash'}`);
  if (!r.planned) lines.push(`the plan for ${r.tradingDay} was made by an earlier run: only pending orders are sent`);
  lines.push(
    r.orders.length
      ? renderTable(r.orders, [
          { header: 'side', value: (o) => o.side },
          { header: 'symbol', value: (o) => o.symbol },
          { header: 'notional', value: (o) => (o.notional === null ? '' : o.notional.toFixed(2)), align: 'right' },
          { header: 'qty', value: (o) => (o.qty === null ? '' : o.qty.toFixed(6)), align: 'right' },
          { header: 'status', value: (o) => o.status, colour: (o) => (o.status === 'denied' || o.status === 'rejected' ? 'red' : undefined) },
          { header: 'client order id', value: (o) => o.clientOrderId },
          { header: 'reason', value: (o) => o.reason ?? '' },
        ])
      : 'no orders: positions already match the targets',
  );
  return lines.join('\n');
}
