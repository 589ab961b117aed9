import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { bundled } from '../../domain/paths.js';
import { InputError } from '../../domain/errors.js';
import { MarketStore } from '../../store/marketStore.js';
import { choiceFlag } from '../flags.js';
import { runCommand } from '../run.js';

export function registerSchedule(program: Command): void {
  program
    .command('schedule')
    .description('print crontab lines: ingest after the close, deploy before the open, each under flock')
    .option('--broker <name>', 'the broker the deploy line uses', 'alpaca')
    .option('--live', 'a live deploy line instead of paper')
    .addHelpText('after', '\nExamples:\n  aegis schedule                      # paper trading on Alpaca\n  aegis schedule --broker alpaca --live\n  aegis schedule --broker sim         # the local paper broker')
    .action((flags: { broker: string; live?: boolean }, cmd: Command) =>
      runCommand(cmd, (ctx) => {
        const broker = choiceFlag(flags.broker, '--broker', ['sim', 'alpaca'] as const);
        if (flags.live && broker === 'sim') throw new InputError('--live trades on alpaca only; the sim broker is paper');
        // The symbols already stored, when there is a database yet (a schedule may come first).
        const symbols = existsSync(ctx.dbPath) ? new MarketStore(ctx.db()).listSymbols().map((s) => s.symbol) : [];
        const cwd = process.cwd();
        const aegis = `node ${bundled('bin', 'aegis.js')} --db ${resolve(ctx.dbPath)}`;
        const source = ctx.config.data.source;
        const lines = [
          '# aegis: paste into `crontab -e`. Times are New York exchange time (CRON_TZ needs cronie/systemd cron;',
          '# with a cron that ignores it, convert the times to the server zone). flock -n skips a run while the',
          '# previous one still holds the lock; deploy also holds its own lease in the database (exit 75).',
          'CRON_TZ=America/New_York',
          '# Alpaca keys for the deploy line (and for ingest --source alpaca): keep them in a file only you can read.',
          '# APCA_API_KEY_ID=...   APCA_API_SECRET_KEY=...',
          `# ingest after the close (18:15, Monday to Friday): bars of the day just closed`,
          `15 18 * * 1-5 cd ${cwd} && flock -n /tmp/aegis-ingest.lock ${aegis} ingest ${symbols.length ? symbols.join(',') : 'SPY,QQQ'} --source ${source} --quiet >> ${cwd}/aegis-cron.log 2>&1`,
          `# deploy before the open (09:00): reconcile, targets, limits, intents, orders for the session`,
          `0 9 * * 1-5 cd ${cwd} && flock -n /tmp/aegis-deploy.lock ${aegis} deploy ${flags.live ? '--live' : '--paper'} --broker ${broker} --quiet >> ${cwd}/aegis-cron.log 2>&1`,
        ];
        ctx.output({ crontab: lines.join('\n') }, () => lines.join('\n'));
      }),
    );
}
