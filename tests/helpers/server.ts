import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { io as connect, type Socket } from 'socket.io-client';
import type { Alert } from '../../geo/model';
import { startServer, type RunningServer, type StartOptions } from '../../server/app';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract';
import { tinySite } from '../fixtures/tiny-site';

export type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

/** A real server on a free port with the tiny fixture site, no simulator, quiet logs. */
export function startTiny(opts: StartOptions = {}): Promise<RunningServer> {
  return startServer({
    port: 0,
    host: '127.0.0.1',
    demo: true,
    simulator: false,
    geoWorkers: 1,
    bundles: [tinySite()],
    logger: pino({ level: 'silent' }),
    // each server its own embedded store, so test files running side by side never share one
    dataDir: mkdtempSync(join(tmpdir(), 'carewatch-test-')),
    ...opts,
  });
}

export async function login(url: string, username: string, password = `${username}-demo`): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (res.status !== 200) throw new Error(`login ${username}: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { token: string }).token;
}

export async function openSocket(url: string, token: string): Promise<ClientSocket> {
  const socket: ClientSocket = connect(url, { auth: { token }, transports: ['websocket'], reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once('hello', () => resolve());
    socket.once('connect_error', reject);
  });
  return socket;
}

export function nextAlert(socket: ClientSocket, pred: (a: Alert) => boolean, timeoutMs = 5000): Promise<Alert> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      socket.off('alert', on);
      reject(new Error('no matching alert in time'));
    }, timeoutMs);
    const on = (a: Alert) => {
      if (!pred(a)) return;
      clearTimeout(t);
      socket.off('alert', on);
      resolve(a);
    };
    socket.on('alert', on);
  });
}

export function postFixes(url: string, fixes: unknown, key = 'demo-gateway-key'): Promise<Response> {
  return fetch(`${url}/api/v1/positions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
    body: typeof fixes === 'string' ? fixes : JSON.stringify(fixes),
  });
}

export async function api<T = unknown>(url: string, token: string, path: string, init: RequestInit = {}): Promise<{ status: number; body: T }> {
  const res = await fetch(`${url}${path}`, {
    ...init,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(init.headers ?? {}) },
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T };
}
