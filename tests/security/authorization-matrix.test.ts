import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../geo/model';
import type { RunningServer } from '../../server/app';
import { canSeeAlert } from '../../server/auth/scope';
import { startTiny } from '../helpers/server';
import {
  call,
  clock,
  connectOutcome,
  createKey,
  createUser,
  emitAck,
  ingest,
  loginAs,
  openSecureSocket,
  raiseSos,
  recorder,
  sleep,
  twoWardSite,
  until,
  type SecureSocket,
} from './helpers';

/**
 * Role x resource x action, over REST and Socket.IO. Every cell that must be refused is asked and
 * must be refused (401/403/404 with a JSON reason and none of the resource's data); the cells that
 * must work are asked too, so a matrix that refuses everything cannot pass.
 *
 * Site "tiny" plus a second ward: R1 (ward 1, family A), R2 (ward 1, family B), R3 (community),
 * R4 (ward 2 on floor f2). Open SOS alerts on R1, R2 and R4.
 */

type Principal =
  | 'admin'
  | 'manager'
  | 'nurse of ward 1'
  | 'family A (of R1)'
  | 'family B (of R2)'
  | 'regulator'
  | 'device key of T1'
  | 'gateway key'
  | 'demo gateway key'
  | 'revoked token'
  | 'forged token'
  | 'no token';

const PEOPLE: Principal[] = ['admin', 'manager', 'nurse of ward 1', 'family A (of R1)', 'family B (of R2)', 'regulator'];
const NOT_PEOPLE: Principal[] = ['device key of T1', 'gateway key', 'demo gateway key', 'revoked token', 'forged token', 'no token'];
const ALL: Principal[] = [...PEOPLE, ...NOT_PEOPLE];

interface Cell {
  /** "read resident R2's live position" */
  what: string;
  method?: 'GET' | 'POST';
  path: (ctx: Ctx) => string;
  body?: unknown;
  /** Who is allowed; everyone else is refused. */
  allow: Principal[];
  /** Allowed cells that change state are not executed (their own tests do that). */
  mutates?: boolean;
}

interface Ctx {
  server: RunningServer;
  tokens: Record<Principal, string>;
  sosR1: Alert;
  sosR2: Alert;
  sosR4: Alert;
  since: number;
  until: number;
}

const STAFF_W1: Principal[] = ['admin', 'manager', 'nurse of ward 1'];
const SITE: Principal[] = ['admin', 'manager'];

const REST: Cell[] = [
  { what: 'list the sites and floor plans', path: () => '/api/v1/sites', allow: PEOPLE },
  { what: 'list residents', path: () => '/api/v1/residents', allow: [...STAFF_W1, 'family A (of R1)', 'family B (of R2)'] },
  { what: "read resident R2's record", path: () => '/api/v1/residents/R2', allow: [...STAFF_W1, 'family B (of R2)'] },
  { what: "read resident R2's live position", path: () => '/api/v1/residents/R2/position', allow: [...STAFF_W1, 'family B (of R2)'] },
  { what: "read resident R2's track", path: (c) => `/api/v1/replay?residentIds=R2&since=${c.since}&until=${c.until}`, allow: STAFF_W1 },
  { what: "read resident R4's record (ward 2)", path: () => '/api/v1/residents/R4', allow: SITE },
  { what: "read resident R4's live position (ward 2)", path: () => '/api/v1/residents/R4/position', allow: SITE },
  { what: "read resident R4's track (ward 2)", path: (c) => `/api/v1/replay?residentIds=R4&since=${c.since}&until=${c.until}`, allow: SITE },
  { what: 'list alerts (they carry names)', path: () => '/api/v1/alerts', allow: [...STAFF_W1, 'family A (of R1)', 'family B (of R2)'] },
  { what: "read R2's SOS alert", path: (c) => `/api/v1/alerts/${c.sosR2.id}`, allow: [...STAFF_W1, 'family B (of R2)'] },
  { what: "read R4's SOS alert (ward 2)", path: (c) => `/api/v1/alerts/${c.sosR4.id}`, allow: SITE },
  { what: "replay the minutes around R2's SOS alert", path: (c) => `/api/v1/alerts/${c.sosR2.id}/replay`, allow: STAFF_W1 },
  { what: "acknowledge R2's SOS alert", method: 'POST', path: (c) => `/api/v1/alerts/${c.sosR2.id}/ack`, body: { note: 'x' }, allow: STAFF_W1, mutates: true },
  { what: "resolve R2's SOS alert", method: 'POST', path: (c) => `/api/v1/alerts/${c.sosR2.id}/resolve`, body: { note: 'x' }, allow: STAFF_W1, mutates: true },
  { what: "acknowledge R1's SOS alert", method: 'POST', path: (c) => `/api/v1/alerts/${c.sosR1.id}/ack`, body: {}, allow: STAFF_W1, mutates: true },
  { what: "acknowledge R4's SOS alert (ward 2)", method: 'POST', path: (c) => `/api/v1/alerts/${c.sosR4.id}/ack`, body: {}, allow: SITE, mutates: true },
  { what: 'read the overview of counts and response times', path: () => '/api/v1/overview', allow: ['admin', 'manager', 'regulator'] },
  { what: 'read the audit log', path: () => '/api/v1/audit', allow: SITE },
  { what: "export resident R2's data", path: () => '/api/v1/residents/R2/export', allow: ['admin'] },
  { what: 'create a resident', method: 'POST', path: () => '/api/v1/residents', body: { name: 'New', siteId: 'tiny', tagId: 'T-new' }, allow: ['admin'], mutates: true },
  { what: 'list ingest keys', path: () => '/api/v1/keys', allow: ['admin'] },
  { what: 'create an ingest key', method: 'POST', path: () => '/api/v1/keys', body: { siteId: 'tiny', tagId: null }, allow: ['admin'], mutates: true },
  { what: 'list accounts', path: () => '/api/v1/users', allow: ['admin'] },
  { what: 'create an account', method: 'POST', path: () => '/api/v1/users', body: { username: 'x-new', password: 'violet-harbour-kettle-42', role: 'admin' }, allow: ['admin'], mutates: true },
];

/** Names and positions that must not leak through a refusal. */
const SECRETS_OF = ['Li Na', 'Chen Jing', 'Wang Wei', '"x":', '"lon":'];

let ctx: Ctx;
const sockets: SecureSocket[] = [];

beforeAll(async () => {
  const server = await startTiny({ bundles: [twoWardSite()] });
  const admin = await loginAs(server.url, 'admin', 'admin-demo');
  const tokens = {
    admin,
    manager: await loginAs(server.url, 'manager', 'manager-demo'),
    'nurse of ward 1': await createUser(server.url, admin, { username: 'nurse-w1', role: 'nurse', wardIds: ['w1'] }),
    'family A (of R1)': await loginAs(server.url, 'family', 'family-demo'),
    'family B (of R2)': await createUser(server.url, admin, { username: 'family-b', role: 'family', residentIds: ['R2'] }),
    regulator: await loginAs(server.url, 'regulator', 'regulator-demo'),
    'device key of T1': (await createKey(server.url, admin, 'T1')).key,
    'gateway key': (await createKey(server.url, admin, null)).key,
    'demo gateway key': 'demo-gateway-key',
    'revoked token': await loginAs(server.url, 'nurse', 'nurse-demo'),
    'forged token': 'Zm9yZ2VkLXRva2VuLXRoYXQtbG9va3MtcmVhbC1lbm91Z2gtdG8tcGFzcw',
    'no token': '',
  } satisfies Record<Principal, string>;
  expect((await call(server.url, '/api/v1/auth/logout', { token: tokens['revoked token'], method: 'POST' })).status).toBe(204);
  const tick = clock();
  const since = tick(0);
  const sosR1 = await raiseSos(server, 'T1', 'f1', tick());
  const sosR2 = await raiseSos(server, 'T2', 'f1', tick());
  const sosR4 = await raiseSos(server, 'T4', 'f2', tick());
  ctx = { server, tokens, sosR1, sosR2, sosR4, since: since - 60_000, until: Date.now() + 60_000 };
});

afterAll(async () => {
  for (const s of sockets) s.close();
  await ctx?.server.close();
});

function assertRefused(r: { status: number; body: unknown }) {
  expect([401, 403, 404]).toContain(r.status);
  expect(typeof (r.body as { error?: unknown })?.error).toBe('string');
  const text = JSON.stringify(r.body);
  for (const s of SECRETS_OF) expect(text).not.toContain(s);
}

describe('REST: every role x resource x action cell', () => {
  for (const cell of REST) {
    for (const who of ALL) {
      const allowed = cell.allow.includes(who);
      if (allowed && cell.mutates) continue;
      it(`${who} ${allowed ? 'may' : 'may not'} ${cell.what}`, async () => {
        const r = await call(ctx.server.url, cell.path(ctx), { token: ctx.tokens[who] || undefined, method: cell.method ?? 'GET', body: cell.body });
        if (allowed) expect(r.status, JSON.stringify(r.body)).toBe(200);
        else assertRefused(r);
      });
    }
  }
});

describe('REST: what an allowed list contains is scoped too', () => {
  const ids = async (who: Principal, path: string) =>
    ((await call<{ id?: string; residentId?: string }[]>(ctx.server.url, path, { token: ctx.tokens[who] })).body ?? []).map((x) => x.residentId ?? x.id).sort();

  it('a nurse of ward 1 lists only the residents of ward 1', async () => {
    expect(await ids('nurse of ward 1', '/api/v1/residents')).toEqual(['R1', 'R2']);
  });
  it('each family member lists only their own relative', async () => {
    expect(await ids('family A (of R1)', '/api/v1/residents')).toEqual(['R1']);
    expect(await ids('family B (of R2)', '/api/v1/residents')).toEqual(['R2']);
  });
  it("family A's alert list holds R1's alerts only, and only wandering, fall and SOS kinds", async () => {
    const t = clock(Date.now() - 30_000);
    await ingest(ctx.server.url, [{ tagId: 'T1', ts: t(), floorId: 'f1', x: 3.2, y: 1.5, accuracy: 0.3, battery: 5 }]);
    await until(() => ctx.server.alerts.list().find((a) => a.residentId === 'R1' && a.kind === 'low_battery'), 5000, 'low battery');
    const list = (await call<Alert[]>(ctx.server.url, '/api/v1/alerts', { token: ctx.tokens['family A (of R1)'] })).body;
    expect(list.length).toBeGreaterThan(0);
    expect(new Set(list.map((a) => a.residentId))).toEqual(new Set(['R1']));
    expect(list.some((a) => a.kind === 'low_battery')).toBe(false);
  });
  it('a nurse of ward 1 lists no alert of ward 2', async () => {
    const list = (await call<Alert[]>(ctx.server.url, '/api/v1/alerts', { token: ctx.tokens['nurse of ward 1'] })).body;
    expect(list.some((a) => a.residentId === 'R4')).toBe(false);
    expect(list.some((a) => a.residentId === 'R2')).toBe(true);
  });
  it('refusals say why: a role that may not (403) differs from an object out of scope (404)', async () => {
    const fam = await call<{ error: string }>(ctx.server.url, `/api/v1/alerts/${ctx.sosR2.id}/ack`, { token: ctx.tokens['family B (of R2)'], body: {} });
    expect(fam.status).toBe(403);
    expect(fam.body.error).toMatch(/family role may not acknowledge/);
    const other = await call(ctx.server.url, `/api/v1/alerts/${ctx.sosR2.id}`, { token: ctx.tokens['family A (of R1)'] });
    expect(other.status).toBe(404);
    const key = await call<{ error: string }>(ctx.server.url, '/api/v1/residents', { token: ctx.tokens['gateway key'] });
    expect(key.status).toBe(403);
    expect(key.body.error).toMatch(/keys may only ingest/);
    const reg = await call<{ error: string }>(ctx.server.url, '/api/v1/residents', { token: ctx.tokens.regulator });
    expect(reg.status).toBe(403);
  });
  it('a nurse of the ward acknowledges and resolves R2\'s alert; the family sees the new state', async () => {
    const ack = await call<Alert>(ctx.server.url, `/api/v1/alerts/${ctx.sosR2.id}/ack`, { token: ctx.tokens['nurse of ward 1'], body: { note: 'on my way' } });
    expect(ack.status).toBe(200);
    expect(ack.body.state).toBe('acknowledged');
    const seen = await call<Alert>(ctx.server.url, `/api/v1/alerts/${ctx.sosR2.id}`, { token: ctx.tokens['family B (of R2)'] });
    expect(seen.body.state).toBe('acknowledged');
  });
});

describe('Socket.IO: the same matrix for connections, joins and pushed events', () => {
  const people = new Map<Principal, SecureSocket>();
  const recorded = new Map<Principal, ReturnType<typeof recorder>>();

  beforeAll(async () => {
    for (const who of PEOPLE) {
      const s = await openSecureSocket(ctx.server.url, ctx.tokens[who]);
      sockets.push(s);
      people.set(who, s);
      recorded.set(who, recorder(s));
    }
  });

  for (const who of NOT_PEOPLE) {
    it(`${who} cannot open a socket`, async () => {
      const out = await connectOutcome(ctx.server.url, ctx.tokens[who]);
      expect(out.socket).toBeNull();
      if (who.endsWith('key') || who === 'device key of T1') expect(out.error).toMatch(/keys may only ingest/);
      else expect(out.error).toMatch(/unauthorised/);
    });
  }

  const joins: { what: string; event: 'floor:subscribe' | 'resident:locate'; payload: unknown; allow: Principal[] }[] = [
    { what: 'watch the live map of floor f1 (ward 1)', event: 'floor:subscribe', payload: { floorId: 'f1' }, allow: STAFF_W1 },
    { what: 'watch the live map of floor f2 (ward 2)', event: 'floor:subscribe', payload: { floorId: 'f2' }, allow: SITE },
    { what: 'watch the outdoor map (community residents)', event: 'floor:subscribe', payload: { floorId: 'out' }, allow: SITE },
    { what: 'locate resident R2', event: 'resident:locate', payload: { residentId: 'R2' }, allow: [...STAFF_W1, 'family B (of R2)'] },
    { what: 'locate resident R1', event: 'resident:locate', payload: { residentId: 'R1' }, allow: [...STAFF_W1, 'family A (of R1)'] },
    { what: 'locate resident R4 (ward 2)', event: 'resident:locate', payload: { residentId: 'R4' }, allow: SITE },
  ];
  for (const j of joins) {
    for (const who of PEOPLE) {
      const allowed = j.allow.includes(who);
      it(`${who} ${allowed ? 'may' : 'may not'} ${j.what}`, async () => {
        const r = await emitAck<unknown>(people.get(who)!, j.event, j.payload);
        expect(r.ok, JSON.stringify(r)).toBe(allowed);
        if (!r.ok) {
          expect(r.error).toBeTruthy();
          for (const s of SECRETS_OF) expect(JSON.stringify(r)).not.toContain(s);
        }
      });
    }
  }

  it('each socket is pushed exactly the alerts its user may read over REST, and nothing else', async () => {
    const t = clock(Date.now() - 20_000);
    // new alerts after the sockets connected: a fall for R2 and R4, a low battery for R2; R1 moves
    await ingest(ctx.server.url, [
      { tagId: 'T1', ts: t(), floorId: 'f1', x: 3.3, y: 1.5, accuracy: 0.3 },
      { tagId: 'T2', ts: t(), floorId: 'f1', x: 3.1, y: 1.5, accuracy: 0.3, event: 'fall' },
      { tagId: 'T2', ts: t(), floorId: 'f1', x: 3.2, y: 1.5, accuracy: 0.3, battery: 4 },
      { tagId: 'T4', ts: t(), floorId: 'f2', x: 3.1, y: 1.5, accuracy: 0.3, event: 'fall' },
    ]);
    const admin = recorded.get('admin')!;
    await until(() => admin.alert.filter((a) => a.kind === 'fall').length >= 2 && admin.alert.some((a) => a.kind === 'low_battery' && a.residentId === 'R2'), 5000, 'alerts at the admin');
    await sleep(200);
    const raised = admin.alert;
    for (const who of PEOPLE) {
      const me = (await call<{ username: string }>(ctx.server.url, '/api/v1/me', { token: ctx.tokens[who] })).body as never;
      const expected = new Set(raised.filter((a) => canSeeAlert(me, a)).map((a) => `${a.id}:${a.state}`));
      const got = new Set(recorded.get(who)!.alert.filter((a) => raised.some((x) => x.id === a.id)).map((a) => `${a.id}:${a.state}`));
      expect([...got].sort(), who).toEqual([...expected].sort());
    }
    const kinds = (who: Principal) => recorded.get(who)!.alert.map((a) => `${a.residentId}:${a.kind}`);
    expect(kinds('nurse of ward 1')).not.toContain('R4:fall');
    expect(kinds('family B (of R2)')).toContain('R2:fall');
    expect(kinds('family B (of R2)')).not.toContain('R2:low_battery');
    expect(kinds('family A (of R1)').every((k) => k.startsWith('R1:'))).toBe(true);
    expect(recorded.get('regulator')!.alert).toEqual([]);
  });

  it('family sockets get no floor frames, only their own relative in the position stream', async () => {
    for (const who of ['family A (of R1)', 'family B (of R2)', 'regulator'] as const) expect(recorded.get(who)!.frame).toEqual([]);
    const mine = { 'family A (of R1)': 'R1', 'family B (of R2)': 'R2' } as const;
    for (const [who, rid] of Object.entries(mine) as [Principal, string][]) {
      // pushed when the relative's alert opened; on a loaded machine it can trail the admin's copy of the alert
      await until(() => recorded.get(who)!.position.length > 0, 5000, `a position pushed to ${who}`);
      const positions = recorded.get(who)!.position;
      expect(new Set(positions.map((p) => p.residentId))).toEqual(new Set([rid]));
    }
    for (const who of ['admin', 'manager', 'nurse of ward 1', 'regulator'] as const) expect(recorded.get(who)!.position).toEqual([]);
  });
});

describe('an expired token is refused everywhere', () => {
  let short: RunningServer;
  let token: string;
  let earlySocket: SecureSocket;
  beforeAll(async () => {
    short = await startTiny({ bundles: [twoWardSite()], sessionTtlMs: 1500 });
    token = await loginAs(short.url, 'admin', 'admin-demo');
    earlySocket = await openSecureSocket(short.url, token);
    expect((await call(short.url, '/api/v1/residents', { token })).status).toBe(200);
    await sleep(1900);
  });
  afterAll(async () => {
    earlySocket?.close();
    await short?.close();
  });

  it('on every REST resource of the matrix', async () => {
    const fake = { ...ctx, server: short };
    for (const cell of REST) {
      const r = await call(short.url, cell.path(fake), { token, method: cell.method ?? 'GET', body: cell.body });
      expect(r.status, cell.what).toBe(401);
    }
  });
  it('on a new socket, and a socket opened before the expiry was closed by it', async () => {
    const out = await connectOutcome(short.url, token);
    expect(out.error).toMatch(/unauthorised/);
    expect(earlySocket.connected).toBe(false);
  });
});
