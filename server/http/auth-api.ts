import express, { type Request, type Response, type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Accounts } from '../auth/accounts';
import { answeringAccountErrors } from './account-errors';
import { LoginThrottle } from '../auth/login-throttle';
import { authorize } from '../auth/scope';
import type { Store } from '../store';
import type { SessionUser } from '../contract';
import { allowed, auditAfter, parseBody, pathId, requireUser, user, type AuthedRequest } from './common';

export interface AuthApiOptions {
  /** Failed logins per client IP per minute. */
  failuresPerIpPerMinute: number;
  /**
   * Failed logins an account takes (from any addresses, within 15 minutes) before the addresses that
   * failed for it are delayed, progressively (auth/login-throttle.ts). Addresses that have not failed
   * are never refused: nobody can lock a nurse out by guessing her password.
   */
  failuresPerUserPerMinute: number;
}

const Password = z.string().min(1, 'must not be empty').max(256, 'at most 256 characters');
const Code = z.string().regex(/^\d{6}$/, 'must be the 6-digit code from the authenticator app');
const LoginBody = z.object({
  username: z.string().min(1, 'must not be empty').max(64, 'at most 64 characters'),
  password: Password,
  totp: z.string().max(12, 'at most 12 characters').optional(),
});
const PasswordChange = z.object({ currentPassword: Password, newPassword: Password }).strict();
const Reauth = z.object({ password: Password }).strict();
const CodeBody = z.object({ code: Code }).strict();
const DisableBody = z.object({ password: Password, code: Code }).strict();

/**
 * Login, logout (one session or all), password change (ends every session), TOTP enrolment for
 * managers and admins. Bearer tokens only, never cookies: no ambient credential a cross-site
 * request could ride on, so no CSRF tokens are needed.
 */
export function authRoutes(accounts: Accounts, store: Store, opts: AuthApiOptions, log?: Logger): Router {
  const r = express.Router();
  const auth = requireUser(accounts);
  const common = { windowMs: 60_000, standardHeaders: 'draft-7' as const, legacyHeaders: false, skipSuccessfulRequests: true };
  // only wrong credentials count: a malformed body costs no password hash and guesses nothing
  const perIp = rateLimit({
    ...common,
    requestWasSuccessful: (_req: Request, res: Response) => res.statusCode !== 401 && res.locals.failedGuess !== true,
    limit: opts.failuresPerIpPerMinute,
    message: { error: 'too many failed logins from this address; wait a minute' },
  });
  const throttle = new LoginThrottle({ freeFailures: opts.failuresPerUserPerMinute });
  const tooMany = (res: Response, waitMs: number) => {
    const seconds = Math.ceil(waitMs / 1000);
    res.set('Retry-After', String(seconds));
    res.status(429).json({ error: `too many failed logins for this account from this address; wait ${seconds} s`, retryAfterSeconds: seconds });
  };
  const perSessionUser = rateLimit({
    ...common,
    limit: opts.failuresPerUserPerMinute,
    keyGenerator: (req) => `user:${user(req).username}`,
    message: { error: 'too many failed attempts for this account; wait a minute' },
  });

  r.post('/api/v1/auth/login', perIp, async (req, res) => {
    const body = parseBody(LoginBody, req.body, res);
    if (!body) return;
    const client = req.ip ?? 'unknown';
    const wait = throttle.waitFor(body.username, client);
    if (wait > 0) return void tooMany(res, wait);
    const out = await accounts.login(body.username, body.password, body.totp);
    if (!out.ok) {
      log?.warn({ username: body.username.slice(0, 64), ip: req.ip, reason: out.reason }, 'login refused');
      if (out.reason === 'totp_required') return void res.status(401).json({ error: 'this account needs the 6-digit code from its authenticator app', totpRequired: true });
      const next = throttle.failed(body.username, client);
      res.locals.failedGuess = true;
      if (next > 0) return void tooMany(res, next);
      return void res.status(401).json({ error: out.reason === 'totp_invalid' ? 'wrong or already used code' : 'wrong username or password' });
    }
    throttle.succeeded(body.username, client);
    res.json({ token: out.token, user: out.session.user, expiresAt: out.session.expiresAt });
  });

  // admins see who is being guessed at, from where, and may lift it (the accounts of their sites, and names that exist nowhere)
  const mayManage = (u: ReturnType<typeof user>, username: string) => {
    const a = accounts.account(username);
    return !a || a.siteIds.some((s) => u.siteIds.includes(s));
  };
  r.get('/api/v1/auth/throttled', auth, (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'account.manage'), res)) return;
    res.json(throttle.list().filter((t) => mayManage(u, t.username)));
  });
  r.delete('/api/v1/auth/throttled/:username', auth, async (req, res) => {
    const u = user(req);
    if (!allowed(authorize(u, 'account.manage'), res)) return;
    const name = pathId(req, res, 'username');
    if (name === null) return;
    if (!mayManage(u, name) || !throttle.clear(name)) return void res.status(404).json({ error: 'that account is not throttled' });
    await auditAfter(store, { actor: u.username, action: 'auth.throttle_clear', subjectType: 'account', subjectId: name }, log);
    res.status(204).end();
  });

  r.post('/api/v1/auth/logout', auth, async (req, res) => {
    await accounts.revokeSession((req as AuthedRequest).session.id);
    res.status(204).end();
  });

  r.post('/api/v1/auth/logout-all', auth, async (req, res) => {
    const u = user(req);
    const revoked = await accounts.revokeAll(u.username);
    await auditAfter(store, { actor: u.username, action: 'auth.logout_all', subjectType: 'account', subjectId: u.username, detail: { revoked } }, log);
    res.json({ revoked });
  });

  r.post('/api/v1/auth/password', auth, perSessionUser, async (req, res) => {
    const body = parseBody(PasswordChange, req.body, res);
    if (!body) return;
    const u = user(req);
    await answeringAccountErrors(res, async () => {
      const fresh = await accounts.changePassword(u.username, body.currentPassword, body.newPassword);
      await auditAfter(store, { actor: u.username, action: 'auth.password_change', subjectType: 'account', subjectId: u.username }, log);
      res.json({ token: fresh.token, expiresAt: fresh.session.expiresAt });
    });
  });

  r.get('/api/v1/me', auth, (req, res) => void res.json({ ...user(req), totp: accounts.totpEnabled(user(req).username) }));

  // TOTP: enrol (password again, so a stolen token cannot lock the owner out), verify, disable
  /** The user and the checked body of a TOTP request; null once the refusal is sent (403 without the right, 400 for a bad body). */
  const totpRequest = <T>(schema: z.ZodType<T>, req: Request, res: Response): { u: SessionUser; body: T } | null => {
    const u = user(req);
    if (!allowed(authorize(u, 'totp.enrol'), res)) return null;
    const body = parseBody(schema, req.body, res);
    return body ? { u, body } : null;
  };

  r.post('/api/v1/auth/totp/enrol', auth, perSessionUser, async (req, res) => {
    const t = totpRequest(Reauth, req, res);
    if (!t) return;
    const { u, body } = t;
    if (!(await accounts.checkPassword(u.username, body.password))) return void res.status(403).json({ error: 'the password is wrong' });
    await answeringAccountErrors(res, async () => {
      const { secret, uri } = await accounts.beginTotp(u.username);
      res.json({ secret, uri, next: 'POST /api/v1/auth/totp/verify {code} with a code from the app to enable it' });
    });
  });

  r.post('/api/v1/auth/totp/verify', auth, perSessionUser, async (req, res) => {
    const t = totpRequest(CodeBody, req, res);
    if (!t) return;
    const { u, body } = t;
    await answeringAccountErrors(res, async () => {
      if (!(await accounts.confirmTotp(u.username, body.code))) return void res.status(400).json({ error: 'code: wrong code; check the phone clock and try the next one' });
      await auditAfter(store, { actor: u.username, action: 'auth.totp_enable', subjectType: 'account', subjectId: u.username }, log);
      res.json({ enabled: true });
    });
  });

  r.post('/api/v1/auth/totp/disable', auth, perSessionUser, async (req, res) => {
    const t = totpRequest(DisableBody, req, res);
    if (!t) return;
    const { u, body } = t;
    await answeringAccountErrors(res, async () => {
      if (!(await accounts.checkPassword(u.username, body.password)) || !(await accounts.disableTotp(u.username, body.code)))
        return void res.status(403).json({ error: 'wrong password or code' });
      await auditAfter(store, { actor: u.username, action: 'auth.totp_disable', subjectType: 'account', subjectId: u.username }, log);
      res.status(204).end();
    });
  });

  return r;
}
