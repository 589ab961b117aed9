import { InputError } from '../domain/errors.js';
import { isIsoDate } from '../domain/dates.js';

/** An integer flag, validated: `--population: expected a positive integer, got "x"`. */
export function intFlag(value: string | undefined, name: string, min = 1, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const v = Number(value);
  if (!Number.isInteger(v) || v < min || v > max) {
    const range = max < Number.MAX_SAFE_INTEGER ? `an integer from ${min} to ${max}` : min === 1 ? 'a positive integer' : min === 0 ? 'a non-negative integer' : `an integer >= ${min}`;
    throw new InputError(`${name}: expected ${range}, got "${value}"`);
  }
  return v;
}

export function dateFlag(value: string | undefined, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (!isIsoDate(value)) throw new InputError(`${name}: expected a date YYYY-MM-DD, got "${value}"`);
  return value;
}

export function choiceFlag<T extends string>(value: string | undefined, name: string, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!choices.includes(value as T)) throw new InputError(`${name}: expected one of ${choices.join(', ')}, got "${value}"`);
  return value as T;
}

/** Copy a frozen config with some sections overridden (flags win over files). */
export function override<T extends object>(base: Readonly<T>, patch: NoInfer<{ [K in keyof T]?: Partial<T[K]> }>): T {
  const out = structuredClone(base) as T;
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) continue;
    const section = (out as Record<string, unknown>)[k] as Record<string, unknown>;
    for (const [kk, vv] of Object.entries(v as object)) if (vv !== undefined) section[kk] = vv;
  }
  return out;
}
