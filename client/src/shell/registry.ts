/**
 * The screens the shell can show, each registered once with the roles that may open it (kept in step with the
 * server's grants in server/auth/scope.ts: the UI never offers what the server would refuse). The shell routes
 * `#/<id>/...` to the screen, builds the top-bar tabs from this list, and lands each role on its first screen.
 */
import type { Api } from '../api';
import type { MessageKey } from '../i18n';
import type { Store } from '../state/store';
import type { AlertAction, ClientState, SessionUser } from '../state/types';

export type Role = SessionUser['role'];
export type ScreenId = 'live' | 'city' | 'replay' | 'family' | 'overview' | 'setup';

/** A parsed hash: `#/replay/a-17?before=60000` -> { screen: 'replay', path: ['a-17'], query }. */
export interface ScreenRoute {
  screen: string;
  path: string[];
  query: URLSearchParams;
  /** The hash as it was, for screens that parse it themselves. */
  hash: string;
}

/** What the shell lends a screen. Everything goes through here, so a screen needs no import of main.ts. */
export interface ScreenHost {
  api: Api;
  /** The session token (Web Push subscriptions are tied to it). */
  token: string;
  store: Store;
  /** Server time (ms), as well as the client knows it. */
  clock: () => number;
  /** Go to another screen by hash (`#/live`, `#/replay/<id>`). */
  go: (hash: string) => void;
  act: (alertId: string, action: AlertAction, note: string) => void;
  /** A failed call in words of the UI's language (maps the server's status and error codes). */
  errorText: (err: unknown) => string;
  /** The screen has drawn what it first had to draw (bench and tests wait on it). */
  markReady: (what: string) => void;
}

export interface MountedScreen {
  readonly el: HTMLElement;
  update(state: ClientState, now: number): void;
  /** Once a second: what depends only on the clock. */
  tick?(now: number): void;
  /** The hash changed but stays on this screen. */
  route?(route: ScreenRoute): void;
  destroy(): void;
  /** Screen-specific test and bench hooks, exposed as `window.__carewatch.screen`. */
  readonly hooks?: unknown;
}

export interface ScreenDef {
  id: ScreenId;
  /** Tab label. */
  title: MessageKey;
  roles: readonly Role[];
  /** Lower comes first in the tabs and wins the landing among a role's screens. */
  order: number;
  /** The screen draws its own top bar (the shell then adds neither bar nor banner). */
  ownTopBar?: boolean;
  /** The shell shows the alarm banner above this screen (staff screens). */
  alarmBanner?: boolean;
  mount(host: ScreenHost, route: ScreenRoute): MountedScreen;
}

const screens = new Map<ScreenId, ScreenDef>();

export function registerScreen(def: ScreenDef): void {
  screens.set(def.id, def);
}

export function screenDef(id: string): ScreenDef | undefined {
  return screens.get(id as ScreenId);
}

/** The screens a user may open, in tab order. */
export function screensFor(user: Pick<SessionUser, 'role'> | null): ScreenDef[] {
  if (!user) return [];
  return [...screens.values()].filter((s) => s.roles.includes(user.role)).sort((a, b) => a.order - b.order);
}

/** Where a role lands: its preferred screen when registered, else its first screen, else none. */
const PREFERRED: Record<Role, ScreenId> = {
  nurse: 'live',
  charge_nurse: 'live',
  manager: 'overview',
  admin: 'setup',
  family: 'family',
  regulator: 'overview',
};

export function landingFor(user: Pick<SessionUser, 'role'> | null): ScreenDef | null {
  const mine = screensFor(user);
  return mine.find((s) => user && s.id === PREFERRED[user.role]) ?? mine[0] ?? null;
}

export function parseScreenHash(hash: string): ScreenRoute {
  const raw = hash.replace(/^#/, '');
  const [path, query = ''] = raw.split('?', 2);
  const parts = path.split('/').filter(Boolean);
  return { screen: parts[0] ?? '', path: parts.slice(1), query: new URLSearchParams(query), hash };
}
