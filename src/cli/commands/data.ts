import type { Command } from 'commander';
import { InputError } from '../../domain/errors.js';
import { parseTickerList } from '../../domain/tickers.js';
import { MarketStore } from '../../store/marketStore.js';
import { renderTable } from '../table.js';
import { runCommand } from '../run.js';

export function registerData(program: Command): void {
  const data = program.command('data').description('inspect stored prices and data-quality findings');

  data
    .command('list')
    .description('symbols in the database: first and last date, rows, issues found')
    .addHelpText('after', '\nExample:\n  aegis data list --json')
    .action((_flags: unknown, cmd: Command) =>
      runCommand(cmd, (ctx) => {
        const rows = new MarketStore(ctx.db()).listSymbols();
        ctx.output(rows, () =>
          rows.length === 0
            ? 'no symbols stored yet; try: aegis ingest SPY,QQQ'
            : renderTable(rows, [
                { header: 'symbol', value: (r) => r.symbol },
                { header: 'first', value: (r) => r.first },
                { header: 'last', value: (r) => r.last },
                { header: 'rows', value: (r) => r.rows, align: 'right' },
                { header: 'issues', value: (r) => r.issues, align: 'right' },
              ]),
        );
      }),
    );

  data
    .command('check')
    .description('data-quality findings; exit 1 when rows were rejected or prices jump without a corporate action')
    .argument('[symbols]', 'comma-separated tickers (default: all stored)')
    .addHelpText('after', '\nExample:\n  aegis data check SPY,QQQ')
    .action((symbolsArg: string | undefined, _flags: unknown, cmd: Command) =>
      runCommand(cmd, (ctx) => {
        const symbols = symbolsArg ? parseTickerList(symbolsArg) : undefined;
        const market = new MarketStore(ctx.db());
        const missing = (symbols ?? []).filter((s) => !market.summary(s));
        if (missing.length) throw new InputError(`${missing.join(', ')}: nothing stored; run aegis ingest ${missing.join(',')} first`);
        const issues = market.issues(symbols);
        const serious = issues.filter((i) => i.severity === 'rejected' || i.kind === 'jump');
        ctx.output(
          { issues: issues.map(({ symbol, date, kind, severity, detail }) => ({ symbol, date, kind, severity, detail })), serious: serious.length },
          () =>
            issues.length === 0
              ? 'no data-quality findings'
              : `${renderTable(issues, [
                  { header: 'symbol', value: (r) => r.symbol },
                  { header: 'date', value: (r) => r.date },
                  { header: 'severity', value: (r) => r.severity, colour: (r) => (r.severity === 'rejected' ? 'red' : 'yellow') },
                  { header: 'kind', value: (r) => r.kind },
                  { header: 'detail', value: (r) => r.detail },
                ])}\n${issues.length} finding(s), ${serious.length} needing attention (rejected rows or unexplained jumps)`,
        );
        return serious.length > 0 ? 1 : 0;
      }),
    );
}
