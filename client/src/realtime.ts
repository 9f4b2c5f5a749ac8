/**
 * The Socket.IO connection: server events become actions; the selected floor is kept subscribed across
 * floor switches and reconnects; after every (re)connect the alert list is re-read so nothing missed while
 * offline stays stale.
 */
import { io, type Socket } from 'socket.io-client';
import type { ClientToServerEvents, ServerToClientEvents } from '../../server/contract';
import type { Api } from './api';
import type { Store } from './state/store';

type ClientSocket = Socket<ServerToClientEvents, ClientToServerEvents>;

const SUBSCRIBE_TIMEOUT_MS = 10_000;
const RETRY_MS = 2_000;

export class Realtime {
  private readonly socket: ClientSocket;
  private subscribed: string | null = null;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;
  private readonly unsubscribeStore: () => void;
  private closed = false;

  constructor(
    token: string,
    private readonly store: Store,
    private readonly api: Api,
    private readonly onAuthFailed: () => void,
  ) {
    const dispatch = store.dispatch;
    this.socket = io({ auth: { token }, path: '/socket.io', autoConnect: false });
    const s = this.socket;

    s.on('connect', () => {
      performance.mark('carewatch:socket-connected');
      dispatch({ type: 'connection', status: 'live' });
      this.subscribed = null;
      this.syncFloor();
      void this.refreshAlerts();
    });
    s.on('disconnect', (reason) => {
      if (this.closed) return;
      this.subscribed = null;
      dispatch({ type: 'connection', status: 'reconnecting' });
      // The server closed us on purpose (restart, auth change): socket.io will not retry by itself.
      if (reason === 'io server disconnect') setTimeout(() => !this.closed && s.connect(), RETRY_MS);
    });
    s.on('connect_error', (err) => {
      if (this.closed) return;
      if (/unauthori[sz]ed|forbidden|invalid token|auth/i.test(err.message)) {
        this.onAuthFailed();
        return;
      }
      dispatch({ type: 'connection', status: 'reconnecting' });
    });
    s.on('hello', (info) =>
      dispatch({ type: 'hello', user: info.user, serverTime: info.serverTime, clientTime: Date.now() }),
    );
    s.on('alert', (alert) => dispatch({ type: 'alert/received', alert }));
    s.on('frame', (frame) => dispatch({ type: 'frame', frame }));

    this.unsubscribeStore = store.subscribe((state, action) => {
      if (action.type === 'floor/selected' || action.type === 'alert/focused') {
        if (state.selectedFloorId !== this.subscribed) this.syncFloor();
      }
    });
  }

  start(): void {
    this.store.dispatch({ type: 'connection', status: 'connecting' });
    this.socket.connect();
  }

  close(): void {
    this.closed = true;
    this.unsubscribeStore();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.socket.disconnect();
  }

  /** Re-read every unresolved alert; alerts resolved while we were away drop out in the reducer. */
  async refreshAlerts(): Promise<void> {
    const requestedAtSeq = this.store.getState().seq;
    // a regulator reads aggregates only: the alert list would be refused
    if (this.store.getState().user?.role === 'regulator') return;
    try {
      const [open, acknowledged] = await Promise.all([this.api.alerts('open'), this.api.alerts('acknowledged')]);
      if (!this.closed) this.store.dispatch({ type: 'alerts/snapshot', alerts: [...open, ...acknowledged], requestedAtSeq });
    } catch (err) {
      console.warn('carewatch: could not refresh alerts', err);
    }
  }

  private syncFloor(): void {
    const s = this.socket;
    const want = this.store.getState().selectedFloorId;
    if (this.closed || !s.connected || want === this.subscribed) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    if (this.subscribed) s.emit('floor:unsubscribe', { floorId: this.subscribed });
    this.subscribed = want;
    if (!want) return;
    s.timeout(SUBSCRIBE_TIMEOUT_MS).emit('floor:subscribe', { floorId: want }, (err, reply) => {
      if (this.closed || this.subscribed !== want) return;
      if (err) {
        // no answer (server busy or the link dropped mid-request): ask again
        console.warn('carewatch: floor subscription timed out', want);
        this.subscribed = null;
        this.retryTimer = setTimeout(() => this.syncFloor(), RETRY_MS);
        return;
      }
      if (!reply.ok) {
        // refused (not this user's floor): asking again would be refused again
        console.warn('carewatch: floor subscription refused', want, reply.error);
        return;
      }
      performance.mark('carewatch:full-frame', { detail: want });
      // The reply is the floor's current positions, whatever the server put in `full`.
      this.store.dispatch({ type: 'frame', frame: { ...reply.data, floorId: want, full: true } });
    });
  }
}
