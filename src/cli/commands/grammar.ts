import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { InputError } from '../../domain/errors.js';
import { checkGrammar, formatIssue, loadGrammar, mapGenome, parseGrammar, resolveGrammarPath } from '../../ge/index.js';
import { runCommand } from '../run.js';

export function registerGrammar(program: Command): void {
  const grammar = program.command('grammar').description('check BNF grammars and map genomes to rules');

  grammar
    .command('check')
    .description('parse and check a grammar: errors (exit 2) and warnings with line numbers')
    .argument('<file>', 'a grammar file, or a bundled name such as "default"')
    .addHelpText('after', '\nExamples:\n  aegis grammar check default\n  aegis grammar check my.bnf --json')
    .action((file: string, _flags: unknown, cmd: Command) =>
      runCommand(cmd, (ctx) => {
        const { path, display } = resolveGrammarPath(file);
        let text: string;
        try {
          text = readFileSync(path, 'utf8');
        } catch (err) {
          throw new InputError(`${display}: cannot read the grammar (${(err as NodeJS.ErrnoException).code ?? err})`);
        }
        const g = parseGrammar(text, display);
        const { errors, warnings } = checkGrammar(g);
        const rules = g.rules.filter((r) => !r.duplicate).length;
        ctx.output({ file: display, rules, start: g.start, errors: errors.map(formatIssue), warnings: warnings.map(formatIssue) }, () =>
          [
            ...errors.map((e) => `error: ${formatIssue(e)}`),
            ...warnings.map((w) => `warning: ${formatIssue(w)}`),
            `${display}: ${errors.length ? `${errors.length} error(s)` : 'OK'}, ${rules} rules, start <${g.start}>, ${warnings.length} warning(s)`,
          ].join('\n'),
        );
        return errors.length ? 2 : 0;
      }),
    );

  grammar
    .command('map')
    .description('map genomes to phenotypes with the standard GE mapping (leftmost first, codon mod choices)')
    .argument('<file>', 'a grammar file, or a bundled name such as "default"')
    .option('--genome <codons>', 'comma-separated codons, e.g. 12,7,0,3')
    .option('--genomes <file>', 'a file with one comma-separated genome per line')
    .option('--max-wraps <n>', 'times the genome may wrap around', '0')
    .addHelpText('after', '\nExamples:\n  aegis grammar map default --genome 12,7,0,3,9,1\n  aegis grammar map my.bnf --genomes genomes.txt --json   # one JSON line per genome')
    .action((file: string, flags: { genome?: string; genomes?: string; maxWraps: string }, cmd: Command) =>
      runCommand(cmd, (ctx) => {
        const maxWraps = Number(flags.maxWraps);
        if (!Number.isInteger(maxWraps) || maxWraps < 0) throw new InputError(`--max-wraps: expected a non-negative integer, got "${flags.maxWraps}"`);
        if (!flags.genome === !flags.genomes) throw new InputError('give exactly one of --genome CODONS and --genomes FILE');
        const g = loadGrammar(file, { onWarning: (m) => ctx.log.warn(m) });
        const genomes: { codons: number[]; where: string }[] = [];
        if (flags.genome) genomes.push({ codons: parseGenome(flags.genome, '--genome'), where: '--genome' });
        else {
          let text: string;
          try {
            text = readFileSync(flags.genomes!, 'utf8');
          } catch (err) {
            throw new InputError(`${flags.genomes}: cannot read (${(err as NodeJS.ErrnoException).code ?? err})`);
          }
          text.split(/\r?\n/).forEach((line, i) => {
            if (line.trim()) genomes.push({ codons: parseGenome(line, `${flags.genomes}:${i + 1}`), where: `${flags.genomes}:${i + 1}` });
          });
        }
        const lines = genomes.map(({ codons }) => {
          const r = mapGenome(g, codons, { maxWraps });
          return { valid: r.valid, phenotype: r.valid ? r.phenotype : null, usedCodons: r.usedCodons, nodes: r.nodes, depth: r.depth };
        });
        if (ctx.json) process.stdout.write(lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
        else process.stdout.write(lines.map((l) => (l.valid ? l.phenotype : `(invalid: non-terminals remain after ${l.usedCodons} codons)`)).join('\n') + '\n');
      }),
    );
}

function parseGenome(text: string, where: string): number[] {
  const parts = text.split(',').map((s) => s.trim());
  return parts.map((p, i) => {
    const v = Number(p);
    if (p === '' || !Number.isInteger(v) || v < 0) throw new InputError(`${where}: codon ${i + 1} is "${p}", expected a non-negative integer`);
    return v;
  });
}
