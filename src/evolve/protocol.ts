import type { Panel } from '../domain/types.js';
import type { FitnessSettings, TrainScore, ValidationScore } from './fitness.js';

/** Messages from the coordinator to a scoring worker. */
export type WorkerMessage =
  | { type: 'init'; panel: Panel }
  | { type: 'settings'; settings: Omit<FitnessSettings, 'assetWeights'> & { assetWeights: number[] } }
  | { type: 'columns'; columns: [string, Float64Array][] }
  /** Comparison and cross columns (shared memory) for the worker's memo. */
  | { type: 'bools'; bools: [string, Int8Array][] }
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
