import { resolve } from 'node:path';
import type { Config, SourceName } from '../config/schema.js';
import { CsvSource } from './csvSource.js';
import type { DataSource } from './source.js';

/**
 * Build the data source the user chose, from config, flags and environment. The provider SDKs are
 * loaded only when chosen: they cost a tenth of a second at start-up.
 */
export async function createSource(name: SourceName, config: Readonly<Config>, flags: { csvDir?: string }): Promise<DataSource> {
  const retry = { ...config.data.retry, timeoutMs: config.data.timeoutMs };
  switch (name) {
    case 'csv':
      return new CsvSource(resolve(flags.csvDir ?? config.data.csvDir));
    case 'yahoo': {
      const { YahooSource } = await import('./yahooSource.js');
      return new YahooSource({ retry, concurrency: config.data.yahoo.concurrency });
    }
    case 'alpaca': {
      const { AlpacaSource } = await import('./alpacaSource.js');
      return new AlpacaSource({
        baseUrl: process.env.APCA_API_DATA_URL ?? config.data.alpaca.dataUrl,
        feed: config.data.alpaca.feed,
        symbolsPerRequest: config.data.alpaca.symbolsPerRequest,
        requestsPerMinute: config.data.alpaca.requestsPerMinute,
        pageLimit: config.data.alpaca.pageLimit,
        retry,
      });
    }
  }
}
