import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { relative } from 'node:path';
import type { z } from 'zod';
import { InputError } from '../domain/errors.js';
import { bundled } from '../domain/paths.js';
import { configSchema, type Config } from './schema.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export const DEFAULT_CONFIG_FILE = bundled('configs', 'default.json');

/** Read and validate the default config, overridden by the user's file when given. Frozen. */
export function loadConfig(userFile?: string): Readonly<Config> {
  const defaults = readJsonFile(DEFAULT_CONFIG_FILE);
  const user = userFile ? readJsonFile(userFile) : undefined;
  if (user !== undefined && (user === null || typeof user !== 'object' || Array.isArray(user))) {
    throw new InputError(`${displayPath(userFile!)}: expected a JSON object at the top level`);
  }
  const merged = user === undefined ? defaults : mergeDeep(defaults, user);
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    // The bundled defaults are valid (a test holds them to it): any issue comes from the user's file.
    const file = user !== undefined ? userFile! : DEFAULT_CONFIG_FILE;
    throw new InputError(describeIssue(displayPath(file), issue, merged));
  }
  return deepFreeze(parsed.data);
}

/** A stable hash of the resolved config, recorded with deployments so paper and live can be compared. */
export function configHash(config: Readonly<Config>): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex').slice(0, 16);
}

const SECRET_KEY = /(key|secret|token|password|webhook)/i;

/** The config with every secret-looking value replaced, for printing. */
export function redactConfig(value: unknown, key = ''): unknown {
  if (value !== null && typeof value === 'object') {
    if (Array.isArray(value)) return value.map((v) => redactConfig(v));
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactConfig(v, k)]));
  }
  if (SECRET_KEY.test(key) && value !== null && value !== undefined && value !== '') return '[redacted]';
  return value;
}

function readJsonFile(file: string): Json {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new InputError(`${displayPath(file)}: cannot read the config file (${(err as NodeJS.ErrnoException).code ?? err})`);
  }
  try {
    return JSON.parse(text) as Json;
  } catch (err) {
    throw new InputError(`${displayPath(file)}: invalid JSON: ${(err as Error).message}`);
  }
}

function mergeDeep(base: Json, over: Json): Json {
  if (isObject(base) && isObject(over)) {
    const out: { [key: string]: Json } = { ...base };
    for (const [k, v] of Object.entries(over)) out[k] = k in base ? mergeDeep(base[k], v) : v;
    return out;
  }
  return over;
}

function isObject(v: Json): v is { [key: string]: Json } {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function valueAt(obj: unknown, path: readonly PropertyKey[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[String(key)];
  }
  return cur;
}

function describeIssue(file: string, issue: z.core.$ZodIssue, input: unknown): string {
  if (issue.code === 'unrecognized_keys') {
    const at = [...issue.path, issue.keys[0]].join('.');
    return `${file}: ${at}: unknown key (check the spelling; see configs/default.json for every key)`;
  }
  const at = issue.path.length ? issue.path.join('.') : '(top level)';
  const got = valueAt(input, issue.path);
  const secret = issue.path.some((k) => SECRET_KEY.test(String(k)));
  const shown = got === undefined ? 'nothing' : secret ? '[redacted]' : JSON.stringify(got);
  return `${file}: ${at}: ${issue.message}, got ${shown}`;
}

function displayPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel && !rel.startsWith('..') ? rel : file;
}

function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const keys = Object.keys(value).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
