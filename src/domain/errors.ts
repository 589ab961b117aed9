/**
 * The error tree. Every failure that reaches the CLI is one of these, and its class decides what
 * the user sees and the exit code:
 * - InputError: the user's input is wrong (config, grammar, CSV, ticker list, flags). Exit 2, one
 *   line naming the file / line / key, never a stack trace.
 * - TemporaryError: a timeout, HTTP 429 or 5xx. Retried with backoff and jitter by the caller's
 *   policy; if it still fails it surfaces as an operational failure (exit 1).
 * - LeaseBusyError: another run holds the lease. Exit 75 (EX_TEMPFAIL) so cron wrappers can tell.
 * - anything else: a bug or an operational failure. Exit 1, stack with --verbose.
 */
export class AegisError extends Error {
  readonly exitCode: number = 1;
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

export class InputError extends AegisError {
  override readonly exitCode = 2;
}

export class TemporaryError extends AegisError {
  /** Milliseconds the server asked us to wait (Retry-After / rate-limit reset), when it said. */
  readonly retryAfterMs?: number;
  constructor(message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(message, options);
    this.retryAfterMs = options?.retryAfterMs;
  }
}

export class LeaseBusyError extends AegisError {
  override readonly exitCode = 75;
}

/** Refusal to act for a safety reason (kill switch, breaker, stale data): exit 3, nothing sent. */
export class RefusalError extends AegisError {
  override readonly exitCode = 3;
}

export function exitCodeOf(err: unknown): number {
  return err instanceof AegisError ? err.exitCode : 1;
}
