import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import type { Alert } from '../../geo/model';
import type { Accounts } from '../auth/accounts';
import { alertRoomsFor, alertRoomsOf, canWatchFloor } from '../auth/scope';
import type { Registry } from '../registry';
import type { ClientToServerEvents, ServerToClientEvents, SessionUser } from './events';
import { FloorFrames } from './floor-frames';

interface SocketData {
  user: SessionUser;
}

export type IoServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

export interface RealtimeOptions {
  frameHz: number;
  /** Attach a scale-out adapter (Redis) before sockets connect. */
  configure?: (io: IoServer) => Promise<(() => Promise<void>) | void>;
}

/**
 * Socket.IO at the edge: authenticate the handshake, join the rooms the user's role allows, push
 * alerts to those rooms the moment they are raised, and live-map frames per floor at a bounded rate.
 */
export class Realtime {
  readonly io: IoServer;
  readonly frames = new FloorFrames();
  private timer: NodeJS.Timeout | null = null;
  private closeAdapter: (() => Promise<void>) | null = null;

  constructor(
    http: HttpServer,
    private readonly accounts: Accounts,
    private readonly registry: Registry,
    private readonly opts: RealtimeOptions,
  ) {
    this.io = new Server(http, { serveClient: false, maxHttpBufferSize: 64 * 1024 });
    this.io.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown })?.token;
      const session = typeof token === 'string' ? this.accounts.session(token) : null;
      if (!session) return next(new Error('unauthorised: log in and pass auth.token'));
      socket.data.user = session.user;
      next();
    });
    this.io.on('connection', (socket) => {
      const user = socket.data.user;
      void socket.join(alertRoomsFor(user));
      socket.emit('hello', { user, serverTime: Date.now() });
      socket.on('floor:subscribe', (req, ack) => {
        if (typeof ack !== 'function') return;
        const floorId = typeof req?.floorId === 'string' ? req.floorId : '';
        if (!canWatchFloor(user, this.registry, floorId)) return ack({ ok: false, error: `not allowed to watch floor ${floorId}` });
        void socket.join(`floor:${floorId}`);
        ack({ ok: true, data: this.frames.full(floorId, Date.now()) });
      });
      socket.on('floor:unsubscribe', (req, ack) => {
        if (typeof req?.floorId === 'string') void socket.leave(`floor:${req.floorId}`);
        if (typeof ack === 'function') ack({ ok: true, data: null });
      });
    });
  }

  async start(): Promise<void> {
    this.closeAdapter = (await this.opts.configure?.(this.io)) ?? null;
    const period = Math.max(50, Math.round(1000 / this.opts.frameHz));
    this.timer = setInterval(() => this.sendFrames(), period);
    this.timer.unref();
  }

  /** Deliver an alert (new, or a state change) to everyone allowed to see it. */
  publishAlert(alert: Alert): void {
    this.io.to(alertRoomsOf(alert)).emit('alert', alert);
  }

  private sendFrames(): void {
    const now = Date.now();
    const rooms = this.io.sockets.adapter.rooms;
    for (const frame of this.frames.cut(now)) {
      const room = `floor:${frame.floorId}`;
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

