import { Command, CommanderError, Option } from 'commander';
import { readFileSync } from 'node:fs';
import { AegisError, exitCodeOf } from '../domain/errors.js';
import { bundled } from '../domain/paths.js';
import { scrubSecrets } from '../log/logger.js';
import { registerConfig } from './commands/config.js';
import { registerData } from './commands/data.js';
import { registerIngest } from './commands/ingest.js';
import { registerGrammar } from './commands/grammar.js';
import { registerEvolve } from './commands/evolve.js';
import { registerRuns } from './commands/runs.js';
import { registerShow } from './commands/show.js';
import { registerBacktest } from './commands/backtest.js';
import { registerAllocate } from './commands/allocate.js';
import { registerPromote } from './commands/promote.js';
import { registerDeploy } from './commands/deploy.js';
import { registerStatus } from './commands/status.js';
import { registerHalt } from './commands/halt.js';
import { registerSchedule } from './commands/schedule.js';
import { registerReport } from './commands/report.js';

export function buildProgram(): Command {
  const version = (JSON.parse(readFileSync(bundled('package.json'), 'utf8')) as { version: string }).version;
  const program = new Command('aegis')
    .description('From prices to a running strategy: ingest -> evolve -> backtest -> deploy -> report, all in one SQLite database.')
    .version(version)
    .addOption(new Option('--db <path>', 'the SQLite database').env('AEGIS_DB').default('data/aegis.sqlite'))
    .option('--config <file>', 'a JSON file overriding configs/default.json')
    .option('--json', 'print the result as JSON on stdout')
    .option('--quiet', 'only warnings and errors on stderr, no progress bars')
    .option('--verbose', 'debug logs, and stack traces on unexpected errors')
    .addHelpText(
      'after',
      [
        '',
        'Examples:',
        '  aegis ingest SPY,QQQ,TLT,GLD --source csv --csv-dir data/daily',
        '  aegis evolve --grammar default --em-iterations 2',
        '  aegis backtest --walk-forward --train 5y --test 1y',
        '  aegis promote --backtest 2 --to paper && aegis deploy --paper',
        '  aegis report',
        '',
        'Exit codes: 0 ok, 1 failure (or data-quality findings from data check), 2 bad input,',
        '3 refused for safety (kill switch, breaker, stale data, a failed gate), 75 another deploy',
        'holds the lease, 130 interrupted.',
      ].join('\n'),
    )
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride()
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });
  registerIngest(program);
  registerData(program);
  registerConfig(program);
  registerGrammar(program);
  registerEvolve(program);
  registerRuns(program);
  registerAllocate(program);
  registerBacktest(program);
  registerPromote(program);
  registerDeploy(program);
  registerStatus(program);
  registerHalt(program);
  registerSchedule(program);
  registerReport(program);
  registerShow(program);
  // Subcommands inherit exitOverride so that usage errors come back here (exit 2).
  for (const cmd of program.commands) cmd.exitOverride();
  return program;
}

/** Entry point of the `aegis` binary. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (err) {
    const code = reportError(err, argv.includes('--verbose'));
    // With --json a failure is machine-readable too: {"error": {"message", "exitCode"}} on stdout.
    if (code !== 0 && argv.includes('--json')) {
      const message = err instanceof CommanderError ? err.message.replace(/^error: /, '') : err instanceof Error ? err.message : String(err);
      process.stdout.write(JSON.stringify({ error: { message: scrubSecrets(message.split('\n')[0]), exitCode: code } }) + '\n');
    }
    process.exitCode = code;
  }
}

function reportError(err: unknown, verbose: boolean): number {
  if (err instanceof CommanderError) {
    // --help and --version end here too, successfully; any other usage error is bad input.
    return err.exitCode === 0 ? 0 : 2;
  }
  const code = exitCodeOf(err);
  const message = err instanceof Error ? err.message : String(err);
  // Input errors and known failures: one line, no stack. Anything else is a bug: stack with --verbose.
  const line = `aegis: ${scrubSecrets(message.split('\n')[0])}\n`;
  process.stderr.write(line);
  if (verbose && !(err instanceof AegisError && code === 2) && err instanceof Error && err.stack) {
    process.stderr.write(scrubSecrets(err.stack) + '\n');
  } else if (!(err instanceof AegisError)) {
    process.stderr.write('aegis: (run with --verbose for the stack trace)\n');
  }
  return code;
}
