import type { Metrics } from '../backtest/metrics.js';
import type { GenerationStats } from '../ge/search.js';
import { inWriteTransaction, nowIso, type Db } from './db.js';

export type RunStatus = 'running' | 'finished' | 'interrupted' | 'failed';

export interface NewRun {
  purpose: string;
  config: unknown;
  configHash: string;
  seed: number;
  grammar: string;
  grammarHash: string;
  symbols: readonly string[];
  trainFrom: string;
  trainTo: string;
  validFrom: string;
  validTo: string;
  dataHash: string;
  codeVersion: string;
  metric: string;
  observations: number;
}

export interface RunRow {
  id: number;
  createdAt: string;
  finishedAt: string | null;
  status: RunStatus;
  purpose: string;
  config: string;
  configHash: string;
  seed: number;
  grammar: string;
  grammarHash: string;
  symbols: string[];
  trainFrom: string;
  trainTo: string;
  validFrom: string;
  validTo: string;
  dataHash: string;
  codeVersion: string;
  metric: string;
  trials: number;
  evaluations: number;
  invalid: number;
  generationsDone: number;
  stoppedEarly: boolean;
  sharpeMean: number | null;
  sharpeVariance: number | null;
  observations: number | null;
  detail: string | null;
}

export interface StrategyRecord {
  emIteration: number;
  rank: number;
  expr: string;
  genome: readonly number[];
  species: number;
  nodes: number;
  fitness: number;
  validationFitness: number;
  train: Metrics;
  validation: Metrics;
}

export interface StoredStrategy extends StrategyRecord {
  id: number;
  runId: number;
}

export interface Progress {
  emIteration: number;
  generations: readonly GenerationStats[];
  /** Sharpe ratios of trials scored since the last save, in order. */
  newTrialSharpes: readonly number[];
  counts: { trials: number; evaluations: number; invalid: number };
  /** The run's current best strategies (replacing those saved before for this EM iteration). */
  top: readonly StrategyRecord[];
}

/** Runs of the search and everything they produce, committed generation by generation. */
export class RunStore {
  constructor(private readonly db: Db) {}

  /** The database (for the stores of related tables). */
  get database(): Db {
    return this.db;
  }

  createRun(r: NewRun): number {
    return inWriteTransaction(this.db, () =>
      Number(
        this.db
          .prepare(
            `INSERT INTO runs (created_at, status, purpose, config, config_hash, seed, grammar, grammar_hash, symbols,
               train_from, train_to, valid_from, valid_to, data_hash, code_version, metric, observations, pid)
             VALUES (?, 'running', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(
            nowIso(), r.purpose, JSON.stringify(r.config), r.configHash, r.seed, r.grammar, r.grammarHash, r.symbols.join(','),
            r.trainFrom, r.trainTo, r.validFrom, r.validTo, r.dataHash, r.codeVersion, r.metric, r.observations, process.pid,
          ).lastInsertRowid,
      ),
    );
  }

  /**
   * Persist one generation: its statistics, the trials scored since the last save, the counters and
   * the current best strategies, in one transaction, so a kill keeps every finished generation.
   */
  saveProgress(runId: number, p: Progress): void {
    inWriteTransaction(this.db, () => {
      const gen = this.db.prepare(
        `INSERT OR REPLACE INTO generations (run_id, em_iteration, generation, species, best_train, median_train, best_validation, invalid_share, diversity, trials)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const g of p.generations) {
        gen.run(runId, p.emIteration, g.generation, g.species, g.bestTrain, g.medianTrain, g.bestValidation, g.invalidShare, g.diversity, p.counts.trials);
      }
      const seq = (this.db.prepare('SELECT COALESCE(MAX(seq), -1) AS s FROM trials WHERE run_id = ?').get(runId) as { s: number }).s;
      const trial = this.db.prepare('INSERT INTO trials (run_id, seq, sharpe) VALUES (?, ?, ?)');
      p.newTrialSharpes.forEach((s, i) => trial.run(runId, seq + 1 + i, s));
      this.db
        .prepare(
          `UPDATE runs SET trials = @trials, evaluations = @evaluations, invalid = @invalid,
             generations_done = generations_done + 1,
             sharpe_mean = (SELECT AVG(sharpe) FROM trials WHERE run_id = @id),
             sharpe_variance = (SELECT CASE WHEN COUNT(*) > 1
                                  THEN (SUM(sharpe * sharpe) - SUM(sharpe) * SUM(sharpe) / COUNT(*)) / (COUNT(*) - 1) END
                                FROM trials WHERE run_id = @id)
           WHERE id = @id`,
        )
        .run({ id: runId, trials: p.counts.trials, evaluations: p.counts.evaluations, invalid: p.counts.invalid });
      this.replaceStrategies(runId, p.emIteration, p.top);
    });
  }

  replaceStrategies(runId: number, emIteration: number, top: readonly StrategyRecord[]): void {
    inWriteTransactionIfNeeded(this.db, () => {
      this.db.prepare('DELETE FROM strategies WHERE run_id = ? AND em_iteration = ?').run(runId, emIteration);
      const ins = this.db.prepare(
        `INSERT INTO strategies (run_id, em_iteration, rank, expr, genome, species, nodes, fitness, validation_fitness, train, validation)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      for (const s of top) {
        ins.run(runId, emIteration, s.rank, s.expr, s.genome.join(','), s.species, s.nodes, s.fitness, s.validationFitness, JSON.stringify(s.train), JSON.stringify(s.validation));
      }
    });
  }

  finishRun(runId: number, status: RunStatus, stoppedEarly: boolean, detail: string | null = null): void {
    inWriteTransaction(this.db, () => {
      this.db
        .prepare('UPDATE runs SET status = ?, stopped_early = ?, finished_at = ?, detail = ?, pid = NULL WHERE id = ?')
        .run(status, stoppedEarly ? 1 : 0, nowIso(), detail, runId);
    });
  }

  /** Runs left 'running' by a process that no longer exists (killed) become 'interrupted'. */
  markStaleRuns(): number {
    const rows = this.db.prepare("SELECT id, pid FROM runs WHERE status = 'running'").all() as { id: number; pid: number | null }[];
    const stale = rows.filter((r) => r.pid === null || !processAlive(r.pid));
    if (stale.length === 0) return 0;
    inWriteTransaction(this.db, () => {
      const upd = this.db.prepare("UPDATE runs SET status = 'interrupted', detail = 'the process ended without finishing (killed?)', pid = NULL WHERE id = ? AND status = 'running'");
      for (const r of stale) upd.run(r.id);
    });
    return stale.length;
  }

  listRuns(): RunRow[] {
    return (this.db.prepare('SELECT * FROM runs ORDER BY id').all() as Record<string, unknown>[]).map(toRun);
  }

  run(id: number): RunRow | null {
    const row = this.db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return row ? toRun(row) : null;
  }

  generations(runId: number): (GenerationStats & { emIteration: number; trials: number })[] {
    return (
      this.db
        .prepare('SELECT * FROM generations WHERE run_id = ? ORDER BY em_iteration, generation, species')
        .all(runId) as Record<string, number>[]
    ).map((g) => ({
      emIteration: g.em_iteration,
      generation: g.generation,
      species: g.species,
      bestTrain: g.best_train,
      medianTrain: g.median_train,
      bestValidation: g.best_validation,
      invalidShare: g.invalid_share,
      diversity: g.diversity,
      trials: g.trials,
    }));
  }

  /**
   * The run's strategies, best first; by default those of the EM iteration the run selected (its
   * final allocation's), else of its last iteration.
   */
  strategies(runId: number, emIteration?: number): StoredStrategy[] {
    const selected = this.db
      .prepare('SELECT a.em_iteration AS m FROM runs r JOIN allocations a ON a.id = r.final_allocation_id WHERE r.id = ?')
      .get(runId) as { m: number | null } | undefined;
    const iter =
      emIteration ??
      selected?.m ??
      ((this.db.prepare('SELECT MAX(em_iteration) AS m FROM strategies WHERE run_id = ?').get(runId) as { m: number | null }).m ?? 0);
    return (this.db.prepare('SELECT * FROM strategies WHERE run_id = ? AND em_iteration = ? ORDER BY rank').all(runId, iter) as Record<string, unknown>[]).map(toStrategy);
  }

  strategy(id: number): StoredStrategy | null {
    const row = this.db.prepare('SELECT * FROM strategies WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return row ? toStrategy(row) : null;
  }

  trialSharpes(runId: number): number[] {
    return (this.db.prepare('SELECT sharpe FROM trials WHERE run_id = ? ORDER BY seq').all(runId) as { sharpe: number }[]).map((r) => r.sharpe);
  }
}

export interface AllocationRecord {
  emIteration: number | null;
  source: 'em' | 'allocate';
  method: string;
  sleeves: { sleeve: string; strategyId: string; expr: string; asset: string; weight: number }[];
  dropped: { id: string; because: string; correlation: number }[];
  trainObjective: number;
  validationObjective: number;
  train: Metrics;
  validation: Metrics;
  diagnostics: unknown;
}

export interface StoredAllocation extends AllocationRecord {
  id: number;
  runId: number;
  createdAt: string;
}

export interface EmIterationRecord {
  iteration: number;
  allocationId: number | null;
  strategies: { id: number; expr: string }[];
  trainObjective: number;
  validationObjective: number;
  trials: number;
}

/** Allocations and EM iterations of runs. */
export class AllocationStore {
  constructor(private readonly db: Db) {}

  save(runId: number, a: AllocationRecord): number {
    return inWriteTransaction(this.db, () =>
      Number(
        this.db
          .prepare(
            `INSERT INTO allocations (run_id, em_iteration, created_at, source, method, sleeves, dropped, train_objective, validation_objective, train, validation, diagnostics)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
          )
          .run(runId, a.emIteration, nowIso(), a.source, a.method, JSON.stringify(a.sleeves), JSON.stringify(a.dropped), a.trainObjective, a.validationObjective, JSON.stringify(a.train), JSON.stringify(a.validation), JSON.stringify(a.diagnostics ?? null))
          .lastInsertRowid,
      ),
    );
  }

  saveEmIteration(runId: number, e: EmIterationRecord): void {
    inWriteTransaction(this.db, () => {
      this.db
        .prepare('INSERT OR REPLACE INTO em_iterations (run_id, iteration, allocation_id, strategies, train_objective, validation_objective, trials) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(runId, e.iteration, e.allocationId, JSON.stringify(e.strategies), e.trainObjective, e.validationObjective, e.trials);
    });
  }

  emIterations(runId: number): EmIterationRecord[] {
    return (this.db.prepare('SELECT * FROM em_iterations WHERE run_id = ? ORDER BY iteration').all(runId) as Record<string, unknown>[]).map((r) => ({
      iteration: r.iteration as number,
      allocationId: (r.allocation_id as number | null) ?? null,
      strategies: JSON.parse(r.strategies as string),
      trainObjective: r.train_objective as number,
      validationObjective: r.validation_objective as number,
      trials: r.trials as number,
    }));
  }

  get(id: number): StoredAllocation | null {
    const r = this.db.prepare('SELECT * FROM allocations WHERE id = ?').get(id) as Record<string, unknown> | undefined;
    return r ? toAllocation(r) : null;
  }

  /** The allocation a run trades: the one marked final (the best EM iteration), else the latest. */
  selected(runId: number): StoredAllocation | null {
    const r = this.db
      .prepare(
        `SELECT a.* FROM allocations a WHERE a.run_id = ?
         ORDER BY CASE WHEN a.id = (SELECT final_allocation_id FROM runs WHERE id = a.run_id) THEN 0 ELSE 1 END, a.id DESC LIMIT 1`,
      )
      .get(runId) as Record<string, unknown> | undefined;
    return r ? toAllocation(r) : null;
  }

  markFinal(runId: number, allocationId: number): void {
    inWriteTransaction(this.db, () => {
      this.db.prepare('UPDATE runs SET final_allocation_id = ? WHERE id = ?').run(allocationId, runId);
    });
  }
}

function toAllocation(r: Record<string, unknown>): StoredAllocation {
  return {
    id: r.id as number,
    runId: r.run_id as number,
    createdAt: r.created_at as string,
    emIteration: (r.em_iteration as number | null) ?? null,
    source: r.source as 'em' | 'allocate',
    method: r.method as string,
    sleeves: JSON.parse(r.sleeves as string),
    dropped: JSON.parse(r.dropped as string),
    trainObjective: r.train_objective as number,
    validationObjective: r.validation_objective as number,
    train: JSON.parse(r.train as string),
    validation: JSON.parse(r.validation as string),
    diagnostics: r.diagnostics ? JSON.parse(r.diagnostics as string) : null,
  };
}

function inWriteTransactionIfNeeded(db: Db, fn: () => void): void {
  if (db.inTransaction) fn();
  else inWriteTransaction(db, fn);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function toRun(r: Record<string, unknown>): RunRow {
  return {
    id: r.id as number,
    createdAt: r.created_at as string,
    finishedAt: (r.finished_at as string | null) ?? null,
    status: r.status as RunStatus,
    purpose: r.purpose as string,
    config: r.config as string,
    configHash: r.config_hash as string,
    seed: r.seed as number,
    grammar: r.grammar as string,
    grammarHash: r.grammar_hash as string,
    symbols: (r.symbols as string).split(',').filter(Boolean),
    trainFrom: r.train_from as string,
    trainTo: r.train_to as string,
    validFrom: r.valid_from as string,
    validTo: r.valid_to as string,
    dataHash: r.data_hash as string,
    codeVersion: r.code_version as string,
    metric: r.metric as string,
    trials: r.trials as number,
    evaluations: r.evaluations as number,
    invalid: r.invalid as number,
    generationsDone: r.generations_done as number,
    stoppedEarly: Boolean(r.stopped_early),
    sharpeMean: (r.sharpe_mean as number | null) ?? null,
    sharpeVariance: (r.sharpe_variance as number | null) ?? null,
    observations: (r.observations as number | null) ?? null,
    detail: (r.detail as string | null) ?? null,
  };
}

function toStrategy(r: Record<string, unknown>): StoredStrategy {
  return {
    id: r.id as number,
    runId: r.run_id as number,
    emIteration: r.em_iteration as number,
    rank: r.rank as number,
    expr: r.expr as string,
    genome: (r.genome as string).split(',').filter(Boolean).map(Number),
    species: r.species as number,
    nodes: r.nodes as number,
    fitness: r.fitness as number,
    validationFitness: r.validation_fitness as number,
    train: JSON.parse(r.train as string) as Metrics,
    validation: JSON.parse(r.validation as string) as Metrics,
  };
}
