import type { RequestHandler } from 'express';
import helmet from 'helmet';

/**
 * Helmet's headers, with the two that only make sense over HTTPS sent only there: HSTS over plain
 * HTTP is ignored by browsers at best and, at a stray plain-HTTP name, pins it to an HTTPS that does
 * not exist; `upgrade-insecure-requests` on a plain-HTTP page breaks every request it makes.
 * `req.secure` is true on native TLS, and behind a proxy (TRUST_PROXY) when it says X-Forwarded-Proto: https.
 */
export function securityHeaders(mapOrigins: readonly string[] = []): RequestHandler {
  // deck.gl and MapLibre compile shaders and spawn blob workers; an operator's map style (MAP_STYLE_URL) may live elsewhere
  const directives = {
    'script-src': ["'self'", "'wasm-unsafe-eval'"],
    'worker-src': ["'self'", 'blob:'],
    'img-src': ["'self'", 'data:', 'blob:', ...mapOrigins],
    'connect-src': ["'self'", ...mapOrigins],
  };
  const overHttps = helmet({ contentSecurityPolicy: { directives }, strictTransportSecurity: { maxAge: 365 * 24 * 3600, includeSubDomains: true } });
  const overHttp = helmet({ contentSecurityPolicy: { directives: { ...directives, 'upgrade-insecure-requests': null } }, strictTransportSecurity: false });
  return (req, res, next) => (req.secure ? overHttps : overHttp)(req, res, next);
}
