/**
 * The report loaders on a real database built through the CLI on bundled data (ingest, evolve with
 * the EM loop, a backtest of the run, a walk-forward): every section filled from what the tables
 * hold, and the page of the real data drawn in headless Chromium without errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { InputError } from '../../src/domain/errors.js';
import { openDb, type Db } from '../../src/store/db.js';
import { compileRule } from '../../src/strategy/index.js';
import { loadReportData, presentSections } from '../../src/report/load.js';
import { renderReport } from '../../src/report/render.js';
import type { ReportData } from '../../src/report/model.js';
import { runAegis, tempDir } from '../helpers/cli.js';
import { chartPixels, headings, launchChromium, openReport, screenshot } from './browser.js';
import { buildRealDb, IDS, ingest, INGESTED } from './realDb.js';

const META = { databasePath: 'real.sqlite', generatedAt: '2026-06-10T21:05:00Z' };

const t = tempDir('aegis-report-load-');
let db: Db;
let dbPath: string;
let single: Record<string, any>;
let walkForward: Record<string, any>;

beforeAll(() => {
  const built = buildRealDb(t.dir, { walkForward: true });
  dbPath = built.db;
  single = built.single;
  walkForward = built.walkForward!;
  db = openDb(dbPath);
}, 180_000);

afterAll(() => {
  db?.close();
  t.cleanup();
});

const count = (sql: string, ...args: unknown[]): number => (db.prepare(sql).get(...args) as { n: number }).n;
const load = (select: Parameters<typeof loadReportData>[1] = {}): ReportData => loadReportData(db, select, META);

describe('the database the tests built', () => {
  it('has the runs and backtests the tests expect', () => {
    expect(single.backtestId).toBe(IDS.single);
    expect(walkForward.backtestId).toBe(IDS.walkForward);
    const runs = db.prepare('SELECT id, purpose FROM runs ORDER BY id').all() as { id: number; purpose: string }[];
    expect(runs.map((r) => r.id)).toEqual([IDS.run, ...IDS.foldRuns]);
    expect(runs[0].purpose).toBe('evolve');
    expect(runs.slice(1).every((r) => r.purpose.startsWith('walk-forward fold '))).toBe(true);
  });
});

describe('loadReportData: sections filled from the tables', () => {
  it('meta: title, time, database path, version', () => {
    const data = load();
    expect(data.meta).toEqual({ title: 'Aegis research report', generatedAt: META.generatedAt, databasePath: 'real.sqlite', aegisVersion: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it('data: every stored symbol and every finding', () => {
    const { data } = load();
    expect(data!.symbols.map((s) => s.symbol)).toEqual(INGESTED.split(',').sort());
    for (const s of data!.symbols) {
      const row = db.prepare('SELECT first_date AS first, last_date AS last, rows FROM symbols WHERE symbol = ?').get(s.symbol) as { first: string; last: string; rows: number };
      expect(s).toEqual({ symbol: s.symbol, first: row.first, last: row.last, rows: row.rows, issues: count('SELECT COUNT(*) n FROM data_issues WHERE symbol = ?', s.symbol) });
    }
    expect(data!.findings).toHaveLength(count('SELECT COUNT(*) n FROM data_issues'));
    expect(data!.findings.length).toBeGreaterThanOrEqual(5);
    expect(new Set(data!.findings.map((f) => f.symbol))).toEqual(new Set(['AMD', 'UUP']));
    for (const f of data!.findings) expect(['rejected', 'flagged']).toContain(f.severity);
  });

  it('evolution (--backtest of the run): the run, its counters, every generation, trial Sharpes annualised', () => {
    const { evolution } = load({ backtestId: IDS.single });
    expect(evolution!.runs).toHaveLength(1);
    const run = evolution!.runs[0];
    const row = db.prepare('SELECT * FROM runs WHERE id = ?').get(IDS.run) as Record<string, any>;
    expect(run).toMatchObject({ runId: IDS.run, grammar: row.grammar, metric: 'sharpe', trials: row.trials, evaluations: row.evaluations, invalid: row.invalid, stoppedEarly: Boolean(row.stopped_early) });
    expect(run.trials).toBeGreaterThan(0);
    // Two species and two EM iterations, every generation of each.
    expect(run.generations).toHaveLength(count('SELECT COUNT(*) n FROM generations WHERE run_id = ?', IDS.run));
    expect(new Set(run.generations.map((g) => g.species))).toEqual(new Set(['0', '1']));
    expect(new Set(run.generations.map((g) => g.emIteration))).toEqual(new Set([0, 1]));
    const g0 = db.prepare('SELECT * FROM generations WHERE run_id = ? ORDER BY em_iteration, generation, species LIMIT 1').get(IDS.run) as Record<string, number>;
    expect(run.generations[0]).toEqual({
      emIteration: g0.em_iteration, generation: g0.generation, species: String(g0.species), bestTrain: g0.best_train, medianTrain: g0.median_train,
      bestValidation: g0.best_validation, invalidShare: g0.invalid_share, diversity: g0.diversity,
    });
    // The trials table holds daily (per-observation) Sharpe ratios; the report annualised ones.
    const daily = (db.prepare('SELECT sharpe FROM trials WHERE run_id = ? ORDER BY seq').all(IDS.run) as { sharpe: number }[]).map((r) => r.sharpe);
    expect(run.trialSharpes).toHaveLength(daily.length);
    expect(daily.length).toBe(run.trials);
    daily.forEach((s, i) => expect(run.trialSharpes[i]).toBeCloseTo(s * Math.sqrt(252), 3));
    const spread = Math.max(...run.trialSharpes.map(Math.abs));
    expect(spread).toBeGreaterThan(0.3); // annualised: daily ratios are ~16 times smaller
  });

  it('EM loop: every iteration with its allocation weights, the final allocation, the dropped sleeves', () => {
    const { em } = load({ runId: IDS.run });
    const iterations = db.prepare('SELECT * FROM em_iterations WHERE run_id = ? ORDER BY iteration').all(IDS.run) as Record<string, any>[];
    expect(iterations).toHaveLength(2);
    expect(em!.objective).toBe('Sharpe');
    expect(em!.iterations.map((it) => it.iteration)).toEqual([0, 1]);
    em!.iterations.forEach((it, i) => {
      const row = iterations[i];
      expect(it.trainObjective).toBe(row.train_objective);
      expect(it.validationObjective).toBe(row.validation_objective);
      expect(it.strategies).toEqual(JSON.parse(row.strategies).map((s: { id: number }) => String(s.id)));
      const sleeves = JSON.parse((db.prepare('SELECT sleeves FROM allocations WHERE id = ?').get(row.allocation_id) as { sleeves: string }).sleeves) as { sleeve: string; weight: number }[];
      expect(Object.keys(it.weights).sort()).toEqual(sleeves.map((s) => s.sleeve).sort());
      for (const s of sleeves) expect(it.weights[s.sleeve]).toBe(s.weight);
      const total = Object.values(it.weights).reduce((a, b) => a + b, 0);
      expect(total).toBeGreaterThan(0);
      expect(total).toBeLessThanOrEqual(1 + 1e-9);
      for (const w of Object.values(it.weights)) expect(w).toBeGreaterThan(0);
    });
    const final = db.prepare('SELECT a.sleeves, a.dropped FROM runs r JOIN allocations a ON a.id = r.final_allocation_id WHERE r.id = ?').get(IDS.run) as { sleeves: string; dropped: string };
    const finalSleeves = JSON.parse(final.sleeves) as { sleeve: string; weight: number }[];
    expect(em!.finalWeights).toEqual(Object.fromEntries(finalSleeves.map((s) => [s.sleeve, s.weight])));
    expect(Object.values(em!.finalWeights).reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(1 + 1e-9);
    const dropped = JSON.parse(final.dropped) as { id: string; because: string; correlation: number }[];
    expect(em!.dropped).toEqual(dropped.map((d) => ({ id: d.id, because: `correlated with ${d.because}`, correlation: d.correlation })));
  });

  it('strategies: the selected iteration best first, each pretty-printed to the same rule', () => {
    const { strategies } = load({ runId: IDS.run });
    const selected = (db.prepare('SELECT a.em_iteration AS m FROM runs r JOIN allocations a ON a.id = r.final_allocation_id WHERE r.id = ?').get(IDS.run) as { m: number }).m;
    const rows = db.prepare('SELECT id, rank, expr, species, fitness FROM strategies WHERE run_id = ? AND em_iteration = ? ORDER BY rank').all(IDS.run, selected) as Record<string, any>[];
    expect(strategies!.map((s) => s.id)).toEqual(rows.map((r) => r.id));
    expect(strategies!.map((s) => s.rank)).toEqual(rows.map((_, i) => i + 1));
    strategies!.forEach((s, i) => {
      expect(s).toMatchObject({ expr: rows[i].expr, species: String(rows[i].species), fitness: rows[i].fitness });
      const again = compileRule(s.pretty);
      expect(again.ok, s.pretty).toBe(true);
      if (again.ok) expect(again.rule.text).toBe((compileRule(s.expr) as { ok: true; rule: { text: string } }).rule.text);
      for (const m of [s.train, s.validation]) for (const k of ['sharpe', 'sortino', 'cagr', 'maxDrawdown', 'trades', 'exposure']) expect(Number.isFinite(m[k]), k).toBe(true);
    });
    // Long rules break over several indented lines.
    const longest = strategies!.reduce((a, b) => (b.expr.length > a.expr.length ? b : a));
    if (longest.expr.length > 72) expect(longest.pretty).toContain('\n  ');
  });

  it('backtest (walk-forward): the stitched curve, benchmark, folds, statistics, gate, trades', () => {
    const { backtest: bt } = load({ backtestId: IDS.walkForward });
    const id = IDS.walkForward;
    expect(bt!.backtestId).toBe(id);
    expect(bt!.kind).toBe('walk-forward');
    const n = count('SELECT COUNT(*) n FROM equity WHERE backtest_id = ?', id);
    expect(bt!.dates).toHaveLength(n);
    expect(bt!.equity).toHaveLength(n);
    expect([...bt!.dates].sort()).toEqual(bt!.dates);
    expect(bt!.dates[0]).toBe(walkForward.from);
    expect(bt!.dates[n - 1]).toBe(walkForward.to);
    expect(bt!.benchmark!.name).toBe(walkForward.benchmarkName);
    expect(bt!.benchmark!.equity).toHaveLength(n);
    expect(bt!.folds).toHaveLength(count('SELECT COUNT(*) n FROM folds WHERE backtest_id = ?', id));
    expect(bt!.folds).toHaveLength(5);
    bt!.folds.forEach((f, i) => {
      const j = walkForward.folds[i];
      expect(f).toMatchObject({ train: j.train, test: j.test, expr: j.expr || '(cash)' });
      expect(f.oos.sharpe).toBeCloseTo(j.oos.sharpe, 12);
      expect(f.is.sharpe).toBeCloseTo(j.is.sharpe, 12);
    });
    expect(bt!.oos.sharpe).toBeCloseTo(walkForward.oos.sharpe, 12);
    expect(bt!.oos.trades).toBe(walkForward.oos.trades);
    expect(bt!.benchmarkMetrics!.sharpe).toBeCloseTo(walkForward.benchmark.sharpe, 12);
    expect(bt!).toMatchObject({ psr: walkForward.psr, dsr: walkForward.dsr, pbo: walkForward.pbo, trials: walkForward.trials, walkForwardEfficiency: walkForward.walkForwardEfficiency, gate: walkForward.gate, lookahead: walkForward.lookahead, stress: walkForward.stress });
    expect(bt!.trials).toBe(count('SELECT SUM(trials) n FROM runs WHERE id IN (SELECT run_id FROM folds WHERE backtest_id = ?)', id));
    // Trades: all of them, oldest first; only a position held at the very end is open.
    expect(bt!.trades).toHaveLength(count('SELECT COUNT(*) n FROM trades WHERE backtest_id = ?', id));
    expect(bt!.trades.map((x) => x.entryDate)).toEqual(bt!.trades.map((x) => x.entryDate).sort());
    const lastTest = bt!.folds[4].test;
    for (const trade of bt!.trades) {
      if (trade.exitDate === null) {
        expect(trade.entryDate >= lastTest.from).toBe(true);
        expect(trade.exitPrice).toBeNull();
        expect(trade.return).toBeNull();
      } else {
        expect(trade.exitDate >= trade.entryDate).toBe(true);
        expect(Number.isFinite(trade.return!)).toBe(true);
      }
    }
    // Positions held when an earlier fold's test window ended are closed at its last day.
    const foldEnds = new Set(bt!.folds.slice(0, 4).map((f) => f.test.to));
    const heldOver = count('SELECT COUNT(*) n FROM trades WHERE backtest_id = ? AND exit_date IS NULL AND fold < 5', id);
    expect(bt!.trades.filter((x) => x.exitDate !== null && foldEnds.has(x.exitDate)).length).toBeGreaterThanOrEqual(heldOver);
  });

  it('backtest (single, of the run): whole curve; the benchmark measured over the same out-of-sample days', () => {
    const { backtest: bt } = load({ backtestId: IDS.single });
    expect(bt!.kind).toBe('single');
    expect(bt!.folds).toEqual([]);
    expect(bt!.dates).toHaveLength(count('SELECT COUNT(*) n FROM equity WHERE backtest_id = ?', IDS.single));
    expect(bt!.dates[0]).toBe(single.from);
    expect(bt!.oos.sharpe).toBeCloseTo(single.oos.sharpe, 12);
    expect(bt!.oos.observations).toBe(single.oos.observations);
    expect(single.oos.observations).toBeLessThan(bt!.dates.length);
    // Same days as the strategy's OOS metrics, not the whole curve the stored benchmark covers.
    expect(bt!.benchmarkMetrics!.observations).toBe(single.oos.observations);
    expect(single.benchmark.observations).toBe(bt!.dates.length);
    const b = bt!.benchmark!.equity;
    const k = single.oos.observations;
    expect(bt!.benchmarkMetrics!.totalReturn).toBeCloseTo(b[b.length - 1] / b[b.length - 1 - k] - 1, 10);
    expect(bt!.trades).toHaveLength(count('SELECT COUNT(*) n FROM trades WHERE backtest_id = ?', IDS.single));
    expect(bt!.lookahead).toEqual(single.lookahead);
    expect(bt!.gate.passed).toBe(false);
  });
});

describe('loadReportData: what is selected', () => {
  it('by default: the latest backtest (the walk-forward), its fold runs, the last fold run\'s EM loop and strategies', () => {
    const data = load();
    expect(presentSections(data)).toEqual(['evolution', 'em', 'strategies', 'backtest', 'data']);
    expect(data.backtest!.backtestId).toBe(IDS.walkForward);
    expect(data.evolution!.runs.map((r) => r.runId)).toEqual([...IDS.foldRuns]);
    const last = IDS.foldRuns[IDS.foldRuns.length - 1];
    expect(data.strategies!.map((s) => s.id)).toEqual(load({ runId: last }).strategies!.map((s) => s.id));
    expect(data.em).toEqual(load({ runId: last }).em);
    expect(data.deployment).toBeNull();
  });

  it('--run: that run, with the latest backtest of it', () => {
    const data = load({ runId: IDS.run });
    expect(data.evolution!.runs.map((r) => r.runId)).toEqual([IDS.run]);
    expect(data.backtest!.backtestId).toBe(IDS.single);
    const fold = load({ runId: IDS.foldRuns[1] });
    expect(fold.evolution!.runs.map((r) => r.runId)).toEqual([IDS.foldRuns[1]]);
    expect(fold.backtest!.backtestId).toBe(IDS.walkForward);
  });

  it('unknown ids, two selections, deployments: input errors naming what is wrong', () => {
    expect(() => load({ runId: 99 })).toThrow(InputError);
    expect(() => load({ runId: 99 })).toThrow('no run 99');
    expect(() => load({ backtestId: 99 })).toThrow(/no backtest 99; this database has backtests 1, 2/);
    expect(() => load({ runId: 1, backtestId: 1 })).toThrow(/at most one/);
    expect(() => load({ deploymentId: 1 })).toThrow(/no deployment 1/);
  });

  it('a backtest that did not finish is refused with its status', () => {
    const id = Number(
      db
        .prepare("INSERT INTO backtests (created_at, status, kind, source, config, config_hash, symbols, date_from, date_to, detail) VALUES ('2000-01-01T00:00:00Z', 'failed', 'single', 'x', '{}', 'h', 'SPY', '2001-01-01', '2002-01-01', 'boom')")
        .run().lastInsertRowid,
    );
    try {
      expect(() => load({ backtestId: id })).toThrow(new RegExp(`backtest ${id} is failed \\(boom\\)`));
      // ...and never chosen by default.
      expect(load().backtest!.backtestId).toBe(IDS.walkForward);
    } finally {
      db.prepare('DELETE FROM backtests WHERE id = ?').run(id);
    }
  });
});

describe('loadReportData: thin databases', () => {
  it('only ingested data: only the data section', () => {
    const dir = tempDir('aegis-report-data-only-');
    try {
      const path = join(dir.dir, 'data.sqlite');
      ingest(dir.dir, path, 'SPY,UUP');
      const conn = openDb(path);
      try {
        const data = loadReportData(conn, {}, META);
        expect(presentSections(data)).toEqual(['data']);
        expect(data).toMatchObject({ evolution: null, em: null, strategies: null, backtest: null, deployment: null });
        expect(data.data!.symbols.map((s) => s.symbol)).toEqual(['SPY', 'UUP']);
        expect(data.data!.findings.length).toBe(data.data!.symbols.reduce((a, s) => a + s.issues, 0));
        expect(() => loadReportData(conn, { runId: 1 }, META)).toThrow(/no run 1/);
        expect(() => loadReportData(conn, { backtestId: 1 }, META)).toThrow(/no backtest 1: this database has no backtests/);
      } finally {
        conn.close();
      }
    } finally {
      dir.cleanup();
    }
  });

  it('an empty database: no section at all', () => {
    const conn = openDb(':memory:');
    try {
      const data = loadReportData(conn, {}, META);
      expect(presentSections(data)).toEqual([]);
      expect(data.meta.databasePath).toBe('real.sqlite');
    } finally {
      conn.close();
    }
  });
});

describe('aegis show backtest (walk-forward)', () => {
  it('prints the metrics, every fold, the stress windows, the lookahead check and the gate with reasons', () => {
    const r = runAegis(['show', 'backtest', String(IDS.walkForward), '--db', dbPath]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`backtest ${IDS.walkForward} (walk-forward)`);
    expect(r.stdout).toMatch(/out-of-sample \(stitched\)\s+-?\d/);
    expect(r.stdout).toContain(`benchmark: ${walkForward.benchmarkName}`);
    const foldLines = r.stdout.split('\n').filter((l) => /^\s+[1-5]\s+\d{4}-\d\d-\d\d\.\.\d{4}/.test(l));
    expect(foldLines).toHaveLength(5);
    expect(r.stdout).toContain('2020 crash');
    expect(r.stdout).toMatch(/lookahead check: passed/);
    expect(r.stdout).toMatch(/gate G0: (PASSED|FAILED)\n {2}- /);
    for (const reason of walkForward.gate.reasons) expect(r.stdout).toContain(reason);
  });
});

describe('the real report in headless Chromium', () => {
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });

  async function expectDrawn(data: ReportData, name: string): Promise<void> {
    const opened = await openReport(browser, renderReport(data), name);
    try {
      expect(opened.pageErrors, 'page errors').toEqual([]);
      expect(opened.consoleErrors, 'console errors and warnings').toEqual([]);
      expect(opened.requests, 'network requests').toEqual([opened.url]);
      const h = await headings(opened.page);
      expect(h.h2).toEqual(['At a glance', 'Evolution', 'EM loop', 'Strategies', 'Backtest', 'Data']);
      const expected = [
        ...data.evolution!.runs.flatMap((_, i) => [`evo-fitness-${i}`, `evo-invalid-${i}`, `evo-trials-${i}`]),
        'em-objective',
        'em-weights',
        'bt-equity',
        'bt-drawdown',
        ...(data.backtest!.folds.length ? ['bt-folds'] : []),
      ];
      const pixels = await chartPixels(opened.page);
      expect(pixels.map((p) => p.id).sort()).toEqual(expected.sort());
      for (const p of pixels) {
        // The EM charts have one x per iteration; one iteration is two dots (train, validation).
        if (p.id.startsWith('em-')) expect(p.points, p.id).toBe(data.em!.iterations.length);
        else expect(p.points, `${p.id} has data`).toBeGreaterThan(1);
        const dots = p.id === 'em-objective' && data.em!.iterations.length === 1;
        expect(p.colored, `${p.id} coloured pixels in the plot area`).toBeGreaterThan(dots ? 40 : Math.max(200, p.area * 0.002));
      }
      expect(await opened.page.locator('[data-testid="symbols"] tbody tr').count()).toBe(data.data!.symbols.length);
      expect(await opened.page.locator('[data-testid="findings"] tbody tr').count()).toBe(data.data!.findings.length);
      expect(await opened.page.locator('[data-testid="rule"]').count()).toBe(Math.min(10, data.strategies!.length));
      expect(await opened.page.getAttribute('[data-testid="gate-verdict"]', 'data-passed')).toBe(String(data.backtest!.gate.passed));
      expect(await opened.page.locator('[data-testid="folds"] tbody tr').count()).toBe(data.backtest!.folds.length);
      await screenshot(opened.page, name);
    } finally {
      await opened.close();
    }
  }

  it('the default report (walk-forward and its fold runs): every chart drawn, no errors; test-artifacts/report-real.png', async () => {
    await expectDrawn(load(), 'real');
  });

  it('the report of the run and its backtest (two species, two EM iterations): every chart drawn, no errors', async () => {
    await expectDrawn(load({ runId: IDS.run }), 'real-run');
  });
});
