/**
 * Paths pino must censor (`pino({ redact: LOG_REDACT })`). The top-level names alone miss a secret
 * one level down (`{ body: { password } }`), so each name is listed at both depths; request
 * headers and URLs (OsmAnd sends its key as `?key=`) are censored whole.
 */
const SECRET_NAMES = ['password', 'newPassword', 'currentPassword', 'adminPassword', 'token', 'key', 'secret', 'totp', 'code', 'authorization', 'cookie'];

export const LOG_REDACT: string[] = [
  ...SECRET_NAMES,
  ...SECRET_NAMES.map((n) => `*.${n}`),
  'req.headers.authorization',
  'req.headers.cookie',
  'req.url',
  'req.query',
  'req.body',
  'headers.authorization',
  'config.adminPassword',
];
