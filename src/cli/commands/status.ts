import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import { DeployStore } from '../../deploy/store.js';
import { deploymentStatus, type DeploymentStatus } from '../../deploy/status.js';
import { MarketStore } from '../../store/marketStore.js';
import { intFlag } from '../flags.js';
import { renderTable } from '../table.js';
import { runCommand } from '../run.js';
import { pct } from './evolve.js';

export function registerStatus(program: Command): void {
  program
    .command('status')
    .description('deployments at a glance: positions against targets, the last orders, P&L against the backtest, kill switch and breaker')
    .option('--deployment <id>', 'one deployment (default: every active one)')
    .addHelpText('after', '\nExample:\n  aegis status --json')
    .action((flags: { deployment?: string }, cmd: Command) =>
      runCommand(cmd, (ctx) => {
        const db = ctx.db();
        const store = new DeployStore(db);
        const market = new MarketStore(db);
        const chosen = flags.deployment ? [store.deployment(intFlag(flags.deployment, '--deployment')!)] : store.list().filter((d) => d.status === 'active');
        if (chosen.some((d) => d === null)) throw new InputError(`no deployment ${flags.deployment}`);
        const statuses = chosen.map((d) => deploymentStatus(store, market, ctx.config, d!));
        const kill = store.control('kill_switch');
        const breaker = store.control('breaker');
        ctx.output(
          { deployments: statuses, killSwitch: { on: kill.state === 'on', since: kill.since, reason: kill.reason }, breaker: { state: breaker.state, failures: breaker.failures, since: breaker.since, reason: breaker.reason } },
          () =>
            [
              `kill switch ${kill.state === 'on' ? `ON since ${kill.since} (${kill.reason ?? ''})` : 'off'}; circuit breaker ${breaker.state}${breaker.failures ? ` (${breaker.failures} failure(s): ${breaker.reason})` : ''}`,
              ...(statuses.length ? statuses.map(renderStatus) : ['no active deployment; promote a backtest: aegis promote --backtest ID --to paper']),
            ].join('\n\n'),
        );
      }),
    );
}

export function renderStatus(s: DeploymentStatus): string {
  const d = s.deployment;
  const t = s.track;
  const lines = [
    `deployment ${d.id}: ${d.mode.toUpperCase()} on ${d.broker}${d.accountId ? ` (account ${d.accountId})` : ''}${d.forced ? ` — FORCED past G0: ${d.reason}` : ''}, since ${d.createdAt.slice(0, 10)}`,
    `rules: ${d.rules.join(' ; ')}`,
    `equity ${s.equity?.toFixed(2) ?? '-'} at the close of ${t.to ?? '-'}; ${t.days} day(s) recorded` +
      (t.realisedReturn !== null ? `; return ${pct(t.realisedReturn)} against the backtest's ${pct(t.expectedReturn!)} (gap ${pct(t.trackingGap!)})` : ''),
    renderTable(s.positions, [
      { header: 'symbol', value: (p) => p.symbol },
      { header: 'qty', value: (p) => p.qty.toFixed(4), align: 'right' },
      { header: 'value', value: (p) => p.value.toFixed(2), align: 'right' },
      { header: 'weight', value: (p) => pct(p.weight), align: 'right' },
      { header: `target (${s.asOf ?? '-'})`, value: (p) => pct(p.target), align: 'right' },
    ]),
  ];
  if (s.intents.length) {
    lines.push(
      `orders for ${s.lastTradingDay}:`,
      renderTable(s.intents, [
        { header: 'side', value: (i) => i.side },
        { header: 'symbol', value: (i) => i.symbol },
        { header: 'notional', value: (i) => (i.notional === null ? '' : i.notional.toFixed(2)), align: 'right' },
        { header: 'qty', value: (i) => (i.qty === null ? '' : i.qty.toFixed(4)), align: 'right' },
        { header: 'intent', value: (i) => i.status },
        { header: 'broker', value: (i) => i.brokerStatus ?? '' },
        { header: 'filled', value: (i) => (i.filledQty ? `${i.filledQty.toFixed(4)} @ ${i.filledAvgPrice?.toFixed(2)}` : ''), align: 'right' },
        { header: 'reason', value: (i) => i.reason ?? '' },
      ]),
    );
  }
  return lines.join('\n');
}
