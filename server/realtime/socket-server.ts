import type { Server as HttpServer } from 'node:http';
import { Server, type Socket } from 'socket.io';
import type { Alert } from '../../geo/model';
import type { AlertService } from '../alerts/alert-service';
import type { Accounts } from '../auth/accounts';
import { SOCKET_IO_LIMITS } from '../http/server-limits';
import { alertRoomsFor, alertRoomsOf, authorizeFloor, authorizeResident, familyRoomOf, opensFamilyView } from '../auth/scope';
import { originAllowed } from '../http/cors';
import type { Registry } from '../registry';
import type { ClientToServerEvents, ServerToClientEvents, SessionUser } from '../contract';
import type { PositionReader } from '../positions/latest-positions';
import type { AlertSink } from '../sinks';
import { FloorFrames } from './floor-frames';

interface SocketData {
  user: SessionUser;
  /** sha256 of the token: revocation finds the socket by it. */
  sessionId: string;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type IoSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface RealtimeOptions {
  frameHz: number;
  /** Attach a scale-out adapter (Redis) before sockets connect. */
  configure?: (io: IoServer) => Promise<(() => Promise<void>) | void>;
  /** Browser origins allowed besides the page's own (CORS_ORIGINS). */
  corsOrigins?: readonly string[];
}

/** Events a socket may send per second before it is told to slow down, and before it is dropped. */
const EVENTS_PER_SECOND = 20;
const EVENTS_PER_SECOND_DROP = 100;

/**
 * Socket.IO at the edge: authenticate the handshake (session tokens only, never ingest keys), join
 * the rooms the user's role allows, push alerts to those rooms the moment they are raised,
 * live-map frames per floor at a bounded rate, and a family member's relative's position only
 * while an alert of theirs is open. Revoked or expired sessions lose their sockets at once.
 */
export class Realtime implements AlertSink {
  readonly name = 'realtime';
  readonly io: IoServer;
  /** Live-map frames per floor: a fix sink (server/sinks.ts). */
  readonly frames = new FloorFrames();
  private timer: NodeJS.Timeout | null = null;
  private closeAdapter: (() => Promise<void>) | null = null;
  /** residentId -> ids of their alerts that open the family view (family kind, not resolved) */
  private readonly familyOpen = new Map<string, Set<string>>();

  constructor(
    http: HttpServer,
    private readonly accounts: Accounts,
    private readonly registry: Registry,
    private readonly positions: PositionReader,
    /** The alert lifecycle the family stream follows; alerts already open at start count too. */
    private readonly alerts: Pick<AlertService, 'list' | 'activeFor'>,
    private readonly opts: RealtimeOptions,
  ) {
    for (const a of alerts.list()) this.noteFamilyView(a);
    const corsOrigins = opts.corsOrigins ?? [];
    this.io = new Server(http, {
      serveClient: false,
      maxHttpBufferSize: 64 * 1024,
      ...SOCKET_IO_LIMITS,
      ...(corsOrigins.length ? { cors: { origin: [...corsOrigins], credentials: false } } : {}),
      // a page from a foreign origin cannot open a socket (tokens are not ambient, but why let it try)
      allowRequest: (req, cb) => cb(null, originAllowed(req.headers.origin, req.headers.host, corsOrigins)),
    });
    this.io.use(async (socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown })?.token;
      const session = typeof token === 'string' ? await this.accounts.resolveSession(token).catch(() => null) : null;
      if (!session) {
        if (typeof token === 'string' && this.accounts.ingestKey(token)) return next(new Error('forbidden: device and gateway keys may only ingest'));
        return next(new Error('unauthorised: log in and pass auth.token (expired or revoked sessions must log in again)'));
      }
      socket.data.user = session.user;
      socket.data.sessionId = session.id;
      next();
    });
    this.io.on('connection', (socket) => this.onConnection(socket, socket.data.user));
    this.accounts.onRevoke((ids) => this.endSessions(new Set(ids), 'revoked'));
  }

  private onConnection(socket: IoSocket, user: SessionUser): void {
    void socket.join(alertRoomsFor(user, this.registry));
    socket.emit('hello', { user, serverTime: Date.now() });

    // expiry: the socket ends with its session, not whenever it happens to reconnect
    const session = this.accounts.sessionById(socket.data.sessionId);
    const expiry = setTimeout(() => this.checkSession(socket), Math.min(2 ** 31 - 1, Math.max(0, (session?.expiresAt ?? 0) - Date.now() + 5)));
    expiry.unref();
    socket.on('disconnect', () => clearTimeout(expiry));

    let windowStart = Date.now();
    let count = 0;
    /** Every event: the session still stands, the rate is sane. False: do not answer. */
    const admit = (): 'ok' | 'slow' | 'gone' => {
      if (!this.checkSession(socket)) return 'gone';
      const now = Date.now();
      if (now - windowStart >= 1000) {
        windowStart = now;
        count = 0;
      }
      if (++count > EVENTS_PER_SECOND_DROP) {
        socket.disconnect(true);
        return 'gone';
      }
      return count > EVENTS_PER_SECOND ? 'slow' : 'ok';
    };

    /** A request that wants an answer: admitted, or dropped (no ack, session gone) or refused as too fast. */
    const admitRequest = (ack: unknown): boolean => {
      if (typeof ack !== 'function') return false;
      const a = admit();
      if (a === 'slow') (ack as (r: { ok: false; error: string }) => void)({ ok: false, error: 'too many requests; slow down' });
      return a === 'ok';
    };

    socket.on('floor:subscribe', (req, ack) => {
      if (!admitRequest(ack)) return;
      const floorId = typeof req?.floorId === 'string' ? req.floorId.slice(0, 64) : '';
      const d = authorizeFloor(user, this.registry, floorId);
      if (!d.ok) return ack({ ok: false, error: d.error });
      void socket.join(`floor:${floorId}`);
      ack({ ok: true, data: this.frames.full(floorId, Date.now()) });
    });
    socket.on('floor:unsubscribe', (req, ack) => {
      if (admit() === 'gone') return;
      if (typeof req?.floorId === 'string') void socket.leave(`floor:${req.floorId}`);
      if (typeof ack === 'function') ack({ ok: true, data: null });
    });
    socket.on('resident:locate', (req, ack) => {
      if (!admitRequest(ack)) return;
      const residentId = typeof req?.residentId === 'string' ? req.residentId.slice(0, 64) : '';
      const resident = this.registry.residents.get(residentId);
      const d = resident
        ? authorizeResident(user, 'resident.position', resident, this.activeAlertsOf(residentId))
        : ({ ok: false, status: 404, error: 'no such resident' } as const);
      if (!d.ok) return ack({ ok: false, error: d.error });
      ack({ ok: true, data: this.positions.positionOf(residentId) });
    });
  }

  /** The user's sites changed (a site was imported): their open sockets join the alert rooms they now belong to. */
  rejoin(username: string): void {
    for (const socket of this.io.sockets.sockets.values()) {
      const user = socket.data.user as SessionUser | undefined;
      if (user?.username === username) void socket.join(alertRoomsFor(user, this.registry));
    }
  }

  /** False (and the socket closed) when its session has ended. */
  private checkSession(socket: IoSocket): boolean {
    if (this.accounts.sessionById(socket.data.sessionId)) return true;
    socket.emit('session:ended', { reason: 'expired or revoked; log in again' });
    socket.disconnect(true);
    return false;
  }

  private endSessions(ids: Set<string>, reason: string): void {
    for (const socket of this.io.sockets.sockets.values()) {
      if (!ids.has(socket.data.sessionId)) continue;
      socket.emit('session:ended', { reason });
      socket.disconnect(true);
    }
  }

  async start(): Promise<void> {
    this.closeAdapter = (await this.opts.configure?.(this.io)) ?? null;
    const period = Math.max(50, Math.round(1000 / this.opts.frameHz));
    this.timer = setInterval(() => this.sendFrames(), period);
    this.timer.unref();
  }

  private activeAlertsOf(residentId: string): Alert[] {
    return this.alerts.activeFor(residentId);
  }

  /** The alert sink: a new alert, or a change of state, to everyone allowed to see it. */
  onAlert(alert: Alert): void {
    this.io.to(alertRoomsOf(alert)).emit('alert', alert);
    const wasOpen = this.familyOpen.has(alert.residentId);
    this.noteFamilyView(alert);
    // the family sees where their relative is the moment the alert opens, not at the next step
    if (!wasOpen && this.familyOpen.has(alert.residentId)) {
      const p = this.positions.positionOf(alert.residentId);
      if (p) this.io.to(familyRoomOf(alert.residentId)).emit('resident:position', p);
    }
  }

  private noteFamilyView(a: Alert): void {
    let ids = this.familyOpen.get(a.residentId);
    if (opensFamilyView(a)) {
      if (!ids) this.familyOpen.set(a.residentId, (ids = new Set()));
      ids.add(a.id);
    } else if (ids) {
      ids.delete(a.id);
      if (ids.size === 0) this.familyOpen.delete(a.residentId);
    }
  }

  private sendFrames(): void {
    const now = Date.now();
    const rooms = this.io.sockets.adapter.rooms;
    for (const frame of this.frames.cut(now)) {
      const room = `floor:${frame.floorId}`;
      // the family stream: only the relative, only while an alert of theirs is open
      if (this.familyOpen.size > 0) {
        for (const item of frame.items) {
          if (!this.familyOpen.has(item.r)) continue;
          const p = this.positions.positionOf(item.r);
          if (p) this.io.to(familyRoomOf(item.r)).emit('resident:position', p);
        }
      }
      // with a Redis adapter another node may hold the viewers, so only skip when purely local
      if (!this.opts.configure && !rooms.get(room)?.size) continue;
      this.io.to(room).emit('frame', frame);
    }
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await new Promise<void>((resolve) => this.io.close(() => resolve()));
    await this.closeAdapter?.();
  }
}
