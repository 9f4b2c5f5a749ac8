/** Every new alarm entry point answers bad input with a clear 4xx and changes nothing. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app';
import { api, login, startTiny } from '../helpers/server';

const P256DH = Buffer.alloc(65, 4).toString('base64url');
const AUTH = Buffer.alloc(16, 7).toString('base64url');

describe('alarm API: bad input', () => {
  let server: RunningServer;
  let admin: string;
  let nurse: string;
  let family: string;
  let manager: string;

  beforeAll(async () => {
    server = await startTiny();
    [admin, nurse, family, manager] = await Promise.all(['admin', 'nurse', 'family', 'manager'].map((u) => login(server.url, u)));
  });
  afterAll(() => server?.close());

  const call = (token: string, method: string, path: string, body?: unknown) =>
    api<{ error?: string }>(server.url, token, path, { method, ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }) });

  it.each([
    [{}, /url/],
    [{ url: 'ftp://x.example/hook' }, /http/],
    [{ url: 'not a url' }, /url/],
    [{ url: 'https://x.example', events: ['alert.exploded'] }, /events/],
    [{ url: 'https://x.example', events: [] }, /events/],
    [{ url: 'https://x.example', secret: 'hunter2' }, /secret/],
    [{ url: 'https://x.example', secret: 'whsec_c2hvcnQ=' }, /secret/],
    [{ url: 'https://x.example', extra: 1 }, /extra|Unrecognized|unrecognized/],
    [[1, 2], /body|expected/],
  ])('refuses the webhook %j with a 400 that says what is wrong', async (body, says) => {
    const res = await call(admin, 'POST', '/api/v1/webhooks', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(says);
    expect(server.alarm.webhooks.list()).toHaveLength(0);
  });

  it('refuses a webhook for an unknown site (404), from a nurse or a manager (403), and a body that is not JSON (415 / 400)', async () => {
    expect((await call(admin, 'POST', '/api/v1/webhooks', { url: 'https://x.example', siteId: 'nowhere' })).status).toBe(404);
    expect((await call(nurse, 'POST', '/api/v1/webhooks', { url: 'https://x.example' })).status).toBe(403);
    expect((await call(manager, 'GET', '/api/v1/webhooks')).status).toBe(403);
    const text = await fetch(`${server.url}/api/v1/webhooks`, { method: 'POST', headers: { authorization: `Bearer ${admin}`, 'content-type': 'text/plain' }, body: 'url=x' });
    expect(text.status).toBe(415);
    expect((await call(admin, 'POST', '/api/v1/webhooks', '{"url":')).status).toBe(400);
    expect((await call(admin, 'DELETE', '/api/v1/webhooks/wh_nope')).status).toBe(404);
    expect((await call(admin, 'GET', '/api/v1/webhooks/wh_nope/deliveries')).status).toBe(404);
    expect(server.alarm.webhooks.list()).toHaveLength(0);
  });

  it.each([
    [{ steps: [{ afterSeconds: 0, to: 'manager' }] }, /afterSeconds/],
    [{ steps: [{ afterSeconds: 1.5, to: 'manager' }] }, /whole/],
    [{ steps: [{ afterSeconds: 120, to: 'manager' }, { afterSeconds: 60, to: 'admin' }] }, /increase/],
    [{ steps: [{ afterSeconds: 60, to: 'the janitor' }] }, /role|user/],
    [{ steps: [{ afterSeconds: 60, to: 'family' }] }, /role|user/],
    [{ steps: [{ afterSeconds: 60 }] }, /to/],
    [{ steps: 'soon' }, /steps/],
    [{}, /steps/],
  ])('refuses the escalation rule %j with a 400 and keeps the old one', async (body, says) => {
    const res = await call(manager, 'PUT', '/api/v1/sites/tiny/escalation', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(says);
    expect(server.alarm.rules.get('tiny')).toBeUndefined();
  });

  it('refuses escalation and rosters from a nurse (403) and for a site outside the caller (404)', async () => {
    expect((await call(nurse, 'PUT', '/api/v1/sites/tiny/escalation', { steps: [] })).status).toBe(403);
    expect((await call(admin, 'PUT', '/api/v1/sites/elsewhere/escalation', { steps: [] })).status).toBe(404);
    expect((await call(nurse, 'PUT', '/api/v1/sites/tiny/roster', { shifts: [] })).status).toBe(403);
  });

  it.each([
    [{ shifts: [{ staff: ['nurse'], start: '25:00', end: '06:00' }] }, /HH:MM/],
    [{ shifts: [{ staff: [], start: '22:00', end: '06:00' }] }, /someone/],
    [{ shifts: [{ staff: ['nurse'], start: '22:00', end: '06:00', days: [7] }] }, /days/],
    [{ shifts: [{ staff: ['nurse'], start: '22:00', end: '06:00', wardIds: ['w9'] }] }, /no ward w9/],
    [{ shifts: [{ staff: ['family'], start: '22:00', end: '06:00' }] }, /not staff/],
  ])('refuses the roster %j with a 400', async (body, says) => {
    const before = server.alarm.rosters.get('tiny');
    const res = await call(admin, 'PUT', '/api/v1/sites/tiny/roster', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(says);
    expect(server.alarm.rosters.get('tiny')).toEqual(before);
  });

  it.each([
    [{ keys: { p256dh: P256DH, auth: AUTH } }, /endpoint/],
    [{ endpoint: 'http://push.example/x', keys: { p256dh: P256DH, auth: AUTH } }, /https/],
    [{ endpoint: 'https://push.example/x', keys: { p256dh: 'short', auth: AUTH } }, /p256dh/],
    [{ endpoint: 'https://push.example/x', keys: { p256dh: P256DH, auth: 'a+b/' } }, /auth/],
    [{ endpoint: 'https://push.example/x', keys: { p256dh: P256DH } }, /auth/],
    [{ endpoint: 'https://push.example/x', keys: { p256dh: P256DH, auth: AUTH }, quiet: 'yes' }, /quiet/],
  ])('refuses the push subscription %j with a 400 and stores nothing', async (body, says) => {
    const res = await call(family, 'POST', '/api/v1/push/subscriptions', body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatch(says);
    expect(server.alarm.subscriptions.of('family')).toHaveLength(0);
  });

  it("refuses push choices outside the family kinds, another account's subscription, and a regulator", async () => {
    const prefs = await call(family, 'PUT', '/api/v1/push/preferences', { push: true, gateway: false, kinds: ['sos', 'low_battery'] });
    expect(prefs.status).toBe(400);
    expect(prefs.body.error).toMatch(/wandering, fall and SOS/);
    expect((await call(family, 'PUT', '/api/v1/push/preferences', { push: true, gateway: false, kinds: ['sos', 'fall'] })).status).toBe(200);
    const sub = await call(nurse, 'POST', '/api/v1/push/subscriptions', { endpoint: 'https://push.example/nurse', keys: { p256dh: P256DH, auth: AUTH }, quiet: true });
    expect(sub.status).toBe(201);
    expect((await call(family, 'DELETE', `/api/v1/push/subscriptions/${(sub.body as { id: string }).id}`)).status).toBe(404);
    const regulator = await login(server.url, 'regulator');
    expect((await call(regulator, 'POST', '/api/v1/push/subscriptions', { endpoint: 'https://push.example/r', keys: { p256dh: P256DH, auth: AUTH } })).status).toBe(403);
  });
});
