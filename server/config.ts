import { availableParallelism, hostname } from 'node:os';
import { serverLimitsFromEnv, type ServerLimits } from './http/server-limits';
import { tlsFromEnv, type TlsFiles } from './http/tls';

/** Everything the server reads from the environment, in one place (documented in the README). */
export interface Config {
  port: number;
  host: string;
  /** Seeds demo accounts and the demo gateway key; refused outside demo mode. */
  demo: boolean;
  simulator: boolean;
  /** Directory of the institution to load (site.json, zones.geojson, residents.json, tags.json). */
  siteDir: string | null;
  geoWorkers: number;
  frameHz: number;
  tickMs: number;
  redisUrl: string | null;
  mqttUrl: string | null;
  mqttTopic: string;
  /** Stable per node: with a persistent session the broker keeps QoS 1 fixes while this node restarts. */
  mqttClientId: string;
  databaseUrl: string | null;
  dataDir: string;
  logLevel: string;
  /** Express `trust proxy` (e.g. `loopback` or a hop count) when a reverse proxy fronts the service. */
  trustProxy: string | null;
  /** Synthetic extra simulated tags, for load. */
  simExtraTags: number;
  simRateHz: number;
  /** Track history and the write-ahead log of accepted fixes (docs/history.md); off only to measure its cost. */
  history: boolean;
  /** Track rows older than this are deleted (SPEC §9); alerts and audit are kept (docs/history.md). */
  historyRetentionDays: number;
  /** Per-site retention overrides, days: HISTORY_RETENTION_SITES="hn1=60,tiny=7". */
  historyRetentionBySite: Record<string, number>;
  /** How often the retention job runs, ms. */
  historyRetentionIntervalMs: number;
  /** Outside demo mode: the first admin's username (created when no admin exists yet). */
  adminUsername: string;
  /** Outside demo mode: the first admin's password; a demo, default or weak one stops the start. Never logged. */
  adminPassword: string | null;
  /** Accounts and ingest keys outside demo mode (hashed; mode 0600). Default `<dataDir>/accounts.json`. */
  accountsFile: string | null;
  /** Sessions end this long after login. */
  sessionTtlMs: number;
  /** Failed logins allowed per client IP per minute. */
  loginFailuresPerIpPerMinute: number;
  /** Failed logins allowed per username per minute (whatever the IP). */
  loginFailuresPerUserPerMinute: number;
  /** Ingest requests per device/gateway key per minute. */
  ingestPerKeyPerMinute: number;
  /** Browser origins allowed to call the API cross-origin (CORS_ORIGINS, comma-separated); empty: none. */
  corsOrigins: string[];
  /** HTTP timeouts and connection caps (server/http/server-limits.ts). */
  serverLimits: ServerLimits;
  /** Native HTTPS from TLS_CERT and TLS_KEY (PEM files); null: plain HTTP, TLS at a proxy (docs/tls.md). */
  tls: TlsFiles | null;
}

function int(v: string | undefined, d: number, name: string): number {
  if (v === undefined || v === '') return d;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${v}"`);
  return n;
}

function flag(v: string | undefined, d: boolean): boolean {
  if (v === undefined || v === '') return d;
  return !['0', 'off', 'false', 'no'].includes(v.toLowerCase());
}

export function configFromEnv(env: NodeJS.ProcessEnv = process.env): Config {
  const demo = flag(env.DEMO, true);
  return {
    port: int(env.PORT, 8080, 'PORT'),
    host: env.HOST ?? '0.0.0.0',
    demo,
    simulator: flag(env.SIMULATOR, demo),
    siteDir: env.SITE_DIR || null,
    // one core stays with HTTP, Socket.IO and alert routing
    geoWorkers: int(env.GEO_WORKERS, Math.max(1, Math.min(4, availableParallelism() - 1)), 'GEO_WORKERS'),
    frameHz: int(env.FRAME_HZ, 4, 'FRAME_HZ') || 4,
    tickMs: int(env.TICK_MS, 1000, 'TICK_MS') || 1000,
    redisUrl: env.REDIS_URL || null,
    mqttUrl: env.MQTT_URL || null,
    mqttTopic: env.MQTT_TOPIC || 'carewatch/+/fixes',
    mqttClientId: env.MQTT_CLIENT_ID || `carewatch-${hostname()}`,
    databaseUrl: env.DATABASE_URL || null,
    dataDir: env.DATA_DIR || './data',
    logLevel: env.LOG_LEVEL || 'info',
    trustProxy: env.TRUST_PROXY || null,
    simExtraTags: int(env.SIM_EXTRA_TAGS, 0, 'SIM_EXTRA_TAGS'),
    simRateHz: int(env.SIM_RATE_HZ, 1, 'SIM_RATE_HZ') || 1,
    history: flag(env.HISTORY, true),
    historyRetentionDays: int(env.HISTORY_RETENTION_DAYS, 30, 'HISTORY_RETENTION_DAYS') || 30,
    historyRetentionBySite: retentionBySite(env.HISTORY_RETENTION_SITES),
    historyRetentionIntervalMs: int(env.HISTORY_RETENTION_INTERVAL_MS, 3600_000, 'HISTORY_RETENTION_INTERVAL_MS') || 3600_000,
    adminUsername: env.ADMIN_USERNAME || 'admin',
    adminPassword: env.ADMIN_PASSWORD || null,
    accountsFile: env.ACCOUNTS_FILE || null,
    sessionTtlMs: (int(env.SESSION_TTL_MINUTES, 720, 'SESSION_TTL_MINUTES') || 720) * 60_000,
    loginFailuresPerIpPerMinute: int(env.LOGIN_FAILURES_PER_IP, 10, 'LOGIN_FAILURES_PER_IP') || 10,
    loginFailuresPerUserPerMinute: int(env.LOGIN_FAILURES_PER_USER, 5, 'LOGIN_FAILURES_PER_USER') || 5,
    ingestPerKeyPerMinute: int(env.INGEST_PER_KEY_PER_MINUTE, 60_000, 'INGEST_PER_KEY_PER_MINUTE') || 60_000,
    corsOrigins: corsOrigins(env.CORS_ORIGINS),
    serverLimits: serverLimitsFromEnv(env),
    tls: tlsFromEnv(env),
  };
}

/** "https://a.example, https://b.example" -> exact origins; a malformed entry is an error at start. */
function corsOrigins(v: string | undefined): string[] {
  const out: string[] = [];
  for (const part of (v ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    let origin: string;
    try {
      origin = new URL(part).origin;
    } catch {
      origin = 'null';
    }
    if (origin === 'null' || origin !== part.replace(/\/$/, '')) throw new Error(`CORS_ORIGINS: expected origins like https://care.example.org, got "${part}"`);
    out.push(origin);
  }
  return out;
}

/** "hn1=60,tiny=7" -> { hn1: 60, tiny: 7 }; a typo is an error at start, not a silent default. */
function retentionBySite(v: string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of (v ?? '').split(',').map((p) => p.trim()).filter(Boolean)) {
    const [site, days] = part.split('=');
    const n = Number(days);
    if (!site || !Number.isInteger(n) || n < 1) throw new Error(`HISTORY_RETENTION_SITES: expected site=days (days >= 1), got "${part}"`);
    out[site.trim()] = n;
  }
  return out;
}
