/**
 * The findings of the outside-in attack (issue 14), one describe each: every test here failed on the
 * code before the fix and passes after it.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app';
import { randomBytes } from 'node:crypto';
import { login, openSocket, startTiny } from '../helpers/server';
import { call, createUser, twoWardSite } from './helpers';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** One request from a chosen loopback address (127.x.y.z), so per-address limits can be told apart. */
function from(address: string, url: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const u = new URL(path, url);
  const text = body === undefined ? '' : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method,
        localAddress: address,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers },
      },
      (res) => {
        let t = '';
        res.on('data', (c) => (t += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: t }));
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

const fix = (tagId = 'T2') => [{ tagId, ts: Date.now() - 5000, floorId: 'f1', x: 5, y: 1.5 }];

describe('1. guessing a password cannot lock its owner out', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTiny();
  });
  afterAll(async () => {
    await server?.close();
  });
  const attempt = (address: string, password: string) => from(address, server.url, 'POST', '/api/v1/auth/login', { username: 'nurse', password });

  it('five wrong passwords for nurse from five addresses, then the right one from a sixth, logs in', async () => {
    for (let i = 1; i <= 5; i++) expect((await attempt(`127.0.4.${i}`, 'wrong-password')).status).toBe(401);
    expect((await attempt('127.0.4.6', 'nurse-demo')).status).toBe(200);
  });

  it('while the account is under attack, an address that failed waits longer after each failure, and is told how long', async () => {
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const r = await attempt('127.0.4.7', 'wrong-password');
      expect(r.status).toBe(429);
      waits.push(Number(r.headers['retry-after']));
      // refused without a look at the password until the wait is over
      const early = await attempt('127.0.4.7', 'nurse-demo');
      expect(early.status).toBe(429);
      await new Promise((resolve) => setTimeout(resolve, waits[i]! * 1000 + 50));
    }
    expect(waits).toEqual([1, 2, 4]);
    // the night nurse, on her own terminal, is never refused
    expect((await attempt('127.0.4.8', 'nurse-demo')).status).toBe(200);
  });

  it('an admin sees the throttled account and the addresses guessing at it, and can lift it; others may not look', async () => {
    const admin = await login(server.url, 'admin');
    const list = await call<{ username: string; failures: number; throttled: boolean; clients: { address: string; failures: number }[] }[]>(server.url, '/api/v1/auth/throttled', { token: admin });
    expect(list.status).toBe(200);
    const nurse = list.body.find((t) => t.username === 'nurse')!;
    expect(nurse).toMatchObject({ failures: 8, throttled: true });
    expect(nurse.clients.find((c) => c.address.endsWith('127.0.4.7'))?.failures).toBe(3);
    expect((await call(server.url, '/api/v1/auth/throttled', { token: await login(server.url, 'manager') })).status).toBe(403);
    expect((await call(server.url, '/api/v1/auth/throttled/nurse', { token: admin, method: 'DELETE' })).status).toBe(204);
    expect((await call(server.url, '/api/v1/auth/throttled/nurse', { token: admin, method: 'DELETE' })).status).toBe(404);
    expect((await attempt('127.0.4.7', 'nurse-demo')).status).toBe(200);
  });
});

describe('2. a faulty device with a wrong key does not block its gateway on the same address', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTiny();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('after 125 wrong-key requests from one address, the valid gateway key from that address is still accepted', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 125; i++) statuses.push((await from('127.0.3.1', server.url, 'POST', '/api/v1/positions', fix(), { authorization: 'Bearer wrong-key' })).status);
    // the wrong key itself is throttled per address...
    expect(statuses.slice(0, 120).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(120).every((s) => s === 429)).toBe(true);
    // ...but the gateway's key is judged by its own budget
    const ok = await from('127.0.3.1', server.url, 'POST', '/api/v1/positions', fix(), { authorization: 'Bearer demo-gateway-key' });
    expect(ok.status).toBe(202);
    expect((await from('127.0.3.1', server.url, 'POST', '/api/v1/positions', fix(), { authorization: 'Bearer wrong-key' })).status).toBe(429);
  });
});

/** A raw TCP connection from `address` that sends `data` and then nothing; resolves once connected. */
function stall(port: number, address: string, data: string): Promise<{ socket: Socket; closed: Promise<string> }> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress: address });
    let answer = '';
    socket.on('data', (c) => (answer += c.toString()));
    const closed = new Promise<string>((r) => socket.once('close', () => r(answer)));
    socket.once('error', () => undefined);
    socket.once('connect', () => {
      socket.write(data);
      resolve({ socket, closed });
    });
    socket.once('error', reject);
  });
}

describe('3. sessions survive a restart, graceful or not, and stay revocable', () => {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  });

  it('after a graceful restart a nurse token still opens REST and a socket; a logout before it stays a logout', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'carewatch-sessions-'));
    let server = await startTiny({ dataDir });
    const kept = await login(server.url, 'nurse');
    const ended = await login(server.url, 'nurse');
    expect((await call(server.url, '/api/v1/auth/logout', { token: ended, method: 'POST' })).status).toBe(204);
    await server.close();
    server = await startTiny({ dataDir });
    try {
      expect((await call(server.url, '/api/v1/residents', { token: kept })).status).toBe(200);
      (await openSocket(server.url, kept)).close();
      expect((await call(server.url, '/api/v1/residents', { token: ended })).status).toBe(401);
      // and it is still revocable
      expect((await call(server.url, '/api/v1/auth/logout', { token: kept, method: 'POST' })).status).toBe(204);
      expect((await call(server.url, '/api/v1/residents', { token: kept })).status).toBe(401);
    } finally {
      await server.close();
    }
    // the data directory holds hashes, never a token
    const stored = readFileSync(join(dataDir, 'sessions.log'), 'utf8');
    expect(stored).not.toContain(kept);
    expect(stored.length).toBeGreaterThan(0);
   }, 90_000);

  it('after kill -9 of the real server, restarted on the same data directory at once, the token still works', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'carewatch-sessions-'));
    const port = await new Promise<number>((resolve) => {
      const srv = createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port;
        srv.close(() => resolve(p));
      });
    });
    const start = async () => {
      const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
        env: { ...process.env, PORT: String(port), HOST: '127.0.0.1', DATA_DIR: dataDir, SIMULATOR: 'off', DEMO: 'on', GEO_WORKERS: '1', LOG_LEVEL: 'warn' },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      children.push(child);
      for (let i = 0; i < 600; i++) {
        if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
        if (await fetch(`http://127.0.0.1:${port}/healthz`).then((r) => r.ok, () => false)) return child;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error('server did not become healthy');
    };
    const first = await start();
    const token = await login(`http://127.0.0.1:${port}`, 'nurse');
    first.kill('SIGKILL');
    // no wait for the exit: the next start must not trip over the dead owner of the data directory
    await start();
    expect((await call(`http://127.0.0.1:${port}`, '/api/v1/residents', { token })).status).toBe(200);
  }, 120_000);
});

describe('3b. two nodes on one PostgreSQL share sessions: a login on A works on B, a logout on A ends it on B at once', () => {
  const base = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
  const schema = `cw_sessions_${process.pid}_${randomBytes(3).toString('hex')}`;
  let a: RunningServer;
  let b: RunningServer;
  beforeAll(async () => {
    const u = new URL(base);
    u.searchParams.set('schema', schema);
    a = await startTiny({ databaseUrl: u.toString(), history: false });
    b = await startTiny({ databaseUrl: u.toString(), history: false });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    const pg = await import('pg');
    const admin = new pg.default.Pool({ connectionString: base, max: 1 });
    await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    await admin.end();
  });

  it('the token of a login on A opens REST and a socket on B; after logout on A, B refuses it on the next request and closes its socket', async () => {
    const token = await login(a.url, 'nurse');
    expect((await call(b.url, '/api/v1/residents', { token })).status).toBe(200);
    const socket = await openSocket(b.url, token);
    const ended = new Promise<void>((resolve) => socket.once('disconnect', () => resolve()));
    expect((await call(a.url, '/api/v1/auth/logout', { token, method: 'POST' })).status).toBe(204);
    expect((await call(b.url, '/api/v1/residents', { token })).status).toBe(401);
    await ended;
  });
});

describe('4. slow clients are dropped, and one address cannot hold every connection', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTiny({
      serverLimits: { headersTimeoutMs: 1500, requestTimeoutMs: 3000, idleTimeoutMs: 60_000, keepAliveTimeoutMs: 5000, maxConnectionsPerAddress: 120, maxConnections: 20_000 },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('300 connections with unfinished headers and 50 with unfinished bodies are all closed by the server, which serves others meanwhile', async () => {
    const started = Date.now();
    const headers = await Promise.all(
      Array.from({ length: 300 }, (_, i) => stall(server.port, `127.0.6.${1 + (i % 3)}`, 'GET /api/v1/sites HTTP/1.1\r\nHost: x\r\nX-Slow: '),
    ));
    const bodies = await Promise.all(
      Array.from({ length: 50 }, () =>
        stall(server.port, '127.0.6.9', 'POST /api/v1/positions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer demo-gateway-key\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n[{"tagId":'),
      ),
    );
    // while they hang, the service answers everyone else
    expect((await from('127.0.6.20', server.url, 'GET', '/healthz')).status).toBe(200);
    const answers = await Promise.all([...headers, ...bodies].map((c) => c.closed));
    console.log(`slow clients: 300 unfinished headers + 50 unfinished bodies all closed by the server after ${Date.now() - started} ms (headers timeout 1.5 s, request timeout 3 s)`);
    // each was told why before the server hung up
    expect(answers.filter((a) => a.startsWith('HTTP/1.1 408')).length).toBe(350);
  }, 60_000);

  it('connections beyond the cap from one address are closed at once; other addresses are served', async () => {
    const held = await Promise.all(Array.from({ length: 120 }, () => stall(server.port, '127.0.7.1', '')));
    const extra = await stall(server.port, '127.0.7.1', 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(await extra.closed).toBe('');
    expect((await from('127.0.7.2', server.url, 'GET', '/healthz')).status).toBe(200);
    for (const c of held) c.socket.destroy();
    await Promise.all(held.map((c) => c.closed));
    // the slots are given back (once the server, not only the client, has seen the sockets close)
    let again = 0;
    for (let i = 0; i < 50 && again !== 200; i++) {
      again = await from('127.0.7.1', server.url, 'GET', '/healthz').then((r) => r.status, () => 0);
      if (again !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(again).toBe(200);
  });
});

describe('6. TLS: native HTTPS, and HSTS only over HTTPS', () => {
  let plain: RunningServer;
  let proxied: RunningServer;
  let tls: RunningServer;
  let ca: Buffer;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'carewatch-tls-'));
    const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
    ca = readFileSync(certFile);
    [plain, proxied, tls] = await Promise.all([startTiny(), startTiny({ trustProxy: 'loopback' }), startTiny({ tls: { certFile, keyFile } })]);
  });
  afterAll(async () => {
    await Promise.all([plain?.close(), proxied?.close(), tls?.close()]);
  });
  const httpsGet = (path: string, init: { method?: string; body?: unknown } = {}) =>
    new Promise<Answer>((resolve, reject) => {
      const text = init.body === undefined ? '' : JSON.stringify(init.body);
      const req = httpsRequest(`${tls.url}${path}`, { method: init.method ?? 'GET', ca, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
        let t = '';
        res.on('data', (c) => (t += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: t }));
      });
      req.on('error', reject);
      req.end(text);
    });

  it('over plain HTTP: no HSTS and no upgrade-insecure-requests', async () => {
    const r = await from('127.0.0.1', plain.url, 'GET', '/healthz');
    expect(r.headers['strict-transport-security']).toBeUndefined();
    expect(String(r.headers['content-security-policy'])).not.toMatch(/upgrade-insecure-requests/);
    expect(String(r.headers['content-security-policy'])).toMatch(/default-src 'self'/);
  });

  it('with TLS_CERT and TLS_KEY the server speaks HTTPS, sends HSTS, and the demo login works over it', async () => {
    expect(tls.url).toMatch(/^https:/);
    const r = await httpsGet('/healthz');
    expect(r.status).toBe(200);
    expect(r.headers['strict-transport-security']).toMatch(/max-age=31536000/);
    expect(String(r.headers['content-security-policy'])).toMatch(/upgrade-insecure-requests/);
    const l = await httpsGet('/api/v1/auth/login', { method: 'POST', body: { username: 'nurse', password: 'nurse-demo' } });
    expect(l.status).toBe(200);
    expect(JSON.parse(l.body).token).toBeTruthy();
  });

  it('behind a trusted TLS proxy, HSTS follows X-Forwarded-Proto', async () => {
    const https = await from('127.0.0.1', proxied.url, 'GET', '/healthz', undefined, { 'x-forwarded-proto': 'https' });
    expect(https.headers['strict-transport-security']).toMatch(/max-age=/);
    const http = await from('127.0.0.1', proxied.url, 'GET', '/healthz', undefined, { 'x-forwarded-proto': 'http' });
    expect(http.headers['strict-transport-security']).toBeUndefined();
  });
});

describe('7. GET /api/v1/sites is scoped like everything else', () => {
  let server: RunningServer;
  let admin: string;
  beforeAll(async () => {
    server = await startTiny({ bundles: [twoWardSite()] });
    admin = await login(server.url, 'admin');
  });
  afterAll(async () => {
    await server?.close();
  });
  type SiteOut = { id: string; floors: { id: string }[]; wards: { id: string }[]; zones: { features: { properties: { floorId: string } }[] } };

  it("a family member reads only the floors of their relative's ward, with their zones", async () => {
    const family = await createUser(server.url, admin, { username: 'family-r4', role: 'family', residentIds: ['R4'], siteIds: ['tiny'] });
    const r = await call<SiteOut[]>(server.url, '/api/v1/sites', { token: family });
    expect(r.status).toBe(200);
    expect(r.body.map((s) => s.id)).toEqual(['tiny']);
    expect(r.body[0]!.floors.map((f) => f.id)).toEqual(['f2']);
    expect(r.body[0]!.wards.map((w) => w.id)).toEqual(['w2']);
    const floors = new Set(r.body[0]!.zones.features.map((f) => f.properties.floorId));
    expect([...floors]).toEqual(['f2']);
  });

  it('a regulator reads no plan at all (aggregates come from the overview)', async () => {
    const r = await call<SiteOut[]>(server.url, '/api/v1/sites', { token: await login(server.url, 'regulator') });
    expect(r.status).toBe(200);
    expect(r.body).toEqual([]);
  });

  it('staff still read their sites whole', async () => {
    const r = await call<SiteOut[]>(server.url, '/api/v1/sites', { token: await login(server.url, 'nurse') });
    expect(r.body[0]!.floors.map((f) => f.id)).toEqual(expect.arrayContaining(['f1', 'f2']));
  });
});
