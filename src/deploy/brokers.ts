import type { Config } from '../config/schema.js';
import type { Broker } from '../broker/types.js';
import { SimBroker } from '../broker/simBroker.js';
import type { Db } from '../store/db.js';
import type { MarketStore } from '../store/marketStore.js';
import type { Deployment } from './store.js';

/**
 * The broker a deployment trades on: the local sim broker (standing before `session`'s open) or
 * Alpaca's paper or live endpoint (the SDK is loaded only then).
 */
export async function makeBroker(db: Db, market: MarketStore, config: Readonly<Config>, d: Deployment, session: string | null): Promise<Broker> {
  if (d.broker === 'sim') {
    if (!session) throw new Error('the sim broker needs a session');
    return new SimBroker(db, market, d.id, session, config.execution, config.deploy.sim.initialCash);
  }
  const { createAlpacaBroker } = await import('../broker/alpacaBroker.js');
  return createAlpacaBroker({
    mode: d.mode,
    baseUrl: d.mode === 'paper' ? config.deploy.alpaca.paperUrl : config.deploy.alpaca.liveUrl,
    timeoutMs: config.deploy.alpaca.timeoutMs,
    retry: config.deploy.retry,
  });
}
