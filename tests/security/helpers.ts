import { io as connect, type Socket } from 'socket.io-client';
import type { Alert, Resident, Zone } from '../../geo/model';
import type { RunningServer } from '../../server/app';
import type { SessionUser } from '../../server/contract';
import type { ClientToServerEvents as SecureClientToServerEvents, LivePosition, ServerToClientEvents as SecureServerToClientEvents } from '../../server/contract';
import type { SiteBundle } from '../../server/registry';
import { tinySite } from '../fixtures/tiny-site';

export type SecureSocket = Socket<SecureServerToClientEvents, SecureClientToServerEvents>;

/** A password the policy accepts, for accounts the tests create. */
export const STRONG = 'violet-harbour-kettle-42';

const rect = (x0: number, y0: number, x1: number, y1: number): [number, number][][] => [
  [
    [x0, y0],
    [x1, y0],
    [x1, y1],
    [x0, y1],
    [x0, y0],
  ],
];

/**
 * The tiny site plus a second ward on a second floor (f2, ward w2) with one resident, R4 on tag
 * T4: enough to show a nurse of ward 1 cannot watch ward 2. A copy: tests/fixtures stays as it is.
 */
export function twoWardSite(): SiteBundle {
  const b = tinySite();
  b.site.floors.push({ id: 'f2', buildingId: 'b1', ordinal: 1, name: '2F', elevationM: 3.5 });
  b.site.wards.push({ id: 'w2', name: 'Ward 2', floorIds: ['f2'] });
  const zones: Zone[] = [
    { id: 'w2-area', kind: 'ward', name: 'Ward 2', floorId: 'f2', polygon: rect(0, 0, 30, 13) },
    { id: 'corr2', kind: 'corridor', name: 'Corridor 2F', floorId: 'f2', polygon: rect(0, 0, 30, 3) },
    { id: 'r4', kind: 'room', name: 'Room 4', floorId: 'f2', polygon: rect(0, 3, 6, 13), use: 'bedroom' },
    { id: 'r4-bed', kind: 'bed', name: 'Bed 4', floorId: 'f2', polygon: rect(1, 9, 2, 11.1) },
    { id: 'r4-bath', kind: 'bathroom', name: 'Bathroom 4', floorId: 'f2', polygon: rect(4, 10, 6, 13) },
  ];
  b.zones.push(...zones);
  const r4: Resident = {
    id: 'R4',
    siteId: 'tiny',
    name: 'Chen Jing',
    wardId: 'w2',
    tagId: 'T4',
    wanderRisk: false,
    fallRisk: true,
    roomZoneId: 'r4',
    bedZoneId: 'r4-bed',
    bathroomZoneId: 'r4-bath',
    safeZoneIds: [],
    forbiddenZoneIds: [],
    homeZoneId: null,
    community: false,
  };
  b.residents.push(r4);
  b.tags.push({ id: 'T4', kind: 'indoor', residentId: 'R4', siteId: 'tiny' });
  return b;
}

export async function call<T = unknown>(
  url: string,
  path: string,
  opts: { token?: string; method?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const headers: Record<string, string> = { ...(opts.headers ?? {}) };
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | undefined;
  if (opts.raw !== undefined) body = opts.raw;
  else if (opts.body !== undefined) body = JSON.stringify(opts.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${path}`, { method: opts.method ?? (body !== undefined ? 'POST' : 'GET'), headers, body });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    /* not JSON: keep the text */
  }
  return { status: res.status, body: parsed as T, headers: res.headers };
}

export async function loginAs(url: string, username: string, password: string, totp?: string): Promise<string> {
  const r = await call<{ token: string }>(url, '/api/v1/auth/login', { body: { username, password, ...(totp ? { totp } : {}) } });
  if (r.status !== 200) throw new Error(`login ${username}: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body.token;
}

/** Create an account through the admin API (the way an institution would) and log it in. */
export async function createUser(
  url: string,
  adminToken: string,
  spec: { username: string; role: SessionUser['role']; wardIds?: string[]; residentIds?: string[]; siteIds?: string[] },
): Promise<string> {
  const r = await call(url, '/api/v1/users', { token: adminToken, body: { password: STRONG, ...spec } });
  if (r.status !== 201) throw new Error(`create ${spec.username}: ${r.status} ${JSON.stringify(r.body)}`);
  return loginAs(url, spec.username, STRONG);
}

export async function createKey(url: string, adminToken: string, tagId: string | null): Promise<{ id: string; key: string }> {
  const r = await call<{ id: string; key: string }>(url, '/api/v1/keys', { token: adminToken, body: { siteId: 'tiny', tagId, label: 'test' } });
  if (r.status !== 201) throw new Error(`create key: ${r.status} ${JSON.stringify(r.body)}`);
  return r.body;
}

export function socketOf(url: string, token: string): SecureSocket {
  return connect(url, { auth: { token }, transports: ['websocket'], reconnection: false, forceNew: true }) as SecureSocket;
}

/** Connected (hello received) or the connect error's message. */
export function connectOutcome(url: string, token: string): Promise<{ socket: SecureSocket; error: null } | { socket: null; error: string }> {
  const socket = socketOf(url, token);
  return new Promise((resolve) => {
    socket.once('hello', () => resolve({ socket, error: null }));
    socket.once('connect_error', (e) => {
      socket.close();
      resolve({ socket: null, error: e.message });
    });
  });
}

export async function openSecureSocket(url: string, token: string): Promise<SecureSocket> {
  const out = await connectOutcome(url, token);
  if (!out.socket) throw new Error(`socket refused: ${out.error}`);
  return out.socket;
}

export function emitAck<T>(socket: SecureSocket, event: 'floor:subscribe' | 'resident:locate', payload: unknown): Promise<{ ok: true; data: T } | { ok: false; error: string }> {
  return new Promise((resolve) => (socket.emit as (e: string, p: unknown, ack: (r: unknown) => void) => void)(event, payload, (r) => resolve(r as never)));
}

/** Collect everything a socket is sent, by event name. */
export function recorder(socket: SecureSocket) {
  const got: { alert: Alert[]; frame: { floorId: string; items: { r: string }[] }[]; position: LivePosition[] } = { alert: [], frame: [], position: [] };
  socket.on('alert', (a) => got.alert.push(a));
  socket.on('frame', (f) => got.frame.push(f));
  socket.on('resident:position', (p) => got.position.push(p));
  return got;
}

export async function until<T>(probe: () => T | undefined | null | false, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const t0 = Date.now();
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Fix times move forward across a file: the server refuses a tag's fixes that go back in time. */
export function clock(start = Date.now() - 600_000) {
  let t = start;
  return (ms = 1000) => (t += ms);
}

export function ingest(url: string, fixes: unknown, key = 'demo-gateway-key') {
  return call<{ accepted: number; rejected: { index: number; code: string; reason: string }[] }>(url, '/api/v1/positions', {
    headers: { authorization: `Bearer ${key}` },
    body: fixes,
  });
}

/** Raise an SOS for a resident's tag and wait until the server holds it. */
export async function raiseSos(server: RunningServer, tagId: string, floorId: string, ts: number, key = 'demo-gateway-key'): Promise<Alert> {
  const res = await ingest(server.url, [{ tagId, ts, floorId, x: 3, y: 1.5, accuracy: 0.3, event: 'sos' }], key);
  if (res.status !== 202) throw new Error(`sos ${tagId}: ${res.status} ${JSON.stringify(res.body)}`);
  return until(() => server.alerts.list({ state: 'open' }).find((a) => a.tagId === tagId && a.kind === 'sos'), 5000, `sos of ${tagId}`);
}
