import type { Command } from 'commander';
import { existsSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve } from 'node:path';
import { AegisError, InputError } from '../../domain/errors.js';
import { renderReport } from '../../report/index.js';
import { loadReportData, presentSections, type ReportSelection, type SectionName } from '../../report/load.js';
import type { CommandContext } from '../context.js';
import { intFlag } from '../flags.js';
import { runCommand } from '../run.js';

export interface ReportFlags {
  run?: string;
  backtest?: string;
  deployment?: string;
  out?: string;
}

/** What `aegis report` did: the file written and the sections it holds. */
export interface ReportOutcome {
  path: string;
  sections: SectionName[];
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description('write one self-contained HTML page: evolution, EM loop, strategies, backtest, deployment, data')
    .option('--run <id>', 'report on this run (and its latest backtest)')
    .option('--backtest <id>', 'report on this backtest (and the runs behind it)')
    .option('--deployment <id>', 'report on this deployment (and the backtest it trades)')
    .option('--out <file>', 'the HTML file to write (default <report.outDir>/aegis-report-<ids or time>.html; a folder takes the default name)')
    .addHelpText(
      'after',
      '\nWithout --run/--backtest/--deployment: the latest finished backtest and the runs behind it, or the latest run if it is newer.\n\nExamples:\n  aegis report\n  aegis report --backtest 2 --out report.html\n  aegis report --run 1 --json',
    )
    .action((flags: ReportFlags, cmd: Command) =>
      runCommand(cmd, (ctx) => {
        const out = writeReport(ctx, flags);
        ctx.output(out, () => out.path);
      }),
    );
}

/**
 * The body of `aegis report`: load the selected data, render it, write the page (creating its
 * folder; atomically, so a reader never sees half a file). Relative paths are taken from `cwd`.
 *
 * @throws InputError for bad or conflicting ids, unknown ids, and a database with nothing in it.
 */
export function writeReport(ctx: CommandContext, flags: ReportFlags, cwd = process.cwd()): ReportOutcome {
  const select: ReportSelection = {
    runId: intFlag(flags.run, '--run'),
    backtestId: intFlag(flags.backtest, '--backtest'),
    deploymentId: intFlag(flags.deployment, '--deployment'),
  };
  const given = [flags.run !== undefined && '--run', flags.backtest !== undefined && '--backtest', flags.deployment !== undefined && '--deployment'].filter(Boolean);
  if (given.length > 1) throw new InputError(`give at most one of --run, --backtest, --deployment (got ${given.join(', ')})`);
  // Never create a database only to report that it is empty.
  if (ctx.dbPath !== ':memory:' && !existsSync(ctx.dbPath)) throw new InputError(`nothing to report: ${ctx.dbPath} does not exist; run aegis ingest first`);

  const now = new Date();
  const data = loadReportData(ctx.db(), select, { databasePath: displayPath(ctx.dbPath, cwd), config: ctx.config, generatedAt: now.toISOString().replace(/\.\d{3}Z$/, 'Z') });
  const sections = presentSections(data);
  if (sections.length === 0) throw new InputError('nothing to report: run aegis ingest first');
  const page = renderReport(data);

  const name = defaultName(select, now);
  let path: string;
  if (flags.out === undefined) path = resolve(cwd, ctx.config.report.outDir, name);
  else if (flags.out === '') throw new InputError('--out: expected a file name');
  else {
    path = resolve(cwd, flags.out);
    if (/[\\/]$/.test(flags.out) || (existsSync(path) && statSync(path).isDirectory())) path = join(path, name);
  }
  writeAtomically(path, page);
  ctx.log.info({ path, sections, bytes: Buffer.byteLength(page) }, 'report written');
  return { path, sections };
}

/** `aegis-report-backtest-2.html`, or `aegis-report-20260610-210500.html` for the latest of everything. */
function defaultName(select: ReportSelection, now: Date): string {
  if (select.runId !== undefined) return `aegis-report-run-${select.runId}.html`;
  if (select.backtestId !== undefined) return `aegis-report-backtest-${select.backtestId}.html`;
  if (select.deploymentId !== undefined) return `aegis-report-deployment-${select.deploymentId}.html`;
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, '').replace('T', '-');
  return `aegis-report-${stamp}.html`;
}

/** The database path as the page shows it: relative when under the current folder. */
function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function writeAtomically(path: string, text: string): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const message = `cannot create the folder ${dirname(path)} (${code ?? (err as Error).message})`;
    throw code && BAD_PATH.has(code) ? new InputError(`--out: ${message}`) : new AegisError(message, { cause: err });
  }
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    writeFileSync(tmp, text);
    renameSync(tmp, path);
  } catch (err) {
    rmSync(tmp, { force: true });
    const code = (err as NodeJS.ErrnoException).code;
    const message = `cannot write ${path} (${code ?? (err as Error).message})`;
    // A path that cannot be written is bad input; a full disk is not.
    throw code && BAD_PATH.has(code) ? new InputError(`--out: ${message}`) : new AegisError(message, { cause: err });
  }
}

const BAD_PATH = new Set(['EEXIST', 'EACCES', 'EPERM', 'EISDIR', 'ENOTDIR', 'ENOENT', 'EROFS', 'ENAMETOOLONG']);
