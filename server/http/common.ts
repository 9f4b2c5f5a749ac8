import type { NextFunction, Request, Response } from 'express';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Accounts, Session } from '../auth/accounts';
import type { Decision } from '../auth/scope';
import type { SessionUser } from '../contract';
import type { AuditInput, Store } from '../store';

export type AuthedRequest = Request & { session: Session };

export const user = (req: Request): SessionUser => (req as AuthedRequest).session.user;

/** Validate a JSON body; on failure answer 400 with the first problem and return null. */
export function parseBody<T>(schema: z.ZodType<T>, body: unknown, res: Response): T | null {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  res.status(400).json({ error: describe(r.error, 'body') });
  return null;
}

/** Validate a query string; on failure answer 400 and return null. */
export function parseQuery<T>(schema: z.ZodType<T>, query: unknown, res: Response): T | null {
  const r = schema.safeParse(query ?? {});
  if (r.success) return r.data;
  res.status(400).json({ error: describe(r.error, 'query') });
  return null;
}

function describe(error: z.ZodError, what: string): string {
  const i = error.issues[0];
  if (!i) return `${what}: invalid`;
  const path = i.path.map(String).join('.');
  return `${path || what}: ${i.message}`;
}

/** Answer a refusal from auth/scope; true when the request may go on. */
export function allowed(d: Decision, res: Response): boolean {
  if (d.ok) return true;
  res.status(d.status).json({ error: d.error });
  return false;
}

/** A path id: 1-64 characters; anything else is a 400, not a lookup. */
export const Id = z.string().min(1, 'must not be empty').max(64, 'at most 64 characters');

export function pathId(req: Request, res: Response, name = 'id'): string | null {
  const v = req.params[name];
  const r = Id.safeParse(v);
  if (r.success) return r.data;
  res.status(400).json({ error: `${name}: ${r.error.issues[0]?.message ?? 'invalid'}` });
  return null;
}

/** Epoch ms or ISO 8601 in a query string; finite and within years 2000..2100. */
export const QueryTime = z
  .string()
  .max(40, 'at most 40 characters')
  .transform((s, ctx) => {
    const n = /^\d{1,16}$/.test(s) ? Number(s) : Date.parse(s);
    if (!Number.isFinite(n) || n < 946_684_800_000 || n > 4_102_444_800_000) {
      ctx.addIssue({ code: 'custom', message: 'expected epoch ms or ISO 8601 between 2000 and 2100' });
      return z.NEVER;
    }
    return n;
  });

export const QueryLimit = (max: number) =>
  z
    .string()
    .regex(/^\d{1,6}$/, 'must be a whole number')
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `must be 1..${max}`);

/**
 * Bearer session tokens only. A device or gateway key is refused by name (it may only ingest); an
 * unknown, expired or revoked token is a 401.
 */
export function requireUser(accounts: Accounts) {
  return async (req: Request, res: Response, next: NextFunction) => {
    const h = req.headers.authorization ?? '';
    const token = h.startsWith('Bearer ') ? h.slice(7).trim() : '';
    let session: Session | null;
    try {
      session = token ? await accounts.resolveSession(token) : null;
    } catch (err) {
      return next(err);
    }
    if (!session) {
      if (token && accounts.ingestKey(token)) return void res.status(403).json({ error: 'device and gateway keys may only ingest; log in as a person' });
      return void res.status(401).json({ error: token ? 'session expired or revoked; log in again' : 'log in first (Authorization: Bearer <token>)' });
    }
    (req as AuthedRequest).session = session;
    next();
  };
}

/** A body on a write must be JSON: anything else is a 415 with a reason, not a confusing 400. */
export function jsonBodiesOnly(req: Request, res: Response, next: NextFunction): void {
  const hasBody = req.headers['transfer-encoding'] !== undefined || (req.headers['content-length'] ?? '0') !== '0';
  if (hasBody && req.method !== 'GET' && req.method !== 'HEAD' && !req.is('application/json'))
    return void res.status(415).json({ error: 'send the body as JSON (Content-Type: application/json)' });
  next();
}

/** API answers carry personal data: no cache may keep them. */
export function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.set('Cache-Control', 'no-store');
  next();
}

/**
 * Record who looked at what before the data leaves: a view that cannot be audited is not shown
 * (503), so the trail has no gaps (SPEC §5, §9).
 */
export async function auditOrRefuse(store: Store, entry: Omit<AuditInput, 'at'>, res: Response, log?: Logger): Promise<boolean> {
  try {
    await store.appendAudit({ at: Date.now(), ...entry });
    return true;
  } catch (err) {
    log?.error({ err, action: entry.action }, 'audit entry not recorded; view refused');
    res.status(503).json({ error: 'the view could not be recorded in the audit log, so it is not shown; try again' });
    return false;
  }
}

/** Audit an administrative change after it happened; a failure is logged, the change stands. */
export async function auditAfter(store: Store, entry: Omit<AuditInput, 'at'>, log?: Logger): Promise<void> {
  try {
    await store.appendAudit({ at: Date.now(), ...entry });
  } catch (err) {
    log?.error({ err, action: entry.action }, 'audit entry not recorded');
  }
}
