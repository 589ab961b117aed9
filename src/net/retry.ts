import {
  DelegateBackoff,
  ExponentialBackoff,
  TaskCancelledError,
  TimeoutStrategy,
  decorrelatedJitterGenerator,
  handleWhen,
  retry,
  timeout,
  wrap,
  type IBackoff,
  type IRetryBackoffContext,
} from 'cockatiel';
import { TemporaryError } from '../domain/errors.js';
import { log } from '../log/logger.js';

export interface RetryOptions {
  /** Total attempts, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Deadline of each attempt; a hung request is cancelled and counts as a temporary failure. */
  timeoutMs: number;
  /** What the log lines call the operation. */
  label: string;
}

/** Longest wait a server may ask of us before we give up instead (a cron run must end). */
const MAX_SERVER_DELAY_MS = 120_000;

/**
 * Run `fn` with a per-attempt timeout and retries of temporary failures (TemporaryError, or a
 * timeout) with exponential backoff and decorrelated jitter, honouring a delay the server asked
 * for. Anything else fails at once. Use only for requests that are safe to repeat: reads, or
 * writes made idempotent by the caller.
 */
export async function withRetry<T>(opts: RetryOptions, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const expo = new ExponentialBackoff({ generator: decorrelatedJitterGenerator, initialDelay: opts.baseDelayMs, maxDelay: opts.maxDelayMs });
  const backoff = new DelegateBackoff<IRetryBackoffContext<unknown>, IBackoff<unknown>>((ctx, prev) => {
    const next = prev ? prev.next(ctx) : expo.next();
    const err = 'error' in ctx.result ? ctx.result.error : undefined;
    const server = err instanceof TemporaryError ? (err.retryAfterMs ?? 0) : 0;
    return { delay: Math.min(Math.max(next.duration, server), MAX_SERVER_DELAY_MS), state: next };
  });
  const retryPolicy = retry(handleWhen(isTemporary), { maxAttempts: Math.max(0, opts.attempts - 1), backoff });
  retryPolicy.onRetry((r) => {
    const reason = 'error' in r ? describe(r.error) : 'bad result';
    log().warn({ op: opts.label, attempt: r.attempt, delayMs: Math.round(r.delay) }, `${opts.label}: ${reason}; retrying`);
  });
  const policy = wrap(retryPolicy, timeout(opts.timeoutMs, TimeoutStrategy.Aggressive));
  try {
    return await policy.execute(({ signal }) => fn(signal));
  } catch (err) {
    if (err instanceof TaskCancelledError) {
      throw new TemporaryError(`${opts.label}: timed out after ${opts.timeoutMs} ms (${opts.attempts} attempt(s))`, { cause: err });
    }
    if (err instanceof TemporaryError) {
      throw new TemporaryError(`${opts.label}: ${err.message} (gave up after ${opts.attempts} attempt(s))`, { cause: err });
    }
    throw err;
  }
}

export function isTemporary(err: unknown): boolean {
  return err instanceof TemporaryError || err instanceof TaskCancelledError;
}

function describe(err: unknown): string {
  if (err instanceof TaskCancelledError) return 'timed out';
  return err instanceof Error ? err.message.split('\n')[0] : String(err);
}

/** Parse a Retry-After header (seconds or an HTTP date) into milliseconds. */
export function retryAfterMs(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const s = Number(header);
  if (Number.isFinite(s)) return Math.max(0, s * 1000);
  const t = Date.parse(header);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}
