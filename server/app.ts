import type { Server as HttpServer } from 'node:http';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { AddressInfo } from 'node:net';
import express, { type NextFunction, type Request, type Response } from 'express';
import pino, { type Logger } from 'pino';
import type { MqttClient } from 'mqtt';
import type { Accounts } from './auth/accounts';
import { openAccounts } from './auth/bootstrap';
import { LOG_REDACT } from './auth/log-redact';
import { AlertService } from './alerts/alert-service';
import { Alarm } from './alerts/alarm';
import { alarmConfigFromEnv, type AlarmConfig } from './alerts/alarm-config';
import { alarmRoutes } from './http/alarm-api';
import { configFromEnv, type Config } from './config';
import { apiRoutes } from './http/api';
import { familyRoutes } from './http/family-api';
import { mapConfigFromEnv, mapOrigins, mapRoutes } from './http/map-api';
import { demoRelative } from './auth/demo';
import { imdfRoutes } from './http/imdf-api';
import { overviewRoutes } from './http/overview-api';
import { setupRoutes } from './http/setup-api';
import { DeviceHealth } from './device-health';
import { cors } from './http/cors';
import { securityHeaders } from './http/security-headers';
import { applyServerLimits } from './http/server-limits';
import { createWebServer } from './http/tls';
import { ingestRoutes } from './ingest/http-ingest';
import { startMqttIngest } from './ingest/mqtt-ingest';
import { FixNormalizer } from './ingest/normalize';
import { Metrics } from './metrics';
import { History } from './history/history';
import { replayRoutes } from './http/replay-api';
import type { GeoPool } from './pipeline/geo-pool';
import { FixPath } from './pipeline/fix-path';
import { LatestPositions } from './positions/latest-positions';
import { Realtime } from './realtime/socket-server';
import { attachRedisAdapter } from './realtime/redis-adapter';
import type { Registry, SiteBundle } from './registry';
import { AlertSinks, alertLogSink, FixSinks } from './sinks';
import { SiteConfig } from './sites/site-config';
import { loadSiteDir, SAMPLE_SITE_DIR } from './site-loader';
import { loadSiteSource } from './imdf-site';
import { createStore, type Store } from './store';
import type { Simulator, SimulatorOptions } from './simulator';

export interface StartOptions extends Partial<Config> {
  /** Extra simulator options (tests shorten the wanderer's first episode). */
  simulatorOptions?: Partial<SimulatorOptions>;
  /** Sites to run instead of loading `siteDir` (tests with tiny fixtures). */
  bundles?: SiteBundle[];
  logger?: Logger;
  /** Alarm chain settings over the environment's (tests shorten retries and polls). */
  alarm?: Partial<AlarmConfig>;
}

export interface RunningServer {
  url: string;
  port: number;
  config: Config;
  registry: Registry;
  store: Store;
  accounts: Accounts;
  alerts: AlertService;
  /** Routing, escalation, webhooks, Web Push, door linkage (server/alerts/alarm.ts). */
  alarm: Alarm;
  fixPath: FixPath;
  /** The geo workers (`fixPath.geo`). */
  geo: GeoPool;
  positions: LatestPositions;
  realtime: Realtime;
  metrics: Metrics;
  simulator: Simulator | null;
  log: Logger;
  close(): Promise<void>;
}

const CLIENT_DIST = fileURLToPath(new URL('../client/dist', import.meta.url));

/** Compose the service: load sites, seed demo, start workers, HTTP, Socket.IO, ingest, simulator. */
export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const { simulatorOptions, bundles: givenBundles, logger, alarm: alarmOverrides, ...overrides } = opts;
  const config: Config = { ...configFromEnv(), ...overrides };
  const log = logger ?? pino({ level: config.logLevel, redact: LOG_REDACT });

  const store: Store = await createStore(config.databaseUrl ?? undefined, config.dataDir);
  log.info({ store: store.kind }, 'store open');
  // sites, zones, residents, tags live in the store; the site files seed it on the first start only
  const seedDir = config.siteDir ?? SAMPLE_SITE_DIR;
  const seed = async () => givenBundles ?? [config.siteDir ? await loadSiteSource(config.siteDir) : await loadSiteDir(SAMPLE_SITE_DIR)];
  const sites = await closeOnError(store, SiteConfig.open(store, { seed, seedSource: givenBundles ? 'start options' : seedDir, log }));
  const registry = sites.registry;
  let bundles = [...registry.sites.keys()].map((id) => registry.bundle(id)!);
  if (config.simulator && config.simExtraTags > 0) {
    const { withSyntheticTags } = await import('./simulator');
    bundles = [withSyntheticTags(bundles[0], config.simExtraTags), ...bundles.slice(1)];
    registry.addRuntimeResidents(bundles[0]); // simulated load: in memory only, never stored
  }
  // demo: the published accounts, loudly; otherwise the store's accounts and the first admin from
  // ADMIN_PASSWORD, or a refusal to start
  const accounts = await closeOnError(store, openAccounts(config, registry, store, log));

  const metrics = new Metrics();
  const app = express();
  const http: HttpServer = createWebServer(config.tls, app);

  // --- the path of a fix (server/pipeline/fix-path.ts; docs/architecture.md) ---
  // Sinks run in the order added; a sink that throws is logged and the next still runs.
  const sinkFailed = (sink: string) => metrics.sinkFailures.inc(1, { sink });
  const fixSinks = new FixSinks(log, sinkFailed);
  const alertSinks = new AlertSinks(log, sinkFailed);
  const alerts = new AlertService(registry, alertSinks, store);
  // what was open or acknowledged before a restart is still open or acknowledged
  alerts.restore([
    ...(await store.listAlerts({ state: 'open', limit: 1000 })),
    ...(await store.listAlerts({ state: 'acknowledged', limit: 1000 })),
  ]);
  const positions = new LatestPositions(registry);
  const realtime = new Realtime(http, accounts, registry, positions, alerts, {
    frameHz: config.frameHz,
    corsOrigins: config.corsOrigins,
    configure: config.redisUrl ? (io) => attachRedisAdapter(io, config.redisUrl!, log) : undefined,
  });
  // History (docs/history.md): the write-ahead log before 202, compressed track rows, recovery after a
  // crash, retention, the replay API. HISTORY=off runs without any of it (only to measure its cost).
  const history = config.history
    ? await History.start(
        { store, registry, log },
        {
          dataDir: config.dataDir,
          retention: { defaultDays: config.historyRetentionDays, bySite: config.historyRetentionBySite },
          retentionIntervalMs: config.historyRetentionIntervalMs,
        },
      )
    : null;

  const devices = new DeviceHealth();
  fixSinks.add(positions).add(realtime.frames).add(devices);
  // the alarm chain (routing, escalation, push, webhooks, doors: issue 9) only queues; after the screens
  const alarm = await Alarm.start({ store, registry, accounts, alerts, log, demo: config.demo }, { ...alarmConfigFromEnv(), ...alarmOverrides });
  alertSinks.add(metrics.alertSink).add(realtime).add(history).add(alarm).add(alertLogSink(log));

  const fixPath = await FixPath.start({
    registry,
    enrich: new FixNormalizer(registry),
    journal: history,
    fixSinks,
    alerts,
    metrics,
    log,
    geoWorkers: config.geoWorkers,
  });
  const geo = fixPath.geo;
  // --- end of the path of a fix ---

  sites.attachGeo(geo);
  if (history) sites.onWorldChange((world) => history.recorder.setWorld(world));
  metrics.gauge('carewatch_geo_inflight_fixes', 'Fixes queued for or inside the geo workers', () => geo.stats.inflightFixes);
  metrics.gauge('carewatch_geo_fixes_processed_total', 'Fixes through zone membership and detectors', () => geo.stats.fixes);
  metrics.gauge('carewatch_geo_dead_workers', 'Geo workers that crashed repeatedly and were not restarted', () => geo.stats.deadWorkers);
  metrics.gauge('carewatch_geo_busy_ms_total', 'Time the geo core spent on fixes and ticks', () => Math.round(geo.stats.busyMs));
  metrics.gauge('carewatch_open_alerts', 'Alerts not yet resolved', () => alerts.list().filter((a) => a.state !== 'resolved').length);
  history?.registerMetrics(metrics);

  const mapAssets = mapConfigFromEnv(process.env);
  app.disable('x-powered-by');
  // behind a reverse proxy the per-IP limits must see the client, not the proxy
  if (config.trustProxy) app.set('trust proxy', config.trustProxy);
  app.use(securityHeaders(mapOrigins(mapAssets)));
  app.use(cors(config.corsOrigins));
  let ready = false;
  app.get('/healthz', (_req, res) => {
    const ok = ready && geo.stats.deadWorkers === 0;
    res.status(ok ? 200 : 503).json({ ok, sites: registry.sites.size, tags: registry.tags.size, deadWorkers: geo.stats.deadWorkers });
  });
  app.get('/metrics', (_req, res) => void res.type('text/plain; version=0.0.4').send(metrics.render()));
  app.use(ingestRoutes(accounts, fixPath, { perKeyPerMinute: config.ingestPerKeyPerMinute }));
  app.use(overviewRoutes({ accounts, registry, alerts, store, devices, log }));
  // before the JSON API: the archive is a zip body
  app.use(imdfRoutes({ accounts, sites, log, rejoin: (username) => realtime.rejoin(username) }));
  app.use(setupRoutes({ accounts, sites, log }));
  app.use(
    apiRoutes({
      accounts,
      registry,
      alerts,
      store,
      positions,
      login: { failuresPerIpPerMinute: config.loginFailuresPerIpPerMinute, failuresPerUserPerMinute: config.loginFailuresPerUserPerMinute },
      log,
      sites,
    }),
  );
  if (history) app.use(replayRoutes({ accounts, registry, alerts, store, log }));
  app.use(familyRoutes({ accounts, registry, store, positions, log }));
  app.use(mapRoutes(mapAssets, accounts));
  app.use(alarmRoutes({ accounts, registry, store, alarm, log }));
  app.use('/api', (_req, res) => void res.status(404).json({ error: 'no such endpoint' }));
  if (existsSync(CLIENT_DIST)) app.use(express.static(CLIENT_DIST, { index: 'index.html', maxAge: '1h' }));
  else log.warn(`client not built (${CLIENT_DIST} missing): run npm run build:client`);
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status ?? 500;
    if (status >= 500) log.error({ err }, 'request failed');
    const message =
      err.type === 'entity.parse.failed'
        ? 'body is not valid JSON'
        : err.type === 'entity.too.large'
          ? 'body too large'
          : status >= 500
            ? 'internal error'
            : err.message;
    res.status(status).json({ error: message });
  });

  await realtime.start();
  const tick = setInterval(() => geo.tick(Date.now()), config.tickMs);
  tick.unref();

  let mqttClient: MqttClient | null = null;
  if (config.mqttUrl) mqttClient = startMqttIngest(config.mqttUrl, config.mqttTopic, config.mqttClientId, accounts, fixPath, log);

  let simulator: Simulator | null = null;
  if (config.simulator) {
    const siteBundle = bundles[0];
    const { Simulator } = await import('./simulator');
    // in demo mode the family account's relative wanders every other episode (server/auth/demo.ts)
    const familyWanderer = config.demo ? (demoRelative(siteBundle.residents)?.id ?? null) : null;
    simulator = new Simulator(siteBundle, { rateHz: config.simRateHz, extraTags: config.simExtraTags, familyWanderer, ...simulatorOptions });
    const simKey = { id: 'simulator', siteId: siteBundle.site.id, tagId: null, keyHash: '' };
    simulator.start((fixes) => {
      fixPath.ingest(fixes, simKey, 'simulator')
        .then((report) => report.rejected.length && log.debug({ rejected: report.rejected.slice(0, 3) }, 'simulator fixes rejected'))
        .catch((err) => log.error({ err }, 'simulator ingest failed'));
    });
  }

  applyServerLimits(http, config.serverLimits, (addr) => (app.get('trust proxy fn') as (a: string, i: number) => boolean)(addr, 0), log);
  await new Promise<void>((resolve) => http.listen(config.port, config.host, resolve));
  const port = (http.address() as AddressInfo).port;
  ready = true;
  const url = `${config.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  log.info({ url, sites: registry.sites.size, residents: registry.residents.size, geoWorkers: config.geoWorkers, simulator: !!simulator }, 'carewatch ready');

  return {
    url,
    port,
    config,
    registry,
    store,
    accounts,
    alerts,
    alarm,
    fixPath,
    geo,
    positions,
    realtime,
    metrics,
    simulator,
    log,
    async close() {
      ready = false;
      simulator?.stop();
      clearInterval(tick);
      mqttClient?.end(true);
      await realtime.close();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await fixPath.close();
      await history?.close();
      await alarm.close();
      await store.close();
    },
  };
}

/** A start that fails once the store is open releases it (its lock, its pool) before failing. */
async function closeOnError<T>(store: Store, step: Promise<T>): Promise<T> {
  try {
    return await step;
  } catch (e) {
    await store.close().catch(() => undefined);
    throw e;
  }
}
