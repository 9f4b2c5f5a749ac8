/**
 * Native TLS (TLS_CERT and TLS_KEY, PEM files) or plain HTTP behind a TLS-terminating proxy
 * (docs/tls.md). The certificate is read at start; after a renewal, restart (or let the proxy do ACME).
 */
import { readFileSync } from 'node:fs';
import { createServer as createPlain, type RequestListener, type Server as HttpServer } from 'node:http';
import { createServer as createTls } from 'node:https';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

export function tlsFromEnv(env: NodeJS.ProcessEnv): TlsFiles | null {
  const cert = env.TLS_CERT || '';
  const key = env.TLS_KEY || '';
  if (!cert && !key) return null;
  if (!cert || !key) throw new Error('TLS_CERT and TLS_KEY go together: set both (PEM files) for native HTTPS, or neither behind a TLS proxy');
  return { certFile: cert, keyFile: key };
}

/** An HTTPS server when `tls` is given (the type is the HTTP one: Socket.IO and `listen` treat both alike). */
export function createWebServer(tls: TlsFiles | null, app: RequestListener): HttpServer {
  if (!tls) return createPlain(app);
  let cert: Buffer;
  let key: Buffer;
  try {
    cert = readFileSync(tls.certFile);
    key = readFileSync(tls.keyFile);
  } catch (e) {
    throw new Error(`TLS_CERT/TLS_KEY: ${(e as Error).message}`);
  }
  return createTls({ cert, key, minVersion: 'TLSv1.2' }, app) as unknown as HttpServer;
}
