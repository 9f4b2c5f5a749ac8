/** A real HTTP receiver on loopback (webhook receivers, push services, door controllers in tests). */
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
  text: string;
}

/** What to answer: a status code, or `hang` (never answer: the caller's timeout must fire). */
export type Answer = number | 'hang';

export interface Receiver {
  url: string;
  received: Received[];
  /** Resolves once `n` requests (in all) arrived. */
  waitFor(n: number, timeoutMs?: number): Promise<Received[]>;
  close(): Promise<void>;
}

export async function startReceiver(answer: (r: Received, index: number) => Answer = () => 204): Promise<Receiver> {
  const received: Received[] = [];
  const hanging = new Set<ServerResponse>();
  let waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const r: Received = { method: req.method ?? '', path: req.url ?? '', headers: req.headers, body, text: body.toString('utf8') };
      const a = answer(r, received.length);
      received.push(r);
      for (const w of waiters) w();
      if (a === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(a).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    waitFor(n, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (received.length < n) return;
          clearTimeout(t);
          waiters = waiters.filter((w) => w !== check);
          resolve(received.slice());
        };
        const t = setTimeout(() => {
          waiters = waiters.filter((w) => w !== check);
          reject(new Error(`receiver got ${received.length} requests, waited for ${n}`));
        }, timeoutMs);
        waiters.push(check);
        check();
      });
    },
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
