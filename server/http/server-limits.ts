/**
 * Limits of the HTTP server against slow and greedy clients (slowloris, a flood of idle sockets).
 * Node's own timeouts do the work; they are only checked every `connectionsCheckingInterval`
 * (30 s by default), so that is tightened too. Figures and the slow-client test: README, "Limits".
 */
import type { Server as HttpServer } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';

export interface ServerLimits {
  /** The request line and headers must arrive within this (Node's `headersTimeout`). */
  headersTimeoutMs: number;
  /** The whole request, body included (Node's `requestTimeout`). */
  requestTimeoutMs: number;
  /** A connection with no traffic at all is closed after this (HTTP only; WebSockets have their pings). */
  idleTimeoutMs: number;
  /** A keep-alive connection waits this long for its next request. */
  keepAliveTimeoutMs: number;
  /** Concurrent connections from one address (WebSockets included); 0: no cap. Trusted proxies are exempt. */
  maxConnectionsPerAddress: number;
  /** Concurrent connections in all. */
  maxConnections: number;
}

export const DEFAULT_SERVER_LIMITS: ServerLimits = {
  headersTimeoutMs: 10_000,
  // an 8 MB batch or an IMDF archive from a slow gateway link; a stalled body is dropped after it
  requestTimeoutMs: 60_000,
  idleTimeoutMs: 120_000,
  keepAliveTimeoutMs: 5_000,
  maxConnectionsPerAddress: 256,
  maxConnections: 20_000,
};

/**
 * Socket.IO's heartbeat: a screen that stops answering (a tablet asleep, a cut cable) is dropped
 * within pingInterval + pingTimeout (30 s) and its client reconnects; a connection that never
 * finishes the namespace handshake goes after connectTimeout.
 */
export const SOCKET_IO_LIMITS = { pingInterval: 20_000, pingTimeout: 10_000, connectTimeout: 10_000 } as const;

export function serverLimitsFromEnv(env: NodeJS.ProcessEnv): ServerLimits {
  const ms = (name: string, d: number) => {
    const v = env[name];
    if (v === undefined || v === '') return d;
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a non-negative integer, got "${v}"`);
    return n;
  };
  const d = DEFAULT_SERVER_LIMITS;
  return {
    headersTimeoutMs: ms('HTTP_HEADERS_TIMEOUT_MS', d.headersTimeoutMs) || d.headersTimeoutMs,
    requestTimeoutMs: ms('HTTP_REQUEST_TIMEOUT_MS', d.requestTimeoutMs) || d.requestTimeoutMs,
    idleTimeoutMs: ms('HTTP_IDLE_TIMEOUT_MS', d.idleTimeoutMs) || d.idleTimeoutMs,
    keepAliveTimeoutMs: ms('HTTP_KEEP_ALIVE_TIMEOUT_MS', d.keepAliveTimeoutMs) || d.keepAliveTimeoutMs,
    maxConnectionsPerAddress: ms('MAX_CONNECTIONS_PER_ADDRESS', d.maxConnectionsPerAddress),
    maxConnections: ms('MAX_CONNECTIONS', d.maxConnections) || d.maxConnections,
  };
}

/**
 * Apply the limits before `listen`. `trusted(address)` tells a reverse proxy (Express's compiled
 * `trust proxy`): everything arrives from its address, so it is not capped per address.
 */
export function applyServerLimits(http: HttpServer, limits: ServerLimits, trusted: (address: string) => boolean, log?: Logger): void {
  http.headersTimeout = limits.headersTimeoutMs;
  http.requestTimeout = Math.max(limits.requestTimeoutMs, limits.headersTimeoutMs);
  http.keepAliveTimeout = limits.keepAliveTimeoutMs;
  http.timeout = limits.idleTimeoutMs;
  http.maxConnections = limits.maxConnections;
  // how often Node looks for requests past their headers or request timeout (read when listening starts)
  (http as HttpServer & { connectionsCheckingInterval: number }).connectionsCheckingInterval = Math.max(250, Math.min(5_000, Math.floor(limits.headersTimeoutMs / 4)));

  const perAddress = new Map<string, number>();
  let refusedLogged = 0;
  http.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? '';
    if (limits.maxConnectionsPerAddress <= 0 || trusted(address)) return;
    const n = (perAddress.get(address) ?? 0) + 1;
    if (n > limits.maxConnectionsPerAddress) {
      // logged now and then, not per socket: a flood must not become a flood of log lines
      if (refusedLogged++ % 1000 === 0) log?.warn({ address, open: n - 1 }, 'connection refused: too many from one address');
      socket.destroy();
      return;
    }
    perAddress.set(address, n);
    socket.once('close', () => {
      const left = (perAddress.get(address) ?? 1) - 1;
      if (left <= 0) perAddress.delete(address);
      else perAddress.set(address, left);
    });
  });
}
