import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import { Writable } from 'node:stream';

export type { Logger };

export interface LogOptions {
  quiet?: boolean;
  verbose?: boolean;
  /** Where log lines go; stderr unless a test captures them. */
  stream?: { write(chunk: string): unknown; isTTY?: boolean };
}

const secrets = new Set<string>();

/**
 * Remember a secret value (an API key, a webhook URL) so that it is scrubbed from every log line,
 * whatever field or message it ends up in. Values shorter than 6 characters are ignored: they would
 * redact ordinary words.
 */
export function registerSecret(value: string | undefined | null): void {
  if (value && value.length >= 6) secrets.add(value);
}

/** Replace every registered secret in a text with [redacted]. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const s of secrets) if (out.includes(s)) out = out.split(s).join('[redacted]');
  return out;
}

for (const name of ['APCA_API_KEY_ID', 'APCA_API_SECRET_KEY', 'AEGIS_WEBHOOK_URL']) registerSecret(process.env[name]);

/** Field names whose values never reach a log line, wherever they are nested. */
const REDACT_PATHS = [
  'key', 'secret', 'apiKey', 'secretKey', 'keyId', 'password', 'token', 'authorization', 'webhookUrl',
  '*.key', '*.secret', '*.apiKey', '*.secretKey', '*.keyId', '*.password', '*.token', '*.authorization', '*.webhookUrl',
  'headers.authorization', '*.headers.authorization',
  'headers["apca-api-key-id"]', 'headers["apca-api-secret-key"]',
  '*.headers["apca-api-key-id"]', '*.headers["apca-api-secret-key"]',
  'headers["APCA-API-KEY-ID"]', 'headers["APCA-API-SECRET-KEY"]',
  '*.headers["APCA-API-KEY-ID"]', '*.headers["APCA-API-SECRET-KEY"]',
];

/**
 * The process logger: stderr, readable lines on a terminal and JSON lines otherwise, secrets
 * redacted by field name and scrubbed by value.
 */
export function createLogger(opts: LogOptions = {}): Logger {
  const out = opts.stream ?? process.stderr;
  const level = opts.verbose ? 'debug' : opts.quiet ? 'warn' : 'info';
  const tty = Boolean((out as { isTTY?: boolean }).isTTY);
  // pino-pretty writes to a real stream (it listens for its events); wrap whatever `out` is.
  const destination = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      out.write(chunk.toString());
      done();
    },
  });
  const sink = tty ? pretty({ destination, colorize: true, sync: true, ignore: 'pid,hostname', translateTime: 'HH:MM:ss' }) : out;
  const scrubbing = { write: (line: string) => sink.write(scrubSecrets(line)) };
  return pino({ level, base: undefined, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, scrubbing);
}

let current: Logger | undefined;

/** The logger of this process (a silent one until the CLI sets it up). */
export function log(): Logger {
  return (current ??= pino({ level: 'silent' }));
}

export function setLogger(logger: Logger): void {
  current = logger;
}
