import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import { isIsoDate } from '../../domain/dates.js';
import { parseTickerList, readTickerFile } from '../../domain/tickers.js';
import { ingest, type SymbolReport } from '../../data/ingest.js';
import { createSource } from '../../data/sources.js';
import { SOURCES, type SourceName } from '../../config/schema.js';
import { MarketStore } from '../../store/marketStore.js';
import { progressBar } from '../progress.js';
import { renderTable } from '../table.js';
import { runCommand } from '../run.js';

interface IngestFlags {
  source?: string;
  csvDir?: string;
  from?: string;
  to?: string;
  symbolsFile?: string;
}

export function registerIngest(program: Command): void {
  program
    .command('ingest')
    .description('fetch daily bars into the database: incremental, idempotent, checked before storing')
    .argument('[symbols]', 'comma-separated tickers, e.g. SPY,QQQ,BRK.B')
    .option('--source <name>', `where prices come from: ${SOURCES.join(', ')} (default from config: data.source)`)
    .option('--csv-dir <dir>', 'folder of SYMBOL.csv / SYMBOL.csv.gz files (for --source csv; default data.csvDir)')
    .option('--symbols-file <file>', 'a file with one ticker per line (for large universes)')
    .option('--from <date>', 'first date to fetch, YYYY-MM-DD (default: after the last stored bar, else data.from)')
    .option('--to <date>', 'last date to fetch, YYYY-MM-DD (default: the latest available)')
    .addHelpText('after', '\nExamples:\n  aegis ingest SPY,QQQ\n  aegis ingest SPY,QQQ,GLD --source csv --csv-dir data/daily\n  aegis ingest --symbols-file universe.txt --source alpaca --from 2015-01-01')
    .action((symbolsArg: string | undefined, flags: IngestFlags, cmd: Command) =>
      runCommand(cmd, async (ctx) => {
        const symbols = [
          ...(symbolsArg !== undefined ? parseTickerList(symbolsArg, 'symbols') : []),
          ...(flags.symbolsFile ? readTickerFile(flags.symbolsFile) : []),
        ];
        if (symbols.length === 0) throw new InputError('symbols: give a comma-separated list (e.g. SPY,QQQ) or --symbols-file FILE');
        const uniqueSymbols = [...new Set(symbols)];
        for (const [name, v] of [['--from', flags.from], ['--to', flags.to]] as const) {
          if (v !== undefined && !isIsoDate(v)) throw new InputError(`${name}: expected a date YYYY-MM-DD, got "${v}"`);
        }
        if (flags.from && flags.to && flags.from > flags.to) throw new InputError(`--from ${flags.from} is after --to ${flags.to}`);
        const sourceName = (flags.source ?? ctx.config.data.source) as SourceName;
        if (!SOURCES.includes(sourceName)) throw new InputError(`--source: expected one of ${SOURCES.join(', ')}, got "${flags.source}"`);
        const source = await createSource(sourceName, ctx.config, { csvDir: flags.csvDir });

        const store = new MarketStore(ctx.db({ create: true }));
        const bar = progressBar(ctx.interactive, 'ingest', uniqueSymbols.length);
        const result = await ingest(store, source, {
          symbols: uniqueSymbols,
          from: flags.from ?? null,
          to: flags.to ?? null,
          defaultFrom: ctx.config.data.from,
          quality: ctx.config.data.quality,
          onSymbolDone: (r) => bar.tick(r.symbol),
        });
        bar.stop();

        const failed = result.symbols.filter((s) => s.error !== null);
        for (const f of failed) ctx.log.error({ symbol: f.symbol }, `${f.symbol}: ${f.error}`);
        ctx.output(
          { runId: result.runId, symbols: result.symbols.map(({ symbol, added, first, last, issues, error }) => ({ symbol, added, first, last, issues, error })) },
          () => renderSummary(result.symbols),
        );
        // 0: all stored; 2: every symbol failed on bad input (malformed file, bad symbol); 1: some failed.
        if (failed.length === 0) return 0;
        return failed.length === result.symbols.length && failed.every((f) => f.inputError) ? 2 : 1;
      }),
    );
}

function renderSummary(rows: SymbolReport[]): string {
  const added = rows.reduce((s, r) => s + r.added, 0);
  const table = renderTable(rows, [
    { header: 'symbol', value: (r) => r.symbol },
    { header: 'added', value: (r) => r.added, align: 'right' },
    { header: 'first', value: (r) => r.first },
    { header: 'last', value: (r) => r.last },
    { header: 'issues', value: (r) => r.issues, align: 'right', colour: (r) => (r.rejected > 0 ? 'yellow' : undefined) },
    { header: 'error', value: (r) => r.error ?? '', colour: (r) => (r.error ? 'red' : undefined) },
  ]);
  return `${table}\n${added} row(s) added for ${rows.length} symbol(s)`;
}
