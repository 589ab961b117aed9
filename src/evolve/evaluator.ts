import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';
import type { Panel } from '../domain/types.js';
import { bundled } from '../domain/paths.js';
import {
  BoolMemo,
  boolBytes,
  compileRule,
  computeSeries,
  IndicatorCache,
  memoiseComparisons,
  requiredSeries,
  seriesKey,
  type BoolBuf,
  type CompiledRule,
} from '../strategy/index.js';
import type { BatchEvaluator, BatchValidator, Score } from '../ge/search.js';
import type { Metrics } from '../backtest/metrics.js';
import { scoreRule, scoreTrain, scoreValidation, WORST_FITNESS, type FitnessResult, type FitnessScratch, type FitnessSettings, type ScoringContext, type TrainScore } from './fitness.js';
import type { BoolOp, ScoreBatchReply, ScorePart, ScoreReply, WorkerMessage } from './protocol.js';
import { SharedBoolSlots } from './sharedBools.js';

export interface EvaluatorCounts {
  /** Distinct valid phenotypes scored on data: the trials of the run. */
  trials: number;
  /** Phenotypes asked for, duplicates and invalid ones included. */
  evaluations: number;
  /** Phenotypes that did not map, parse or type-check. */
  invalid: number;
}

const INVALID: Score = { valid: false, fitness: WORST_FITNESS, validation: WORST_FITNESS };

/** What the evaluator keeps of a rule scored under the current settings. */
export interface RuleResult extends Omit<TrainScore, 'signature'> {
  /** Validation fitness: NaN until the rule is validated (only the train-elite are, see validate). */
  validation: number;
  validationMetrics: Metrics | null;
}

/**
 * Scores phenotypes for the search: dedupes them (identical canonical rules are scored once per
 * settings), computes the indicator columns and the comparison columns a batch needs once, in
 * shared memory, and farms the scoring out to worker threads (or runs it here with one worker).
 * Every rule is scored on train; validation only when asked (`validate`). Keeps the count of
 * trials and each trial's Sharpe ratio for the Deflated Sharpe Ratio.
 */
export class RuleEvaluator {
  readonly counts: EvaluatorCounts = { trials: 0, evaluations: 0, invalid: 0 };
  /** Per-observation train Sharpe of every trial, in the order they were scored. */
  readonly trialSharpes: number[] = [];
  /** Results of every distinct rule scored under the current settings, by canonical text. */
  readonly results = new Map<string, RuleResult>();
  private readonly cache: IndicatorCache;
  private readonly workers: Worker[] = [];
  private readonly sentColumns = new Set<string>();
  private readonly memo = new BoolMemo();
  /** With workers: the comparison columns, in shared slots, that every worker's memo also holds. */
  private sharedMemo: BoolMemo | null = null;
  private slots: SharedBoolSlots | null = null;
  /** The key of the column in each slot (null: free). */
  private slotKeys: (string | null)[] = [];
  private scoring = false;
  private readonly scratch: FitnessScratch = {};
  /** Signatures are kept for recent rules only (they cost a float per train day each). */
  private readonly signatures = new Map<string, Float32Array>();
  private nextBatch = 0;
  private readonly trialTexts = new Set<string>();
  /** Raw phenotype -> canonical rule text (the dedupe key). */
  private readonly canonicalTexts = new Map<string, string>();

  constructor(
    private readonly panel: Panel,
    private settings: FitnessSettings,
    private readonly opts: {
      workers: number;
      keepSignatures: number;
      /** Budget of the comparison columns shared with the workers (default: BoolMemo's, 128 MiB). */
      sharedBoolBytes?: number;
    },
  ) {
    this.cache = new IndicatorCache(panel, { allocate: (n) => new Float64Array(new SharedArrayBuffer(n * 8)) });
    const count = opts.workers > 1 || process.env.AEGIS_FORCE_WORKERS ? opts.workers : 0;
    if (count > 0) {
      // The memo's budget in whole columns, and two slots more: a column computed before the memo
      // evicts one to make room, and a cross's comparison.
      const n = panel.N * panel.T;
      const columnBytes = boolBytes(n);
      const capacity = Math.floor((opts.sharedBoolBytes ?? new BoolMemo().maxBytes) / columnBytes);
      this.sharedMemo = new BoolMemo({ maxBytes: capacity * columnBytes });
      this.slots = new SharedBoolSlots(n, capacity + 2);
      this.slotKeys = new Array<string | null>(this.slots.count).fill(null);
    }
    for (let i = 0; i < count; i++) {
      const w = new Worker(workerScript());
      w.unref();
      this.post(w, { type: 'init', panel });
      this.post(w, { type: 'slots', buffer: this.slots!.buffer, bars: this.slots!.bars });
      this.workers.push(w);
    }
    this.broadcastSettings();
  }

  /** Score under new settings (e.g. the allocation of the next EM iteration). Trials keep counting. */
  updateSettings(settings: FitnessSettings): void {
    this.settings = settings;
    this.results.clear();
    this.signatures.clear();
    this.broadcastSettings();
  }

  /**
   * The BatchEvaluator the search calls: train fitness for every phenotype (validation is NaN
   * until `validate` is asked for it).
   */
  readonly evaluate: BatchEvaluator = async (phenotypes) => {
    this.counts.evaluations += phenotypes.length;
    const canonical: (string | null)[] = [];
    const pending = new Map<string, CompiledRule>();
    // Signatures this batch reads, taken now: scoring the batch adds signatures, and the bounded
    // store could evict one a rule of this very batch relies on (it would then skip the penalty).
    const signatures = new Map<string, Float32Array>();
    for (const p of phenotypes) {
      if (p === null) {
        this.counts.invalid += 1;
        canonical.push(null);
        continue;
      }
      const c = compileRule(p);
      if (!c.ok) {
        this.counts.invalid += 1;
        canonical.push(null);
        continue;
      }
      const text = c.rule.text;
      this.canonicalTexts.set(p, text);
      canonical.push(text);
      const known = this.results.get(text);
      const signature = this.opts.keepSignatures > 0 ? this.signatures.get(text) : undefined;
      if (signature) {
        signatures.set(text, signature);
        this.keepSignature(text, signature); // recently used: the last to be evicted
      }
      const needsSignature = this.opts.keepSignatures > 0 && !signature;
      if ((!known || needsSignature) && !pending.has(text)) pending.set(text, c.rule);
    }
    if (pending.size > 0) {
      await this.score([...pending.values()], 'train');
      for (const text of pending.keys()) {
        const s = this.signatures.get(text);
        if (s) signatures.set(text, s);
      }
    }
    return canonical.map((text) => {
      if (text === null) return INVALID;
      const r = this.results.get(text)!;
      return { valid: true, fitness: r.fitness, validation: r.validation, signature: signatures.get(text) };
    });
  };

  /**
   * Validation fitness of valid phenotypes, scoring on the validation window those not validated
   * yet (and on train first those not scored at all). The search asks for its train-elite only:
   * validation chooses among them, and scoring every candidate on it would cost a third more
   * for figures nothing uses.
   */
  readonly validate: BatchValidator = async (phenotypes) => {
    const texts = phenotypes.map((p) => this.canonical(p));
    const unscored = new Map<string, CompiledRule>();
    const pending = new Map<string, CompiledRule>();
    for (const text of texts) {
      const known = this.results.get(text);
      if (known && !Number.isNaN(known.validation)) continue;
      const c = compileRule(text);
      if (!c.ok) throw new Error(`not a valid rule: ${text}: ${c.error}`);
      if (!known) unscored.set(text, c.rule);
      pending.set(text, c.rule);
    }
    if (unscored.size > 0) await this.score([...unscored.values()], 'train');
    if (pending.size > 0) await this.score([...pending.values()], 'validation');
    return texts.map((t) => this.results.get(t)!.validation);
  };

  /** The canonical text of a phenotype this evaluator has seen (compiled again if not). */
  canonical(phenotype: string): string {
    const known = this.canonicalTexts.get(phenotype);
    if (known) return known;
    const c = compileRule(phenotype);
    if (!c.ok) throw new Error(`not a valid rule: ${phenotype}: ${c.error}`);
    return c.rule.text;
  }

  /** Score one rule here, outside the search (e.g. a hand-written rule); not counted as a trial. */
  scoreOne(rule: CompiledRule): FitnessResult {
    return scoreRule(rule, this.panel, this.cache, this.settings, this.scratch, this.memo);
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
    this.workers.length = 0;
  }

  /** Where the time of the last batch went (ms), for benchmarks. */
  timing: { compile?: number; columns?: number; scoring?: number; workerBusy?: number } = {};

  private async score(rules: CompiledRule[], part: ScorePart): Promise<void> {
    if (this.scoring) throw new Error('RuleEvaluator: one batch at a time (shared columns are rewritten between batches)');
    const t0 = performance.now();
    // Every indicator column the batch needs, computed once, here, in shared memory.
    const fresh: [string, Float64Array][] = [];
    for (const rule of rules) {
      for (const node of requiredSeries(rule.ast)) {
        const key = seriesKey(node);
        if (!this.cache.has(key)) computeSeries(node, this.panel, this.cache);
      }
    }
    for (const [key, column] of this.cache.entries()) {
      if (!this.sentColumns.has(key)) {
        fresh.push([key, column]);
        this.sentColumns.add(key);
      }
    }
    // With workers, the comparisons too: computed once here rather than once in each worker.
    const bools = this.workers.length > 0 ? this.shareComparisons(rules) : [];
    const t1 = performance.now();
    let replies: ScoreReply[];
    if (this.workers.length === 0) {
      replies = rules.map((rule) =>
        part === 'train'
          ? { text: rule.text, result: scoreTrain(rule, this.context()) }
          : { text: rule.text, validation: scoreValidation(rule, this.context()) },
      );
    } else {
      for (const w of this.workers) {
        if (fresh.length) this.post(w, { type: 'columns', columns: fresh });
        if (bools.length) this.post(w, { type: 'bools', ops: bools });
      }
      this.scoring = true;
      try {
        replies = await this.scoreOnWorkers(rules.map((r) => r.text), part);
      } finally {
        this.scoring = false;
      }
    }
    this.timing.columns = t1 - t0;
    this.timing.scoring = performance.now() - t1;
    for (const r of replies) {
      if (r.error !== undefined) throw new Error(`worker could not compile a rule the coordinator compiled: ${r.text}: ${r.error}`);
      if (part === 'validation') {
        const known = this.results.get(r.text)!;
        known.validation = r.validation!.validation;
        known.validationMetrics = r.validation!.validationMetrics;
        continue;
      }
      const { signature, ...rest } = r.result!;
      // A rule scored again (for its signature) keeps the validation it may have.
      const before = this.results.get(r.text);
      this.results.set(r.text, { ...rest, validation: before?.validation ?? Number.NaN, validationMetrics: before?.validationMetrics ?? null });
      if (this.opts.keepSignatures > 0) this.keepSignature(r.text, signature);
      if (!this.trialTexts.has(r.text)) {
        this.trialTexts.add(r.text);
        this.counts.trials += 1;
        this.trialSharpes.push(rest.sharpePerObservation);
      }
    }
  }

  /** The in-thread scoring context (settings change between EM iterations). */
  private context(): ScoringContext {
    return { panel: this.panel, cache: this.cache, settings: this.settings, scratch: this.scratch, memo: this.memo };
  }

  /**
   * The comparison and cross columns of a batch the shared memo lacks, computed into free slots;
   * returns the changes for the workers' memos in the order they happened (a slot freed by an
   * eviction may be filled again within the same batch).
   */
  private shareComparisons(rules: CompiledRule[]): BoolOp[] {
    const memo = this.sharedMemo!;
    const slots = this.slots!;
    const ops: BoolOp[] = [];
    const recycle = () => {
      for (const buf of memo.takeRetired()) {
        const i = slots.slotOf(buf);
        const key = this.slotKeys[i];
        if (key !== null) ops.push(['drop', key]); // (a column evicted before it was announced was never sent)
        this.slotKeys[i] = null;
        slots.release(buf);
      }
    };
    const taken: BoolBuf[] = [];
    const allocate = () => {
      recycle();
      const buf = slots.acquire();
      if (buf === null) throw new Error('no free shared column slot');
      taken.push(buf);
      return buf;
    };
    for (const rule of rules) {
      for (const [key, buf] of memoiseComparisons(rule, this.panel, this.cache, memo, allocate)) {
        if (memo.peek(key) !== buf) continue; // already evicted again by the rule's later columns
        const i = slots.slotOf(buf);
        this.slotKeys[i] = key;
        ops.push(['add', key, i]);
      }
      // A column the memo refused (or dropped before it was announced) goes back.
      for (const buf of taken) if (this.slotKeys[slots.slotOf(buf)] === null && !slots.isFree(buf)) slots.release(buf);
      taken.length = 0;
    }
    recycle();
    return ops;
  }

  private async scoreOnWorkers(texts: string[], part: ScorePart): Promise<ScoreReply[]> {
    // Chunks handed out as workers free up, each a share of what is left (guided scheduling): big
    // ones first (fewer messages), small ones at the end, so that no worker idles long while
    // another finishes a big last chunk (rules differ a lot in cost).
    const out = new Map<string, ScoreReply>();
    let next = 0;
    const workers = this.workers.length;
    await Promise.all(
      this.workers.map(async (w) => {
        while (next < texts.length) {
          const size = Math.max(4, Math.ceil((texts.length - next) / (workers * 3)));
          const batch = texts.slice(next, next + size);
          next += batch.length;
          const reply = await this.request(w, batch, part);
          this.timing.workerBusy = (this.timing.workerBusy ?? 0) + reply.busyMs;
          for (const r of reply.replies) out.set(r.text, r);
        }
      }),
    );
    return texts.map((t) => out.get(t)!);
  }

  private request(w: Worker, texts: string[], part: ScorePart): Promise<ScoreBatchReply> {
    const id = this.nextBatch++;
    return new Promise((resolve, reject) => {
      const done = () => {
        w.off('message', onMessage);
        w.off('error', onError);
        w.off('exit', onExit);
      };
      const onMessage = (m: ScoreBatchReply) => {
        if (m.id !== id) return;
        done();
        resolve(m);
      };
      const onError = (err: Error) => {
        done();
        reject(err);
      };
      // A worker killed from outside (out of memory) exits without an error: never wait forever.
      const onExit = (code: number) => {
        done();
        reject(new Error(`an evaluation worker exited (code ${code}) with a batch unanswered`));
      };
      w.on('message', onMessage);
      w.once('error', onError);
      w.once('exit', onExit);
      this.post(w, { type: 'score', id, texts, part });
    });
  }

  private keepSignature(text: string, signature: Float32Array): void {
    this.signatures.delete(text);
    this.signatures.set(text, signature);
    while (this.signatures.size > this.opts.keepSignatures) {
      const oldest = this.signatures.keys().next().value as string;
      this.signatures.delete(oldest);
    }
  }

  private broadcastSettings(): void {
    for (const w of this.workers) this.post(w, { type: 'settings', settings: { ...this.settings, assetWeights: Array.from(this.settings.assetWeights) } });
  }

  private post(w: Worker, msg: WorkerMessage): void {
    w.postMessage(msg);
  }
}

/** The compiled worker script (dist/), also when this module runs from src/ under the test runner. */
function workerScript(): URL {
  const here = new URL('./worker.js', import.meta.url);
  if (existsSync(fileURLToPath(here))) return here;
  const built = bundled('dist', 'evolve', 'worker.js');
  if (!existsSync(built)) throw new Error(`worker script not found: ${built} (run npm run build)`);
  return new URL(`file://${built}`);
}

/** The default number of scoring threads: one per core. */
export function defaultWorkers(): number {
  return availableParallelism();
}
