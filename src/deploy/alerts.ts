import { log, scrubSecrets } from '../log/logger.js';

export type AlertKind = 'fill' | 'refusal' | 'halt' | 'resume' | 'breaker' | 'order' | 'error';

/**
 * Alerts to an optional webhook (Discord-compatible JSON: {"content": ...}). Delivery failures are
 * logged and swallowed: an alert never stops or delays trading beyond its timeout.
 */
export class Alerts {
  constructor(
    private readonly webhookUrl: string | null,
    private readonly timeoutMs: number,
  ) {}

  async send(kind: AlertKind, text: string): Promise<void> {
    const line = `aegis ${kind}: ${scrubSecrets(text)}`;
    log().info({ alert: kind }, line);
    if (!this.webhookUrl) return;
    try {
      const res = await fetch(this.webhookUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ content: line.slice(0, 1900) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      if (!res.ok) log().warn({ status: res.status }, 'alert webhook refused the alert (trading goes on)');
    } catch (err) {
      log().warn({ err: (err as Error).message }, 'alert webhook unreachable (trading goes on)');
    }
  }
}
