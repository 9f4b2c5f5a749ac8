import type { NextFunction, Request, Response } from 'express';

/**
 * CORS, closed by default: a browser page from another origin gets no Access-Control headers, so
 * it can neither read answers nor send the Authorization header. Origins in the allow-list
 * (CORS_ORIGINS) may call the API with a bearer token; credentials (cookies) are never allowed,
 * since the API uses none.
 */
export function cors(allowed: readonly string[]) {
  const set = new Set(allowed);
  return (req: Request, res: Response, next: NextFunction) => {
    const origin = req.headers.origin;
    if (!origin) return next();
    res.vary('Origin');
    const ok = set.has(origin);
    if (ok) {
      res.set('Access-Control-Allow-Origin', origin);
      res.set('Access-Control-Expose-Headers', 'RateLimit, RateLimit-Policy, Retry-After');
    }
    if (req.method === 'OPTIONS' && req.headers['access-control-request-method']) {
      if (!ok) return void res.status(403).json({ error: 'origin not allowed (CORS_ORIGINS)' });
      res.set('Access-Control-Allow-Methods', 'GET, POST, DELETE');
      res.set('Access-Control-Allow-Headers', 'Authorization, Content-Type');
      res.set('Access-Control-Max-Age', '600');
      return void res.status(204).end();
    }
    next();
  };
}

/** The same rule for the Socket.IO handshake: same-origin pages, listed origins, and non-browser clients (no Origin). */
export function originAllowed(origin: string | undefined, host: string | undefined, allowed: readonly string[]): boolean {
  if (!origin) return true;
  if (allowed.includes(origin)) return true;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}
