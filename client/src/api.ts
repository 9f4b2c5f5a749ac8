/** The REST API on the same origin. */
import type { Alert, AlertState } from '../../geo/model';
import type { ResidentDto, SessionUser, SiteDto } from './state/types';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The server's machine-readable `code`, when it sends one. */
    readonly code?: string,
  ) {
    super(message);
  }
}

async function request<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let data: unknown = undefined;
  try {
    data = text ? JSON.parse(text) : undefined;
  } catch {
    // a proxy's HTML error page: keep the status
  }
  if (!res.ok) {
    const error = (data as { error?: unknown } | undefined)?.error;
    const nested = (error as { message?: unknown } | undefined)?.message;
    const msg =
      (typeof error === 'string' && error) ||
      (typeof nested === 'string' && nested) ||
      res.statusText ||
      `HTTP ${res.status}`;
    const code = (data as { code?: unknown } | undefined)?.code;
    throw new ApiError(res.status, msg, typeof code === 'string' ? code : undefined);
  }
  return data as T;
}

export interface LoginResult {
  token: string;
  user: SessionUser;
}

export function login(username: string, password: string): Promise<LoginResult> {
  return request('POST', '/api/v1/auth/login', null, { username, password });
}

export interface Api {
  sites(): Promise<SiteDto[]>;
  residents(): Promise<ResidentDto[]>;
  alerts(state: AlertState): Promise<Alert[]>;
  acknowledge(id: string, note: string): Promise<Alert>;
  resolve(id: string, note: string): Promise<Alert>;
  /** Revoke the token on the server; best effort (signing out works offline too). */
  logout(): Promise<void>;
  /** An authenticated GET of any JSON endpoint (the replay pages). */
  getJson<T>(path: string): Promise<T>;
  /** An authenticated GET of a file (exports): the body and the name the server suggests. */
  download(path: string): Promise<{ blob: Blob; filename: string | null }>;
  /** An authenticated JSON call of any method (the setup screen's writes). */
  send<T>(method: 'POST' | 'PUT' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T>;
  /** An authenticated POST of a file as the raw body (an IMDF zip). */
  upload<T>(path: string, file: Blob, contentType: string): Promise<T>;
}

/** Authenticated calls; a 401 means the session is over and `onUnauthorized` runs (then the call still fails). */
export function createApi(token: string, onUnauthorized: () => void): Api {
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    try {
      return await request<T>(method, path, token, body);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) onUnauthorized();
      throw err;
    }
  };
  const note = (n: string) => (n.trim() ? { note: n.trim() } : {});
  return {
    sites: () => call('GET', '/api/v1/sites'),
    residents: () => call('GET', '/api/v1/residents'),
    alerts: (state) => call('GET', `/api/v1/alerts?state=${encodeURIComponent(state)}`),
    acknowledge: (id, n) => call('POST', `/api/v1/alerts/${encodeURIComponent(id)}/ack`, note(n)),
    resolve: (id, n) => call('POST', `/api/v1/alerts/${encodeURIComponent(id)}/resolve`, note(n)),
    logout: () => request<void>('POST', '/api/v1/auth/logout', token).catch(() => undefined),
    getJson: (path) => call('GET', path),
    send: (method, path, body) => call(method, path, body),
    upload: async (path, file, contentType) => {
      const res = await fetch(path, { method: 'POST', headers: { Authorization: `Bearer ${token}`, 'Content-Type': contentType }, body: file });
      const data = (await res.json().catch(() => ({}))) as { error?: unknown; code?: unknown };
      if (!res.ok) {
        if (res.status === 401) onUnauthorized();
        throw new ApiError(res.status, typeof data.error === 'string' ? data.error : res.statusText, typeof data.code === 'string' ? data.code : undefined);
      }
      return data as never;
    },
    download: async (path) => {
      const res = await fetch(path, { headers: { Authorization: `Bearer ${token}` } });
      if (!res.ok) {
        if (res.status === 401) onUnauthorized();
        let msg = res.statusText || `HTTP ${res.status}`;
        try {
          const body = (await res.json()) as { error?: unknown };
          if (typeof body.error === 'string') msg = body.error;
        } catch {
          // not JSON: keep the status text
        }
        throw new ApiError(res.status, msg);
      }
      const disposition = res.headers.get('Content-Disposition') ?? '';
      const m = /filename="?([^";]+)"?/i.exec(disposition);
      return { blob: await res.blob(), filename: m ? decodeURIComponent(m[1]) : null };
    },
  };
}
