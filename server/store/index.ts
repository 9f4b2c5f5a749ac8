/**
 * Picks the store from configuration: a `postgres://` (or `postgresql://`) URL selects PostgreSQL
 * (`?schema=name` picks the schema, default `carewatch`); no URL, the embedded store in `dataDir`
 * (default `./data`). Typically `createStore(process.env.DATABASE_URL, process.env.DATA_DIR)`.
 */
import { EmbeddedStore } from './embedded/index';
import { PostgresStore } from './postgres/index';
import type { Store, StoreKind } from './types';

export type * from './types';
export type * from './alarm-records';
export type * from './config-records';
export { OUTBOX_LEASE_MS } from './types';

export function storeKind(url?: string): StoreKind {
  if (!url) return 'embedded';
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  // A URL that names another database is a configuration mistake, not a request for local files.
  throw new Error(`unsupported store URL scheme: ${url.split(':')[0]}: (expected postgres://, or none for the embedded store)`);
}

export async function createStore(url?: string, dataDir = './data'): Promise<Store> {
  return storeKind(url) === 'postgres' ? PostgresStore.open(url!) : EmbeddedStore.open(dataDir || './data');
}
