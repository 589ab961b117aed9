import type { Panel } from '../domain/types.js';
import type { FitnessSettings, TrainScore, ValidationScore } from './fitness.js';

/** Messages from the coordinator to a scoring worker. */
export type WorkerMessage =
  | { type: 'init'; panel: Panel }
  | { type: 'settings'; settings: Omit<FitnessSettings, 'assetWeights'> & { assetWeights: number[] } }
  | { type: 'columns'; columns: [string, Float64Array][] }
  /** The shared comparison column slots (see SharedBoolSlots). */
  | { type: 'slots'; buffer: SharedArrayBuffer; bars: number }
  /** Changes to the worker's memo, in order: a column now in a slot, or a column dropped. */
  | { type: 'bools'; ops: BoolOp[] }
  /** Score rules on train (every candidate) or on validation (the train-elite only). */
  | { type: 'score'; id: number; texts: string[]; part: ScorePart };

export type ScorePart = 'train' | 'validation';

export interface ScoreReply {
  text: string;
  result?: TrainScore;
  validation?: ValidationScore;
  error?: string;
}

export interface ScoreBatchReply {
  id: number;
  replies: ScoreReply[];
  /** Time the worker spent scoring the batch (for benchmarks). */
  busyMs: number;
}

export type BoolOp = ['add', string, number] | ['drop', string];
