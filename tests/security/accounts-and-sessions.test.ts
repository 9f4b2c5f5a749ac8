import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app';
import { totp } from '../../server/auth/totp';
import { startTiny } from '../helpers/server';
import { call, clock, connectOutcome, createKey, createUser, ingest, loginAs, openSecureSocket, sleep, STRONG, until } from './helpers';

const ADMIN_PW = 'granite-orchard-lantern-97';

describe('sessions end when they should: logout, logout everywhere, password change', () => {
  let server: RunningServer;
  let admin: string;
  beforeAll(async () => {
    server = await startTiny();
    admin = await loginAs(server.url, 'admin', 'admin-demo');
    await createUser(server.url, admin, { username: 'nurse-li', role: 'nurse', wardIds: ['w1'] });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('logout revokes that token only', async () => {
    const a = await loginAs(server.url, 'nurse-li', STRONG);
    const b = await loginAs(server.url, 'nurse-li', STRONG);
    expect((await call(server.url, '/api/v1/auth/logout', { token: a, method: 'POST' })).status).toBe(204);
    expect((await call(server.url, '/api/v1/me', { token: a })).status).toBe(401);
    expect((await call(server.url, '/api/v1/me', { token: b })).status).toBe(200);
  });

  it('logout everywhere revokes every session of the user and closes their open sockets at once', async () => {
    const tokens = [await loginAs(server.url, 'nurse-li', STRONG), await loginAs(server.url, 'nurse-li', STRONG)];
    const socket = await openSecureSocket(server.url, tokens[1]);
    const ended = new Promise((resolve) => socket.on('disconnect', resolve));
    const r = await call<{ revoked: number }>(server.url, '/api/v1/auth/logout-all', { token: tokens[0], method: 'POST' });
    expect(r.status).toBe(200);
    expect(r.body.revoked).toBeGreaterThanOrEqual(2);
    await ended;
    for (const t of tokens) expect((await call(server.url, '/api/v1/residents', { token: t })).status).toBe(401);
    expect((await connectOutcome(server.url, tokens[1])).error).toMatch(/unauthorised/);
    // the admin's own sessions are untouched
    expect((await call(server.url, '/api/v1/me', { token: admin })).status).toBe(200);
  });

  it('a password change ends every session (a thief\'s too) and hands the caller a fresh one', async () => {
    await createUser(server.url, admin, { username: 'nurse-wu', role: 'nurse', wardIds: ['w1'] });
    const thief = await loginAs(server.url, 'nurse-wu', STRONG);
    const mine = await loginAs(server.url, 'nurse-wu', STRONG);
    const thiefSocket = await openSecureSocket(server.url, thief);
    const closed = new Promise((resolve) => thiefSocket.on('disconnect', resolve));
    const weak = await call<{ error: string }>(server.url, '/api/v1/auth/password', { token: mine, body: { currentPassword: STRONG, newPassword: 'password123' } });
    expect(weak.status).toBe(400);
    expect(weak.body.error).toMatch(/newPassword/);
    const wrong = await call(server.url, '/api/v1/auth/password', { token: mine, body: { currentPassword: 'not-it-at-all-99', newPassword: 'cobalt-meadow-violin-31' } });
    expect(wrong.status).toBe(403);
    const ok = await call<{ token: string }>(server.url, '/api/v1/auth/password', { token: mine, body: { currentPassword: STRONG, newPassword: 'cobalt-meadow-violin-31' } });
    expect(ok.status).toBe(200);
    await closed;
    expect((await call(server.url, '/api/v1/me', { token: thief })).status).toBe(401);
    expect((await call(server.url, '/api/v1/me', { token: mine })).status).toBe(401);
    expect((await call(server.url, '/api/v1/me', { token: ok.body.token })).status).toBe(200);
    expect((await call(server.url, '/api/v1/auth/login', { body: { username: 'nurse-wu', password: STRONG } })).status).toBe(401);
    await loginAs(server.url, 'nurse-wu', 'cobalt-meadow-violin-31');
  });

  it('an admin can end all sessions of another account, and delete it', async () => {
    await createUser(server.url, admin, { username: 'nurse-gone', role: 'nurse', wardIds: ['w1'] });
    const t = await loginAs(server.url, 'nurse-gone', STRONG);
    expect((await call(server.url, '/api/v1/users/nurse-gone/revoke-sessions', { token: admin, method: 'POST' })).status).toBe(200);
    expect((await call(server.url, '/api/v1/me', { token: t })).status).toBe(401);
    const t2 = await loginAs(server.url, 'nurse-gone', STRONG);
    expect((await call(server.url, '/api/v1/users/nurse-gone', { token: admin, method: 'DELETE' })).status).toBe(204);
    expect((await call(server.url, '/api/v1/me', { token: t2 })).status).toBe(401);
    expect((await call(server.url, '/api/v1/auth/login', { body: { username: 'nurse-gone', password: STRONG } })).status).toBe(401);
  });

  it('accounts need a strong password and a scope that exists', async () => {
    const make = (body: object) => call<{ error: string }>(server.url, '/api/v1/users', { token: admin, body: { username: 'x-user', role: 'nurse', wardIds: ['w1'], password: STRONG, ...body } });
    expect((await make({ password: 'nurse-demo' })).body.error).toMatch(/password/);
    expect((await make({ password: 'short' })).body.error).toMatch(/at least 12/);
    expect((await make({ password: 'x-user-is-my-password' })).body.error).toMatch(/username/);
    expect((await make({ wardIds: ['w9'] })).status).toBe(400);
    expect((await make({ role: 'family', wardIds: [], residentIds: ['R9'] })).status).toBe(400);
    expect((await make({ siteIds: ['elsewhere'] })).status).toBe(404);
    expect((await make({ role: 'root' })).status).toBe(400);
    expect((await make({ username: 'admin' })).status).toBe(409);
  });
});

describe('TOTP for managers and admins', () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startTiny();
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a manager enrols with their password, verifies a code, and from then on login needs a fresh code', async () => {
    const token = await loginAs(server.url, 'manager', 'manager-demo');
    expect((await call(server.url, '/api/v1/auth/totp/enrol', { token, body: { password: 'wrong-password-1' } })).status).toBe(403);
    const enrol = await call<{ secret: string; uri: string }>(server.url, '/api/v1/auth/totp/enrol', { token, body: { password: 'manager-demo' } });
    expect(enrol.status).toBe(200);
    expect(enrol.body.uri).toMatch(/^otpauth:\/\/totp\/carewatch%3Amanager\?secret=[A-Z2-7]+/);
    // enrolment is pending until verified: login still works without a code
    await loginAs(server.url, 'manager', 'manager-demo');
    expect((await call(server.url, '/api/v1/auth/totp/verify', { token, body: { code: '000000' } })).status).toBe(400);
    const secret = enrol.body.secret;
    expect((await call(server.url, '/api/v1/auth/totp/verify', { token, body: { code: totp(secret, Date.now()) } })).status).toBe(200);

    const noCode = await call<{ error: string; totpRequired: boolean }>(server.url, '/api/v1/auth/login', { body: { username: 'manager', password: 'manager-demo' } });
    expect(noCode.status).toBe(401);
    expect(noCode.body.totpRequired).toBe(true);
    const wrongCode = await call(server.url, '/api/v1/auth/login', { body: { username: 'manager', password: 'manager-demo', totp: '123456' } });
    expect(wrongCode.status).toBe(401);
    // the next step's code (the window accepts one step either side); the one used to enrol is spent
    const code = totp(secret, Date.now() + 30_000);
    await loginAs(server.url, 'manager', 'manager-demo', code);
    const replayed = await call<{ error: string }>(server.url, '/api/v1/auth/login', { body: { username: 'manager', password: 'manager-demo', totp: code } });
    expect(replayed.status).toBe(401);
    expect(replayed.body.error).toMatch(/already used/);
    const me = await call<{ totp: boolean }>(server.url, '/api/v1/me', { token });
    expect(me.body.totp).toBe(true);
  });

  it('nurses, family and regulators cannot enrol (TOTP is for managers and admins)', async () => {
    for (const who of ['nurse', 'family', 'regulator']) {
      const token = await loginAs(server.url, who, `${who}-demo`);
      expect((await call(server.url, '/api/v1/auth/totp/enrol', { token, body: { password: `${who}-demo` } })).status).toBe(403);
    }
  });

  it('an admin resets a lost authenticator; the account logs in with its password again', async () => {
    const admin = await loginAs(server.url, 'admin', 'admin-demo');
    expect((await call(server.url, '/api/v1/users/manager/reset-totp', { token: admin, method: 'POST' })).status).toBe(204);
    await loginAs(server.url, 'manager', 'manager-demo');
  });
});

describe('outside demo mode (DEMO=off)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'carewatch-prod-'));
  let server: RunningServer | null = null;
  afterAll(async () => {
    await server?.close();
  });

  it('refuses to start without ADMIN_PASSWORD, or with a demo, default or weak one, and says why', async () => {
    const attempt = (adminPassword: string | null, extra = {}) =>
      startTiny({ demo: false, adminPassword, dataDir: mkdtempSync(join(tmpdir(), 'carewatch-refuse-')), ...extra }).then(
        async (s) => (await s.close(), 'started'),
        (e: Error) => e.message,
      );
    expect(await attempt(null)).toMatch(/no admin account exists. Set ADMIN_PASSWORD/);
    for (const pw of ['admin-demo', 'password1234', 'changeme', 'short-1', 'aaaaaaaaaaaaaaaa', 'admin-password-2024']) {
      expect(await attempt(pw), pw).toMatch(/refusing to start: ADMIN_PASSWORD/);
    }
  });

  it('refuses the demo accounts and the demo gateway key; the first admin comes from ADMIN_PASSWORD', async () => {
    server = await startTiny({ demo: false, adminPassword: ADMIN_PW, dataDir });
    for (const [u, p] of [
      ['admin', 'admin-demo'],
      ['nurse', 'nurse-demo'],
      ['manager', 'manager-demo'],
      ['family', 'family-demo'],
      ['regulator', 'regulator-demo'],
    ])
      expect((await call(server.url, '/api/v1/auth/login', { body: { username: u, password: p } })).status, u).toBe(401);
    const t = clock(Date.now() - 60_000);
    expect((await ingest(server.url, [{ tagId: 'T2', ts: t(), floorId: 'f1', x: 5, y: 1.5 }], 'demo-gateway-key')).status).toBe(401);
    expect((await fetch(`${server.url}/osmand?key=demo-gateway-key&id=T3&lat=32.63&lon=117&timestamp=${Math.floor(t() / 1000)}`)).status).toBe(401);
    const admin = await loginAs(server.url, 'admin', ADMIN_PW);
    // an admin cannot create an account with a demo password either
    const demoPw = await call(server.url, '/api/v1/users', { token: admin, body: { username: 'nurse', password: 'nurse-demo', role: 'nurse', wardIds: ['w1'] } });
    expect(demoPw.status).toBe(400);
    const gw = await createKey(server.url, admin, null);
    expect((await ingest(server.url, [{ tagId: 'T2', ts: t(), floorId: 'f1', x: 5, y: 1.5 }], gw.key)).status).toBe(202);
  });

  it('keeps accounts and keys across a restart, hashed in a file only its owner can read', async () => {
    const admin = await loginAs(server!.url, 'admin', ADMIN_PW);
    const device = await createKey(server!.url, admin, 'T2');
    await createUser(server!.url, admin, { username: 'nurse-zhao', role: 'nurse', wardIds: ['w1'] });
    await server!.close();
    server = null;
    const file = join(dataDir, 'accounts.json');
    const text = readFileSync(file, 'utf8');
    for (const secret of [ADMIN_PW, STRONG, device.key]) expect(text).not.toContain(secret);
    expect(text).toContain('scrypt$');
    expect(statSync(file).mode & 0o077).toBe(0);
    // no ADMIN_PASSWORD this time: the admin exists already
    server = await startTiny({ demo: false, adminPassword: null, dataDir });
    await loginAs(server.url, 'admin', ADMIN_PW);
    await loginAs(server.url, 'nurse-zhao', STRONG);
    const t = clock(Date.now() - 30_000);
    expect((await ingest(server.url, [{ tagId: 'T2', ts: t(), floorId: 'f1', x: 5, y: 1.5 }], device.key)).status).toBe(202);
  });
});

describe('device and gateway keys: shown once, stored hashed, rotatable, revocable, ingest only', () => {
  let server: RunningServer;
  let admin: string;
  const t = clock(Date.now() - 300_000);
  const fix = (tagId: string) => [{ tagId, ts: t(), floorId: 'f1', x: 5, y: 1.5, accuracy: 0.3 }];
  beforeAll(async () => {
    server = await startTiny();
    admin = await loginAs(server.url, 'admin', 'admin-demo');
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a new key is shown once; listings show neither the key nor its hash', async () => {
    const k = await createKey(server.url, admin, 'T2');
    expect(k.key).toMatch(/^cwk_[\w-]{43}$/);
    const list = await call<{ id: string }[]>(server.url, '/api/v1/keys', { token: admin });
    const text = JSON.stringify(list.body);
    expect(text).toContain(k.id);
    expect(text).not.toContain(k.key);
    expect(text).not.toMatch(/hash/i);
    expect((await call(server.url, `/api/v1/audit?subjectId=${k.id}`, { token: admin })).body).toEqual([expect.objectContaining({ action: 'key.create', actor: 'admin' })]);
  });

  it('a device key for tag T2 cannot report tag T1, and says so per fix', async () => {
    const k = await createKey(server.url, admin, 'T2');
    const r = await ingest(server.url, [...fix('T1'), ...fix('T2')], k.key);
    expect(r.status).toBe(202);
    expect(r.body.accepted).toBe(1);
    expect(r.body.rejected).toEqual([expect.objectContaining({ index: 0, code: 'forbidden_tag' })]);
  });

  it('rotation: the old key stops at once, or after its grace period; the new one works', async () => {
    const k = await createKey(server.url, admin, null);
    const rot = await call<{ key: string }>(server.url, `/api/v1/keys/${k.id}/rotate`, { token: admin, body: {} });
    expect(rot.status).toBe(200);
    expect((await ingest(server.url, fix('T2'), k.key)).status).toBe(401);
    expect((await ingest(server.url, fix('T2'), rot.body.key)).status).toBe(202);
    const graced = await call<{ key: string; previousValidUntil: number }>(server.url, `/api/v1/keys/${k.id}/rotate`, { token: admin, body: { graceSeconds: 1 } });
    expect(graced.body.previousValidUntil).toBeGreaterThan(Date.now());
    expect((await ingest(server.url, fix('T2'), rot.body.key)).status).toBe(202);
    expect((await ingest(server.url, fix('T2'), graced.body.key)).status).toBe(202);
    await sleep(1100);
    expect((await ingest(server.url, fix('T2'), rot.body.key)).status).toBe(401);
  });

  it('a revoked key is refused on every ingest path', async () => {
    const k = await createKey(server.url, admin, null);
    expect((await call(server.url, `/api/v1/keys/${k.id}`, { token: admin, method: 'DELETE' })).status).toBe(204);
    expect((await ingest(server.url, fix('T2'), k.key)).status).toBe(401);
    expect((await fetch(`${server.url}/osmand?key=${k.key}&id=T3&lat=32.63&lon=117`)).status).toBe(401);
    const ot = await fetch(`${server.url}/owntracks?id=T3`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from(`gw:${k.key}`).toString('base64')}` },
      body: JSON.stringify({ _type: 'location', lat: 32.63, lon: 117, tst: Math.floor(Date.now() / 1000) }),
    });
    expect(ot.status).toBe(401);
    expect((await call(server.url, `/api/v1/keys/${k.id}`, { token: admin, method: 'DELETE' })).status).toBe(404);
  });

  it('a staff session cannot ingest, and a key cannot log in', async () => {
    const nurse = await loginAs(server.url, 'nurse', 'nurse-demo');
    const r = await ingest(server.url, fix('T2'), nurse);
    expect(r.status).toBe(403);
    const k = await createKey(server.url, admin, null);
    expect((await call(server.url, '/api/v1/me', { token: k.key })).status).toBe(403);
    expect((await connectOutcome(server.url, k.key)).error).toMatch(/keys may only ingest/);
    await until(() => true);
  });
});
