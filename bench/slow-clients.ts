/**
 * The slow-client test of issue 14 against the server with its default limits: 300 connections that
 * never finish their headers and 50 that never finish their body, from several addresses, while a
 * normal client keeps calling. Prints when the server closed them (min / median / max) and how the
 * normal client fared meanwhile.
 *
 *   npx tsx bench/slow-clients.ts
 */
import { mkdtempSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { startServer } from '../server/app';
import { DEFAULT_SERVER_LIMITS } from '../server/http/server-limits';

const server = await startServer({
  port: 0,
  host: '127.0.0.1',
  simulator: false,
  geoWorkers: 1,
  logger: pino({ level: 'silent' }),
  dataDir: mkdtempSync(join(tmpdir(), 'carewatch-slow-')),
});
const t0 = Date.now();
const stall = (address: string, data: string) =>
  new Promise<{ closed: Promise<{ ms: number; answer: string }> }>((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port: server.port, localAddress: address });
    let answer = '';
    s.on('data', (c) => (answer += c.toString()));
    s.once('error', reject);
    s.once('connect', () => {
      s.write(data);
      resolve({ closed: new Promise((done) => s.once('close', () => done({ ms: Date.now() - t0, answer }))) });
    });
  });

const headers = await Promise.all(Array.from({ length: 300 }, (_, i) => stall(`127.0.8.${1 + (i % 3)}`, 'GET /api/v1/sites HTTP/1.1\r\nHost: x\r\nX-Slow: ')));
const bodies = await Promise.all(
  Array.from({ length: 50 }, () => stall('127.0.8.9', 'POST /api/v1/positions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer demo-gateway-key\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{"tagId":')),
);
let served = 0;
let failed = 0;
const probe = setInterval(() => void fetch(`${server.url}/healthz`).then((r) => (r.ok ? served++ : failed++), () => failed++), 500);
const summary = (xs: { ms: number; answer: string }[]) => {
  const ms = xs.map((x) => x.ms).sort((a, b) => a - b);
  return `closed after min ${(ms[0]! / 1000).toFixed(1)} s, median ${(ms[ms.length >> 1]! / 1000).toFixed(1)} s, max ${(ms[ms.length - 1]! / 1000).toFixed(1)} s; ${xs.filter((x) => x.answer.startsWith('HTTP/1.1 408')).length} answered 408`;
};
const h = await Promise.all(headers.map((c) => c.closed));
console.log(`300 unfinished headers: ${summary(h)} (headersTimeout ${DEFAULT_SERVER_LIMITS.headersTimeoutMs / 1000} s)`);
const b = await Promise.all(bodies.map((c) => c.closed));
console.log(`50 unfinished bodies: ${summary(b)} (requestTimeout ${DEFAULT_SERVER_LIMITS.requestTimeoutMs / 1000} s)`);
clearInterval(probe);
console.log(`meanwhile /healthz every 0.5 s: ${served} answered 200, ${failed} failed`);
await server.close();
