import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app';
import { startTiny } from '../helpers/server';
import { call, clock, createKey, loginAs, raiseSos } from './helpers';

/**
 * Bad input at every entry point: each answered with a clear 4xx and a JSON reason, the server
 * still serving afterwards, and the good fixes of a mixed batch kept.
 */

let server: RunningServer;
let tokens: { admin: string; manager: string; nurse: string };
let alertId: string;
let keyId: string;
const tick = clock(Date.now() - 3600_000);

beforeAll(async () => {
  // generous login limits here: the throttle has its own test
  server = await startTiny({ loginFailuresPerIpPerMinute: 10_000, loginFailuresPerUserPerMinute: 10_000 });
  tokens = {
    admin: await loginAs(server.url, 'admin', 'admin-demo'),
    manager: await loginAs(server.url, 'manager', 'manager-demo'),
    nurse: await loginAs(server.url, 'nurse', 'nurse-demo'),
  };
  // a resolved alert: a valid ack or resolve body is then a 409, never a state change
  alertId = (await raiseSos(server, 'T2', 'f1', tick())).id;
  expect((await call(server.url, `/api/v1/alerts/${alertId}/resolve`, { token: tokens.nurse, body: {} })).status).toBe(200);
  keyId = (await createKey(server.url, tokens.admin, null)).id;
});
afterAll(async () => {
  await server?.close();
});

function clear4xx(r: { status: number; body: unknown }, status?: number | number[], pattern?: RegExp) {
  const what = JSON.stringify(r.body)?.slice(0, 300);
  expect(r.status, what).toBeGreaterThanOrEqual(400);
  expect(r.status, what).toBeLessThan(500);
  if (status !== undefined) expect([status].flat(), what).toContain(r.status);
  const error = (r.body as { error?: unknown })?.error;
  expect(typeof error, what).toBe('string');
  expect((error as string).length).toBeGreaterThan(3);
  if (pattern) expect(error).toMatch(pattern);
}

interface BodyEndpoint {
  name: string;
  path: () => string;
  token: () => string | undefined;
  valid: () => Record<string, unknown>;
  /** Field -> a value of the wrong type. */
  wrong: Record<string, unknown>;
}

const BODY_ENDPOINTS: BodyEndpoint[] = [
  { name: 'login', path: () => '/api/v1/auth/login', token: () => undefined, valid: () => ({ username: 'nurse', password: 'not-the-password' }), wrong: { username: 7, password: ['x'], totp: 123456 } },
  { name: 'password change', path: () => '/api/v1/auth/password', token: () => tokens.nurse, valid: () => ({ currentPassword: 'x', newPassword: 'y' }), wrong: { currentPassword: 1, newPassword: {} } },
  { name: 'TOTP enrolment', path: () => '/api/v1/auth/totp/enrol', token: () => tokens.manager, valid: () => ({ password: 'wrong-on-purpose' }), wrong: { password: false } },
  { name: 'TOTP verification', path: () => '/api/v1/auth/totp/verify', token: () => tokens.manager, valid: () => ({ code: '000000' }), wrong: { code: 0 } },
  { name: 'TOTP disabling', path: () => '/api/v1/auth/totp/disable', token: () => tokens.manager, valid: () => ({ password: 'x', code: '000000' }), wrong: { password: 1, code: 1 } },
  {
    name: 'resident creation',
    path: () => '/api/v1/residents',
    token: () => tokens.admin,
    valid: () => ({ name: 'Guo Li', siteId: 'nowhere', tagId: 'T-never' }),
    wrong: { name: 5, siteId: [], tagId: {}, wanderRisk: 'yes', fallRisk: 1, safeZoneIds: 'w1', roomZoneId: 9 },
  },
  { name: 'alert acknowledgement', path: () => `/api/v1/alerts/${alertId}/ack`, token: () => tokens.nurse, valid: () => ({ note: 'ok' }), wrong: { note: 12 } },
  { name: 'alert resolution', path: () => `/api/v1/alerts/${alertId}/resolve`, token: () => tokens.nurse, valid: () => ({ note: 'ok' }), wrong: { note: ['x'] } },
  {
    name: 'account creation',
    path: () => '/api/v1/users',
    token: () => tokens.admin,
    valid: () => ({ username: 'bad-input-x', password: 'short', role: 'nurse', wardIds: ['w1'] }),
    wrong: { username: 1, password: null, role: 3, siteIds: 'tiny', wardIds: {}, residentIds: 'R1' },
  },
  { name: 'key creation', path: () => '/api/v1/keys', token: () => tokens.admin, valid: () => ({ siteId: 'nowhere', tagId: null }), wrong: { siteId: 1, tagId: 7, label: {} } },
  { name: 'key rotation', path: () => `/api/v1/keys/${keyId}/rotate`, token: () => tokens.admin, valid: () => ({ graceSeconds: -1 }), wrong: { graceSeconds: '60' } },
];

const post = (path: string, token: string | undefined, raw: string, contentType = 'application/json') =>
  call(server.url, path, { token, raw, method: 'POST', headers: { 'content-type': contentType } });

describe('every JSON body of the REST API', () => {
  for (const ep of BODY_ENDPOINTS) {
    it(`${ep.name}: malformed JSON, a non-JSON body, an array, wrong types, huge strings, 1e999, "NaN", deep nesting`, async () => {
      const path = ep.path();
      const token = ep.token();
      clear4xx(await post(path, token, '{"a": '), 400, /not valid JSON/);
      clear4xx(await post(path, token, 'username=nurse', 'application/x-www-form-urlencoded'), 415, /JSON/);
      clear4xx(await post(path, token, '[1,2,3]'), 400);
      clear4xx(await post(path, token, '"just a string"'), 400);
      for (const [field, value] of Object.entries(ep.wrong)) {
        clear4xx(await post(path, token, JSON.stringify({ ...ep.valid(), [field]: value })), 400, new RegExp(field));
      }
      for (const field of Object.keys(ep.valid())) {
        clear4xx(await post(path, token, JSON.stringify({ ...ep.valid(), [field]: 'x'.repeat(50_000) })), [400, 401, 403, 404, 409]);
        clear4xx(await post(path, token, JSON.stringify({ ...ep.valid(), [field]: 'NaN' })), [400, 401, 403, 404, 409]);
        clear4xx(await post(path, token, JSON.stringify({ ...ep.valid() }).replace(/}$/, `,"${field}x":1e999}`)), [400, 401, 403, 404, 409]);
      }
      clear4xx(await post(path, token, JSON.stringify({ ...ep.valid(), pad: 'x'.repeat(70 * 1024) })), 413, /too large/);
      clear4xx(await post(path, token, `${'['.repeat(5000)}${']'.repeat(5000)}`), 400);
      clear4xx(await post(path, token, JSON.stringify({ ...ep.valid(), nested: JSON.parse(`${'{"a":'.repeat(500)}1${'}'.repeat(500)}`) })), [400, 401, 403, 404, 409]);
      // with the body valid but the token gone, the refusal is a 401 with a reason
      if (token) clear4xx(await post(path, 'not-a-token', JSON.stringify(ep.valid())), 401);
    });
  }
});

describe('every query string and path parameter of the REST API', () => {
  const get = (path: string, token = tokens.admin) => call(server.url, path, { token });
  it('alerts: state and limit are checked, not guessed', async () => {
    for (const q of ['state=closed', 'state=open&state=resolved', 'limit=abc', 'limit=1e999', 'limit=NaN', 'limit=0', 'limit=-5', 'limit=99999999', 'colour=red'])
      clear4xx(await get(`/api/v1/alerts?${q}`), 400);
  });
  it('audit and overview: times far in the past or future, NaN and Infinity are refused', async () => {
    for (const q of ['since=NaN', 'since=Infinity', 'until=1e999', 'since=0', 'until=99999999999999999', 'since=yesterday', `since=${'9'.repeat(50)}`, 'limit=1001', 'limit=%00'])
      clear4xx(await get(`/api/v1/audit?${q}`), 400);
    for (const q of ['since=NaN', 'until=Infinity', 'since=1e999', 'since=32503680000000', 'siteId=x&siteId=y', `siteId=${'s'.repeat(100)}`]) clear4xx(await get(`/api/v1/overview?${q}`), 400);
    clear4xx(await get(`/api/v1/overview?since=${Date.now()}&until=${Date.now() - 1000}`), 400, /before/);
    clear4xx(await get('/api/v1/overview?siteId=elsewhere'), 404);
  });
  it('export: a bad window is refused before anything is read', async () => {
    for (const q of ['since=NaN', 'until=1e999', 'format=xml']) clear4xx(await get(`/api/v1/residents/R1/export?${q}`), 400);
  });
  it('path ids: too long is a 400, unknown or odd (unicode, traversal, __proto__) is a 404', async () => {
    const long = 'R'.repeat(65);
    for (const p of [`/api/v1/residents/${long}`, `/api/v1/residents/${long}/position`, `/api/v1/alerts/${long}`, `/api/v1/alerts/${long}/ack`, `/api/v1/keys/${long}/rotate`]) {
      const r = p.endsWith('ack') || p.endsWith('rotate') ? await post(p, tokens.admin, '{}') : await get(p);
      clear4xx(r, 400, /at most 64/);
    }
    for (const id of ['__proto__', 'constructor', '%E7%8E%8B%E4%BC%9F', '..%2F..%2Fetc%2Fpasswd', '%F0%9F%98%80', 'R1%00']) {
      clear4xx(await get(`/api/v1/residents/${id}`), 404);
      clear4xx(await get(`/api/v1/alerts/${id}`), 404);
      clear4xx(await post(`/api/v1/alerts/${id}/resolve`, tokens.nurse, '{}'), 404);
    }
    clear4xx(await call(server.url, '/api/v1/users/__proto__', { token: tokens.admin, method: 'DELETE' }), 404);
    clear4xx(await call(server.url, '/api/v1/keys/constructor', { token: tokens.admin, method: 'DELETE' }), 404);
    clear4xx(await get('/api/v1/no-such-thing'), 404);
  });
  it('replay (history API): missing, inverted or non-numeric windows are refused', async () => {
    for (const q of ['residentIds=R1', 'residentIds=R1&since=NaN&until=1', `residentIds=R1&since=${Date.now()}&until=${Date.now() - 1}`, 'residentIds=R1&since=1e999&until=2e999'])
      clear4xx(await get(`/api/v1/replay?${q}`), 400);
  });
});

describe('every ingest entry point', () => {
  const good = (x = 5) => ({ tagId: 'T2', ts: tick(), floorId: 'f1', x, y: 1.5, accuracy: 0.3 });
  const positions = (raw: string, key = 'demo-gateway-key', contentType = 'application/json') =>
    call<{ accepted: number; rejected: { index: number; code: string; reason: string }[] }>(server.url, '/api/v1/positions', {
      raw,
      method: 'POST',
      headers: { 'content-type': contentType, authorization: `Bearer ${key}` },
    });

  it('/api/v1/positions: transport problems are one clear 4xx', async () => {
    clear4xx(await positions('[{"tagId": "T2", '), 400, /not valid JSON/);
    clear4xx(await positions('{"tagId": "T2"}'), 400, /array of fixes/);
    clear4xx(await positions('[]'), 400, /empty/);
    clear4xx(await positions('tagId=T2', 'demo-gateway-key', 'text/plain'), 400);
    clear4xx(await positions(JSON.stringify(Array.from({ length: 5001 }, () => ({ tagId: 'T2', ts: Date.now(), floorId: 'f1', x: 1, y: 1 })))), 413, /at most 5000/);
    clear4xx(await positions(JSON.stringify([{ ...good(), pad: 'x'.repeat(9 * 1024 * 1024) }])), 413, /too large/);
    clear4xx(await positions(`${'['.repeat(100_000)}${']'.repeat(100_000)}`), [400, 422]);
  });

  it('/api/v1/positions: each bad fix gets its reason, the good fixes of the batch are kept', async () => {
    const now = Date.now();
    const bad: [unknown, RegExp][] = [
      [{ ...good(), x: 'five' }, /^x: /],
      [{ ...good(), tagId: 7 }, /^tagId: /],
      [{ ...good(), tagId: 'T'.repeat(10_000) }, /^tagId: at most 64/],
      [{ ...good(), floorId: 'f'.repeat(100_000) }, /^floorId: /],
      [{ ...good(), ts: 'NaN' }, /ts: not epoch ms or ISO 8601/],
      [{ ...good(), ts: 'Infinity' }, /ts: /],
      [{ ...good(), x: 'NaN' }, /^x: /],
      [{ ...good(), battery: 'NaN' }, /^battery: /],
      [{ ...good(), ts: 0 }, /ts: older than/],
      [{ ...good(), ts: -1 }, /ts: older than/],
      [{ ...good(), ts: '1970-01-01T00:00:00Z' }, /ts: older than/],
      [{ ...good(), ts: now + 365 * 86400_000 }, /in the future/],
      [{ ...good(), ts: '2999-01-01T00:00:00Z' }, /in the future/],
      [{ ...good(), ts: 8.64e15 }, /ts: /],
      [{ ...good(), tagId: 'NOPE' }, /unknown tag NOPE/],
      [{ ...good(), tagId: '王伟😀' }, /unknown tag/],
      [{ ...good(), floorId: 'f9' }, /unknown floor/],
      [{ ...good(), x: 1e300, y: 1 }, /km from the site origin/],
      [{ ...good(), accel: { hz: 100, samples: Array.from({ length: 401 }, () => [0, 0, 1]) } }, /^accel.samples: /],
      [{ ...good(), event: '__proto__' }, /^event: /],
      [{ ...good(), accuracy: -1 }, /^accuracy: /],
      [[1, 2, 3], /./],
      ['a string', /./],
    ];
    const keep = good(6);
    const body = `[${[...bad.map(([f]) => JSON.stringify(f)), JSON.stringify(keep)].join(',')}]`;
    // JSON cannot carry NaN or Infinity; a number too large for a double is how they arrive
    const withHuge = body.replace(/]$/, `,{"tagId":"T2","ts":${tick()},"floorId":"f1","x":1e999,"y":1},{"tagId":"T2","ts":1e999,"floorId":"f1","x":1,"y":1}]`);
    const r = await positions(withHuge);
    expect(r.status).toBe(202);
    expect(r.body.accepted).toBe(1);
    expect(r.body.rejected.map((x) => x.index)).toEqual([...bad.keys(), bad.length + 1, bad.length + 2]);
    bad.forEach(([, reason], i) => expect(r.body.rejected[i].reason, `fix ${i}`).toMatch(reason));
    expect(r.body.rejected[bad.length].reason).toMatch(/^x: /);
    expect(r.body.rejected[bad.length + 1].reason).toMatch(/^ts: /);
  });

  it('/api/v1/positions: a replayed batch is refused fix by fix as duplicates (422), not processed twice', async () => {
    const batch = [good(7), good(7.5)];
    expect((await positions(JSON.stringify(batch))).status).toBe(202);
    const again = await positions(JSON.stringify(batch));
    clear4xx(again, 422);
    // the older one is behind the tag's latest fix, the latest one is a duplicate of it
    expect(again.body.rejected.map((x) => x.code)).toEqual(['out_of_order', 'duplicate']);
  });

  it('/osmand: NaN, Infinity, far timestamps, unknown tags, repeated and huge parameters', async () => {
    const [lon, lat] = server.registry.frame('tiny')!.toLngLat(510, 510);
    const q = (o: Record<string, string>) => `/osmand?${new URLSearchParams({ key: 'demo-gateway-key', id: 'T3', lat: `${lat}`, lon: `${lon}`, timestamp: `${Math.floor(tick(20_000) / 1000)}`, ...o })}`;
    const cases: [Record<string, string>, RegExp][] = [
      [{ lat: 'NaN' }, /lat/],
      [{ lat: 'Infinity' }, /lat/],
      [{ lon: '1e999' }, /lon/],
      [{ lat: '95' }, /lat/],
      [{ timestamp: '0' }, /older than/],
      [{ timestamp: '9999999999' }, /in the future/],
      [{ timestamp: 'NaN' }, /ts/],
      [{ id: 'NOPE' }, /unknown tag/],
      [{ id: 'x'.repeat(5000) }, /tagId/],
      [{ batt: 'NaN' }, /battery/],
      [{ alarm: '__proto__' }, /event/],
      [{ alarm: 'constructor' }, /event/],
    ];
    for (const [o, reason] of cases) clear4xx(await call(server.url, q(o)), 400, reason);
    clear4xx(await call(server.url, `${q({})}&id=T1`), 400, /tagId/);
    const post = await call(server.url, '/osmand?key=demo-gateway-key', { raw: '{"location": {"coords": ', method: 'POST', headers: { 'content-type': 'application/json' } });
    clear4xx(post, 400, /not valid JSON/);
    const traccar = await call(server.url, '/osmand?key=demo-gateway-key', {
      method: 'POST',
      body: { device_id: 'T3', location: { timestamp: 'NaN', coords: { latitude: '1e999', longitude: null }, battery: { level: 'x' }, extras: { alarm: 5 } } },
    });
    clear4xx(traccar, 400);
    expect((await call(server.url, q({}))).status).toBe(200);
  });

  it('/owntracks: malformed JSON, arrays, wrong types, far timestamps, missing or unknown tag', async () => {
    const [lon, lat] = server.registry.frame('tiny')!.toLngLat(511, 511);
    const ot = (body: string, id: string | null = 'T3') =>
      call(server.url, `/owntracks${id === null ? '' : `?id=${encodeURIComponent(id)}`}`, {
        raw: body,
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer demo-gateway-key' },
      });
    const loc = (o: object) => JSON.stringify({ _type: 'location', lat, lon, tst: Math.floor(tick(20_000) / 1000), ...o });
    clear4xx(await ot('{"_type": "location", '), 400, /not valid JSON/);
    clear4xx(await ot('[1,2]'), 400, /OwnTracks JSON object/);
    clear4xx(await ot(loc({ lat: 'x' })), 400, /lat/);
    clear4xx(await ot(loc({ lat: 'NaN' })), 400, /lat/);
    clear4xx(await ot(loc({}).replace(/}$/, ',"acc":1e999}')), 400, /accuracy/);
    clear4xx(await ot(loc({ tst: 1 })), 400, /older than/);
    clear4xx(await ot(loc({ tst: 4_102_444_800 })), 400, /in the future/);
    clear4xx(await ot(loc({}), null), 400, /tagId/);
    clear4xx(await ot(loc({}), 'NOPE'), 400, /unknown tag/);
    clear4xx(await ot(JSON.stringify({ _type: 'location', pad: 'x'.repeat(70 * 1024) })), 413);
    expect((await ot(loc({}))).status).toBe(200);
  });

  it('after all of it the server still serves and a good fix still raises its alert', async () => {
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const before = server.alerts.list().filter((a) => a.kind === 'fall' && a.residentId === 'R1').length;
    const r = await positions(JSON.stringify([{ tagId: 'T1', ts: tick(), floorId: 'f1', x: 5, y: 1.5, event: 'fall' }]));
    expect(r.status).toBe(202);
    const start = Date.now();
    while (server.alerts.list().filter((a) => a.kind === 'fall' && a.residentId === 'R1').length === before && Date.now() - start < 5000) await new Promise((res) => setTimeout(res, 20));
    expect(server.alerts.list().filter((a) => a.kind === 'fall' && a.residentId === 'R1').length).toBe(before + 1);
  });
});
