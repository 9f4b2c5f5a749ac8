import { createAdapter } from '@socket.io/redis-adapter';
import { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { IoServer } from './socket-server';

/**
 * Multi-node fan-out: every node publishes its room emits through Redis, so a nurse connected to
 * node B gets the alert node A raised. ioredis reconnects by itself when Redis goes away; while it
 * is away, local sockets still get their alerts (the adapter emits locally first).
 */
export async function attachRedisAdapter(io: IoServer, url: string, log: Logger): Promise<() => Promise<void>> {
  const opts = { maxRetriesPerRequest: null, enableOfflineQueue: true, retryStrategy: (n: number) => Math.min(n * 200, 2000) };
  const pub = new Redis(url, opts);
  const sub = pub.duplicate();
  for (const [name, c] of [['pub', pub], ['sub', sub]] as const) {
    c.on('error', (err) => log.warn({ client: name, err: err.message }, 'redis error'));
    c.on('reconnecting', () => log.warn({ client: name }, 'redis reconnecting'));
  }
  await Promise.all([pub.ping(), sub.ping()]);
  io.adapter(createAdapter(pub, sub, { key: 'carewatch' }));
  log.info({ url: url.replace(/\/\/[^@]*@/, '//***@') }, 'socket.io redis adapter attached');
  return async () => {
    pub.disconnect();
    sub.disconnect();
  };
}
