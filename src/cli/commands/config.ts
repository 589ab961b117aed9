import type { Command } from 'commander';
import { configHash, redactConfig } from '../../config/load.js';
import { runCommand } from '../run.js';

export function registerConfig(program: Command): void {
  const config = program.command('config').description('the resolved configuration');
  config
    .command('print')
    .description('print the resolved config (defaults overridden by --config), secrets redacted')
    .addHelpText('after', '\nExample:\n  aegis config print --config configs/mine.json')
    .action((_flags: unknown, cmd: Command) =>
      runCommand(cmd, (ctx) => {
        const redacted = redactConfig(ctx.config);
        const hash = configHash(ctx.config);
        ctx.output({ hash, config: redacted }, () => `${JSON.stringify(redacted, null, 2)}\n# config hash ${hash}`);
      }),
    );
}
