import type { Command } from 'commander';
import { Alerts } from '../../deploy/alerts.js';
import { DeployStore } from '../../deploy/store.js';
import { nowIso } from '../../store/db.js';
import { runCommand } from '../run.js';

export function registerHalt(program: Command): void {
  program
    .command('halt')
    .description('turn the kill switch on: every deploy refuses to trade until aegis resume')
    .option('--reason <text>', 'why (shown by status and in the refusals)')
    .addHelpText('after', '\nExample:\n  aegis halt --reason "earnings week"   # a deploy already running stops before its next order')
    .action((flags: { reason?: string }, cmd: Command) =>
      runCommand(cmd, async (ctx) => {
        const store = new DeployStore(ctx.db());
        store.setControl({ name: 'kill_switch', state: 'on', failures: 0, since: nowIso(), reason: flags.reason ?? 'halted by the operator' });
        await new Alerts(ctx.config.deploy.alerts.webhookUrl, ctx.config.deploy.alerts.timeoutMs).send('halt', `kill switch ON: ${flags.reason ?? 'halted by the operator'}`);
        ctx.output({ killSwitch: 'on' }, () => 'kill switch ON: deploys refuse to trade until aegis resume');
      }),
    );
  program
    .command('resume')
    .description('turn the kill switch off (and close a tripped circuit breaker)')
    .addHelpText('after', '\nExample:\n  aegis resume')
    .action((_flags: unknown, cmd: Command) =>
      runCommand(cmd, async (ctx) => {
        const store = new DeployStore(ctx.db());
        store.setControl({ name: 'kill_switch', state: 'off', failures: 0, since: nowIso(), reason: null });
        store.setControl({ name: 'breaker', state: 'closed', failures: 0, since: nowIso(), reason: null });
        await new Alerts(ctx.config.deploy.alerts.webhookUrl, ctx.config.deploy.alerts.timeoutMs).send('resume', 'kill switch off, circuit breaker closed');
        ctx.output({ killSwitch: 'off', breaker: 'closed' }, () => 'kill switch off, circuit breaker closed: deploys trade again');
      }),
    );
}
