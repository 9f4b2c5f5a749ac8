import express, { type Request, type Response, type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Accounts, IngestKey } from '../auth/accounts';
import type { FixIntake } from './intake';
import { MAX_BATCH } from './fix-schema';

/** Bearer header, HTTP Basic password (OwnTracks), or `key` query parameter (OsmAnd URLs). */
export function ingestKeyOf(req: Request, accounts: Accounts): IngestKey | null {
  const h = req.headers.authorization ?? '';
  let key: string | null = null;
  if (h.startsWith('Bearer ')) key = h.slice(7).trim();
  else if (h.startsWith('Basic ')) {
    const decoded = Buffer.from(h.slice(6), 'base64').toString('utf8');
    key = decoded.slice(decoded.indexOf(':') + 1);
  } else if (typeof req.query.key === 'string') key = req.query.key;
  if (key !== null && key.length > 512) return null;
  return key ? accounts.ingestKey(key) : null;
}

const OSMAND_ALARMS: Record<string, string> = {
  sos: 'sos',
  fall: 'fall',
  falldown: 'fall',
  tampering: 'tamper',
  removing: 'tamper',
  button: 'button',
};

/** An OsmAnd / Traccar Client report (query string, form body, or Traccar's JSON) as a native fix. */
export function osmandToFix(q: Record<string, unknown>, body: unknown): Record<string, unknown> {
  const b = body as { location?: { coords?: Record<string, unknown>; timestamp?: unknown; battery?: { level?: unknown }; extras?: { alarm?: unknown } }; device_id?: unknown } | undefined;
  if (b && typeof b === 'object' && b.location && typeof b.location === 'object') {
    // Traccar Client >= 8 posts JSON shaped like the background-geolocation plugin's location
    const c = b.location.coords ?? {};
    const level = typeof b.location.battery?.level === 'number' ? b.location.battery.level : undefined;
    return clean({
      tagId: b.device_id,
      ts: b.location.timestamp,
      lat: c.latitude,
      lon: c.longitude,
      alt: c.altitude,
      accuracy: c.accuracy,
      battery: level !== undefined ? (level <= 1 ? level * 100 : level) : undefined,
      event: alarmOf(b.location.extras?.alarm),
    });
  }
  const p = { ...(typeof body === 'object' && body ? (body as Record<string, unknown>) : {}), ...q };
  const num = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : typeof v === 'number' ? v : undefined);
  let lat = num(p.lat);
  let lon = num(p.lon);
  if (lat === undefined && typeof p.location === 'string') [lat, lon] = p.location.split(',').map(Number);
  return clean({
    tagId: p.id ?? p.deviceid,
    ts: p.timestamp === undefined ? undefined : /^\d+(\.\d+)?$/.test(String(p.timestamp)) ? Number(p.timestamp) : String(p.timestamp),
    lat,
    lon,
    alt: num(p.altitude),
    accuracy: num(p.accuracy) ?? num(p.hdop),
    battery: num(p.batt) ?? num(p.battery),
    event: alarmOf(p.alarm),
  });
}

function alarmOf(v: unknown): string | undefined {
  return typeof v === 'string' ? OSMAND_ALARMS[v.toLowerCase()] ?? v : undefined;
}

function clean(o: Record<string, unknown>): Record<string, unknown> {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

/** OwnTracks `_type: location` as a native fix; the tag is `?id=` or the X-Limit-D device header. */
export function ownTracksToFix(body: Record<string, unknown>, tagId: unknown): Record<string, unknown> {
  return clean({
    tagId,
    ts: typeof body.tst === 'number' ? body.tst * 1000 : body.tst,
    lat: body.lat,
    lon: body.lon,
    alt: body.alt,
    accuracy: body.acc,
    battery: body.batt,
    event: body.t === 'b' ? 'button' : undefined,
  });
}

export interface IngestRoutesOptions {
  /** Requests per key per minute (a gateway batches; 600 = 10 batches a second). */
  perKeyPerMinute: number;
  /** Requests with a missing or wrong key per client IP per minute. */
  failedAuthPerIpPerMinute?: number;
}

/**
 * Ingest over HTTP: the native batch, OsmAnd/Traccar Client and OwnTracks. All authenticate per
 * device or gateway key (never a staff session: keys ingest, people log in) and answer every
 * rejected fix with its index and reason.
 */
export function ingestRoutes(accounts: Accounts, intake: FixIntake, opts: IngestRoutesOptions): Router {
  const r = express.Router();
  const limiter = rateLimit({
    windowMs: 60_000,
    limit: opts.perKeyPerMinute,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    keyGenerator: (req) => `key:${(req as Request & { ingestKey?: IngestKey }).ingestKey?.id ?? 'anonymous'}`,
    message: { error: 'too many ingest requests for this key; batch fixes or slow down' },
  });
  // Guessing keys is hopeless (256 bits), but a flood of bad keys still costs: bound it per address.
  // Only requests without a valid key reach this limiter, so a faulty device sharing an address with
  // its gateway never uses up the gateway's budget: a valid key is judged by its own limit alone.
  const badKeys = rateLimit({
    windowMs: 60_000,
    limit: opts.failedAuthPerIpPerMinute ?? 120,
    standardHeaders: 'draft-7',
    legacyHeaders: false,
    message: { error: 'too many requests without a valid key from this address; wait a minute' },
  });
  const refuse = (req: Request, res: Response) => {
    const h = req.headers.authorization ?? '';
    if (h.startsWith('Bearer ') && accounts.session(h.slice(7).trim()))
      return void res.status(403).json({ error: 'a staff session cannot ingest; devices and gateways use their own key' });
    res.status(401).json({ error: 'a valid device or gateway key is required (Authorization: Bearer <key>)' });
  };
  const authenticate = (req: Request, res: Response, next: () => void) => {
    const key = ingestKeyOf(req, accounts);
    if (!key) return void badKeys(req, res, () => refuse(req, res));
    (req as Request & { ingestKey?: IngestKey }).ingestKey = key;
    next();
  };
  const keyOf = (req: Request) => (req as Request & { ingestKey: IngestKey }).ingestKey;
  const json = express.json({ limit: '8mb' });
  // OsmAnd and OwnTracks carry one position: a few hundred bytes
  const smallJson = express.json({ limit: '64kb' });
  const form = express.urlencoded({ extended: false, limit: '64kb', parameterLimit: 100 });

  r.post('/api/v1/positions', authenticate, limiter, json, async (req, res) => {
    const body = req.body as unknown;
    const fixes = Array.isArray(body) ? body : body && typeof body === 'object' && Array.isArray((body as { fixes?: unknown }).fixes) ? (body as { fixes: unknown[] }).fixes : null;
    if (!fixes) return void res.status(400).json({ error: 'body must be a JSON array of fixes' });
    if (fixes.length === 0) return void res.status(400).json({ error: 'the batch is empty' });
    if (fixes.length > MAX_BATCH) return void res.status(413).json({ error: `at most ${MAX_BATCH} fixes per request, got ${fixes.length}` });
    const report = await intake.ingest(fixes, keyOf(req), 'http');
    if (report.accepted === 0) return void res.status(422).json({ error: `no fix accepted; the first refusal: ${report.rejected[0]?.reason ?? 'rejected'}`, ...report });
    res.status(202).json(report);
  });

  const osmand = async (req: Request, res: Response) => {
    const fix = osmandToFix(req.query as Record<string, unknown>, req.body);
    const report = await intake.ingest([fix], keyOf(req), 'osmand');
    if (report.accepted === 1) return void res.status(200).send('OK');
    res.status(400).json({ error: report.rejected[0]?.reason ?? 'rejected', ...report });
  };
  r.get('/osmand', authenticate, limiter, osmand);
  r.post('/osmand', authenticate, limiter, smallJson, form, osmand);

  r.post('/owntracks', authenticate, limiter, smallJson, async (req, res) => {
    const body = req.body as Record<string, unknown> | undefined;
    if (!body || typeof body !== 'object' || Array.isArray(body)) return void res.status(400).json({ error: 'body must be an OwnTracks JSON object' });
    // OwnTracks posts other message types too (transition, waypoint...): acknowledged, not positions
    if (body._type !== 'location') return void res.status(200).json([]);
    const tagId = req.query.id ?? req.headers['x-limit-d'];
    const report = await intake.ingest([ownTracksToFix(body, tagId)], keyOf(req), 'owntracks');
    if (report.accepted === 1) return void res.status(200).json([]);
    res.status(400).json({ error: report.rejected[0]?.reason ?? 'rejected', ...report });
  });
  return r;
}
