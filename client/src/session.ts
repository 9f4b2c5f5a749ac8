/** The login survives a reload of the tab (sessionStorage), not the closing of it. Preferences live longer. */
import type { Locale, SessionUser, Theme } from './state/types';

const TOKEN_KEY = 'carewatch.session';
const PREFS_KEY = 'carewatch.prefs';

export interface SavedSession {
  token: string;
  user: SessionUser;
}

export function loadSession(): SavedSession | null {
  try {
    const raw = sessionStorage.getItem(TOKEN_KEY);
    const s = raw ? (JSON.parse(raw) as SavedSession) : null;
    return s && typeof s.token === 'string' && s.user ? s : null;
  } catch {
    return null;
  }
}

export function saveSession(s: SavedSession | null): void {
  try {
    if (s) sessionStorage.setItem(TOKEN_KEY, JSON.stringify(s));
    else sessionStorage.removeItem(TOKEN_KEY);
  } catch {
    // storage disabled: the session lasts as long as the page
  }
}

export interface Prefs {
  locale?: Locale;
  soundOn?: boolean;
  floorId?: string;
  theme?: Theme;
  /** Resident the live map follows (search and follow). */
  followId?: string | null;
}

export function loadPrefs(): Prefs {
  try {
    return JSON.parse(localStorage.getItem(PREFS_KEY) ?? '{}') as Prefs;
  } catch {
    return {};
  }
}

export function savePrefs(patch: Prefs): void {
  try {
    localStorage.setItem(PREFS_KEY, JSON.stringify({ ...loadPrefs(), ...patch }));
  } catch {
    // ignore
  }
}
