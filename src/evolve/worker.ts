/**
 * A scoring worker thread. It receives the panel, the indicator columns and the comparison
 * columns as SharedArrayBuffers (computed once by the coordinator, shared by every worker),
 * compiles each phenotype again (plain text crosses threads cheaply; compiled plans would not),
 * and returns its train or its validation score. Scoring is a pure function of (phenotype, data,
 * settings), so results do not depend on which worker ran them.
 */
import { parentPort } from 'node:worker_threads';
import type { Panel } from '../domain/types.js';
import { BoolMemo, compileRule, IndicatorCache, type BoolBuf } from '../strategy/index.js';
import { sharedSlotViews } from './sharedBools.js';
import { scoreTrain, scoreValidation, type FitnessScratch, type FitnessSettings } from './fitness.js';
import type { ScoreReply, WorkerMessage } from './protocol.js';

let panel: Panel | undefined;
let cache: IndicatorCache | undefined;
let settings: FitnessSettings | undefined;
/**
 * The comparisons come from the coordinator's shared columns (free here); the budgets bound what
 * this worker computes itself: the columns the coordinator's memo had to drop, and the bit planes
 * packed from all of them (16 MiB each: with 50 symbols, 32 MiB of planes per worker took the
 * benchmark's peak memory from ~850 to ~970 MB, near the 1 GiB target).
 */
const memo = new BoolMemo({ sharedFree: true, maxBytes: 16 * 1024 * 1024, maxBitBytes: 16 * 1024 * 1024 });
/** The coordinator's shared comparison columns, by slot. */
let slots: BoolBuf[] = [];
const scratch: FitnessScratch = {};

parentPort!.on('message', (msg: WorkerMessage) => {
  switch (msg.type) {
    case 'init': {
      panel = msg.panel;
      cache = new IndicatorCache(panel);
      memo.clear();
      scratch.planes = undefined;
      scratch.sim = undefined;
      break;
    }
    case 'settings':
      settings = { ...msg.settings, assetWeights: new Float64Array(msg.settings.assetWeights) };
      break;
    case 'columns':
      for (const [key, column] of msg.columns) cache!.set(key, column);
      break;
    case 'slots':
      slots = sharedSlotViews(msg.buffer, msg.bars);
      break;
    case 'bools':
      // Bound first: binding a memo to a panel it was not bound to empties it.
      memo.bindPanel(panel!);
      for (const op of msg.ops) {
        if (op[0] === 'drop') memo.delete(op[1]);
        else memo.put(op[1], slots[op[2]]);
      }
      break;
    case 'score': {
      const started = performance.now();
      const replies: ScoreReply[] = msg.texts.map((text) => {
        const compiled = compileRule(text);
        if (!compiled.ok) return { text, error: compiled.error };
        const ctx = { panel: panel!, cache: cache!, settings: settings!, scratch, memo };
        if (msg.part === 'validation') return { text, validation: scoreValidation(compiled.rule, ctx) };
        return { text, result: scoreTrain(compiled.rule, ctx) };
      });
      // Signatures move rather than copy; an empty one is a shared constant and stays.
      const transfer = replies.flatMap((r) => (r.result && r.result.signature.length > 0 ? [r.result.signature.buffer as ArrayBuffer] : []));
      parentPort!.postMessage({ id: msg.id, replies, busyMs: performance.now() - started }, transfer);
      break;
    }
  }
});
