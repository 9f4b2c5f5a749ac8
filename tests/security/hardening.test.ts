import { request } from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { io as connect } from 'socket.io-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app';
import { LOG_REDACT } from '../../server/auth/log-redact';
import { totp } from '../../server/auth/totp';
import { startTiny } from '../helpers/server';
import { call, createKey, createUser, ingest, loginAs, STRONG } from './helpers';

/** A login attempt from a chosen loopback address (127.0.0.x), so per-IP and per-username limits can be told apart. */
function loginFrom(url: string, from: string, username: string, password: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  const u = new URL(`${url}/api/v1/auth/login`);
  const body = JSON.stringify({ username, password });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: u.hostname, port: u.port, path: u.pathname, method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('login brute force is throttled per address and per username', () => {
  let server: RunningServer;
  beforeAll(async () => {
    // the defaults: 10 failed logins per IP and 5 per username, per minute
    server = await startTiny();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('one address gets 10 wrong guesses a minute, whatever usernames it tries', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 14; i++) statuses.push((await loginFrom(server.url, '127.0.0.11', `guess-${i}`, 'wrong-password')).status);
    const allowed = statuses.indexOf(429);
    console.log(`throttle: ${allowed} failed logins per minute from one IP, then ${statuses.slice(allowed).join(',')}`);
    expect(allowed).toBe(10);
    expect(statuses.slice(allowed).every((s) => s === 429)).toBe(true);
    const r = await loginFrom(server.url, '127.0.0.11', 'nurse', 'nurse-demo');
    expect(r.status).toBe(429);
    expect(JSON.parse(r.body).error).toMatch(/too many failed logins from this address/);
    expect(r.headers['retry-after'] ?? r.headers.ratelimit).toBeDefined();
    // another address is not affected
    expect((await loginFrom(server.url, '127.0.0.12', 'nurse', 'nurse-demo')).status).toBe(200);
  });

  it('one username gets 5 wrong guesses, even spread over many addresses; then the addresses that failed wait, the owner does not', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) statuses.push((await loginFrom(server.url, `127.0.1.${i + 1}`, 'manager', 'wrong-password')).status);
    const allowed = statuses.indexOf(429);
    console.log(`throttle: ${allowed} failed logins per minute for one username across ${statuses.length} IPs`);
    expect(allowed).toBe(5);
    // an address that guessed waits, even with the right password...
    const blocked = await loginFrom(server.url, '127.0.1.8', 'manager', 'manager-demo');
    expect(blocked.status).toBe(429);
    expect(JSON.parse(blocked.body).error).toMatch(/too many failed logins for this account/);
    // ...but the guessing cannot lock the owner out (issue 14, finding 1): an address that has not failed logs in
    expect((await loginFrom(server.url, '127.0.1.50', 'manager', 'manager-demo')).status).toBe(200);
    // other accounts log in as usual
    expect((await loginFrom(server.url, '127.0.1.51', 'nurse', 'nurse-demo')).status).toBe(200);
  });

  it('successful logins do not count: a ward of nurses behind one address can all log in', async () => {
    for (let i = 0; i < 15; i++) expect((await loginFrom(server.url, '127.0.2.1', 'nurse', 'nurse-demo')).status).toBe(200);
  });
});

describe('headers: security headers on, CORS closed unless allowed, no cookies', () => {
  let server: RunningServer;
  let open: RunningServer;
  beforeAll(async () => {
    server = await startTiny();
    open = await startTiny({ corsOrigins: ['https://care.example.org'] });
  });
  afterAll(async () => {
    await server?.close();
    await open?.close();
  });

  it('every answer carries helmet headers; API answers are never cached', async () => {
    const token = await loginAs(server.url, 'nurse', 'nurse-demo');
    for (const r of [await call(server.url, '/healthz'), await call(server.url, '/api/v1/residents', { token }), await call(server.url, '/api/v1/nothing')]) {
      expect(r.headers.get('content-security-policy')).toMatch(/default-src 'self'/);
      // HSTS is for HTTPS only (issue 14, finding 6; tests/security/outside-in.test.ts shows it there)
      expect(r.headers.get('strict-transport-security')).toBeNull();
      expect(r.headers.get('x-content-type-options')).toBe('nosniff');
      expect(r.headers.get('x-frame-options')).toBe('SAMEORIGIN');
      expect(r.headers.get('referrer-policy')).toBe('no-referrer');
      expect(r.headers.get('x-powered-by')).toBeNull();
    }
    expect((await call(server.url, '/api/v1/residents', { token })).headers.get('cache-control')).toBe('no-store');
  });

  it('by default a foreign origin gets no CORS headers, and its preflight is refused', async () => {
    const token = await loginAs(server.url, 'nurse', 'nurse-demo');
    const r = await call(server.url, '/api/v1/residents', { token, headers: { origin: 'https://evil.example' } });
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    const pre = await fetch(`${server.url}/api/v1/residents`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(pre.status).toBe(403);
    expect(pre.headers.get('access-control-allow-origin')).toBeNull();
    expect(((await pre.json()) as { error: string }).error).toMatch(/origin not allowed/);
  });

  it('an origin in CORS_ORIGINS may call with a bearer token (never with credentials); others still may not', async () => {
    const pre = await fetch(`${open.url}/api/v1/residents`, { method: 'OPTIONS', headers: { origin: 'https://care.example.org', 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' } });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('https://care.example.org');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/Authorization/);
    expect(pre.headers.get('access-control-allow-credentials')).toBeNull();
    const token = await loginAs(open.url, 'nurse', 'nurse-demo');
    expect((await call(open.url, '/api/v1/residents', { token, headers: { origin: 'https://care.example.org' } })).headers.get('access-control-allow-origin')).toBe('https://care.example.org');
    expect((await call(open.url, '/api/v1/residents', { token, headers: { origin: 'https://evil.example' } })).headers.get('access-control-allow-origin')).toBeNull();
  });

  it('a socket from a foreign origin is refused; same-origin and listed origins connect', async () => {
    const token = await loginAs(open.url, 'nurse', 'nurse-demo');
    const attempt = (origin: string) =>
      new Promise<string>((resolve) => {
        const s = connect(open.url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true, extraHeaders: { origin } });
        s.once('hello', () => (s.close(), resolve('connected')));
        s.once('connect_error', (e) => (s.close(), resolve(`refused: ${e.message}`)));
      });
    expect(await attempt('https://evil.example')).toMatch(/^refused/);
    expect(await attempt('https://care.example.org')).toBe('connected');
    expect(await attempt(new URL(open.url).origin)).toBe('connected');
  });

  it('login sets no cookie: bearer tokens only, so there is nothing for a cross-site request to ride on (no CSRF)', async () => {
    const res = await fetch(`${server.url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'nurse', password: 'nurse-demo' }) });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBeNull();
    const poll = await fetch(`${server.url}/socket.io/?EIO=4&transport=polling`);
    expect(poll.headers.get('set-cookie')).toBeNull();
  });
});

describe('no secrets in logs', () => {
  const lines: string[] = [];
  let server: RunningServer;
  beforeAll(async () => {
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    server = await startTiny({ logger: pino({ level: 'trace', redact: LOG_REDACT }, sink) });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('passwords, tokens, TOTP secrets and ingest keys used all over never reach the log', async () => {
    const admin = await loginAs(server.url, 'admin', 'admin-demo');
    // (the demo passwords are published, and the demo banner prints them on purpose)
    const secrets: string[] = [admin, STRONG];
    await call(server.url, '/api/v1/auth/login', { body: { username: 'nurse', password: 'Secret-Wrong-Guess-77' } });
    secrets.push('Secret-Wrong-Guess-77');
    const nurse = await createUser(server.url, admin, { username: 'nurse-log', role: 'nurse', wardIds: ['w1'] });
    secrets.push(nurse);
    const key = (await createKey(server.url, admin, null)).key;
    secrets.push(key);
    await ingest(server.url, [{ tagId: 'T2', ts: Date.now() - 5000, floorId: 'f1', x: 5, y: 1.5 }], key);
    await fetch(`${server.url}/osmand?key=${key}&id=T3&lat=abc&lon=1`);
    await fetch(`${server.url}/osmand?key=not-a-key-${key.slice(4)}&id=T3&lat=1&lon=1`);
    const enrol = await call<{ secret: string }>(server.url, '/api/v1/auth/totp/enrol', { token: admin, body: { password: 'admin-demo' } });
    secrets.push(enrol.body.secret);
    const code = totp(enrol.body.secret, Date.now());
    await call(server.url, '/api/v1/auth/totp/verify', { token: admin, body: { code } });
    await call(server.url, '/api/v1/auth/password', { token: nurse, body: { currentPassword: STRONG, newPassword: 'Brand-New-Secret-9090' } });
    secrets.push('Brand-New-Secret-9090');
    // and what the redaction list must catch should any code log it by mistake
    server.log.info({ password: 'Logged-By-Mistake-1', body: { token: 'Logged-By-Mistake-2' }, req: { headers: { authorization: 'Bearer Logged-By-Mistake-3' }, url: '/osmand?key=Logged-By-Mistake-4' } }, 'careless');
    secrets.push('Logged-By-Mistake-1', 'Logged-By-Mistake-2', 'Logged-By-Mistake-3', 'Logged-By-Mistake-4');

    const text = lines.join('');
    expect(text).toMatch(/login refused/);
    expect(text).toMatch(/careless/);
    for (const s of secrets) expect(text, s.slice(0, 8)).not.toContain(s);
  });
});
