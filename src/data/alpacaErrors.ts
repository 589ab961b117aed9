import { ApiError, FetchError } from '@alpacahq/alpaca-trade-api';
import { AegisError, InputError, TemporaryError } from '../domain/errors.js';

/**
 * Sort an Alpaca SDK failure into the error tree: 429/5xx/408 and network failures are temporary
 * (429 carries the server's delay; the SDK derives `retryAfterMs` for other statuses too, from the
 * rate-limit reset, so it is only trusted on 429); 400/422 are the caller's input; 401/403 mean
 * the keys were refused. Key material never appears in the message.
 */
export function classifyAlpacaError(err: unknown, what: string): Error {
  if (err instanceof ApiError) {
    const status = err.status;
    const msg = `${what}: Alpaca answered ${status}${err.code ? ` (code ${err.code})` : ''}: ${err.message.split('\n')[0]}`;
    if (status === 429) return new TemporaryError(msg, { cause: err, retryAfterMs: err.retryAfterMs });
    if (status >= 500 || status === 408) return new TemporaryError(msg, { cause: err });
    if (status === 401 || status === 403) return new AegisError(`${what}: Alpaca refused the credentials or the request (${status}); check APCA_API_KEY_ID / APCA_API_SECRET_KEY and the endpoint`, { cause: err });
    if (status === 400 || status === 422 || status === 404) return new InputError(msg, { cause: err });
    return new AegisError(msg, { cause: err });
  }
  if (err instanceof FetchError) {
    const cause = (err as { cause?: { name?: string; message?: string; code?: string } }).cause;
    const why = cause?.name === 'TimeoutError' ? 'timed out' : (cause?.code ?? cause?.message ?? err.message);
    return new TemporaryError(`${what}: network failure (${why})`, { cause: err });
  }
  return err instanceof Error ? err : new AegisError(String(err));
}

/** The keys from the environment (and only there), or a clear error. */
export function alpacaKeysFromEnv(): { keyId: string; secret: string } {
  const keyId = process.env.APCA_API_KEY_ID;
  const secret = process.env.APCA_API_SECRET_KEY;
  if (!keyId || !secret) throw new InputError('alpaca: set APCA_API_KEY_ID and APCA_API_SECRET_KEY in the environment');
  return { keyId, secret };
}
