import { availableParallelism, hostname } from 'node:os';

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
  /** Synthetic extra simulated tags, for load. */
  simExtraTags: number;
  simRateHz: number;
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
    simExtraTags: int(env.SIM_EXTRA_TAGS, 0, 'SIM_EXTRA_TAGS'),
    simRateHz: int(env.SIM_RATE_HZ, 1, 'SIM_RATE_HZ') || 1,
  };
}
