import { InputError } from '../domain/errors.js';

export interface Windows {
  /** Panel day indices: train [trainStart, validStart), validation [validStart, validEnd). */
  trainStart: number;
  validStart: number;
  validEnd: number;
  trainFrom: string;
  trainTo: string;
  validFrom: string;
  validTo: string;
}

/**
 * Split the in-sample window [start, end of the panel) into train and validation: at a date
 * (`from`, which wins when both are set) or by the fraction of days given to validation.
 * The test window is never here: only walk-forward touches it.
 */
export function splitWindows(dates: readonly string[], start: number, validation: { fraction: number | null; from: string | null }): Windows {
  const end = dates.length;
  const days = end - start;
  if (days < 60) throw new InputError(`the in-sample window has ${days} trading days; at least 60 are needed (widen --from/--to)`);
  let validStart: number;
  if (validation.from) {
    validStart = dates.findIndex((d, i) => i >= start && d >= validation.from!);
    if (validStart < 0 || validStart <= start) {
      throw new InputError(`evolve.validation.from ${validation.from} must fall inside the in-sample window ${dates[start]}..${dates[end - 1]}`);
    }
  } else {
    validStart = start + Math.round(days * (1 - (validation.fraction ?? 0.3)));
  }
  if (validStart - start < 40 || end - validStart < 20) {
    throw new InputError(`train (${validStart - start} days) and validation (${end - validStart} days) windows are too short; widen the window or change evolve.validation`);
  }
  return {
    trainStart: start,
    validStart,
    validEnd: end,
    trainFrom: dates[start],
    trainTo: dates[validStart - 1],
    validFrom: dates[validStart],
    validTo: dates[end - 1],
  };
}
