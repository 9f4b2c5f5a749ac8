/**
 * Delivers the store's outbox (at least once, across restarts and nodes): claims what is due, hands
 * each item to the handler of its target (`webhook:<id>`, `push:<id>`, `escalation`) and completes or
 * reschedules it. Handlers run concurrently and are never awaited by the claim loop, with a cap of
 * in-flight items per target, so a receiver that never answers holds only its own slots: other
 * receivers, escalations and detection go on (tile38's one loop per subscriber, over one outbox).
 */
import type { OutboxItem, Store } from '../store';

export type HandleResult = { done: true } | { retryAt: number; error: string };

export interface OutboxHandler {
  /** Targets starting with this belong to the handler. */
  readonly prefix: string;
  /** At most this many items of one target in flight at once. */
  readonly maxInFlight: number;
  handle(item: OutboxItem): Promise<HandleResult>;
}

export interface DispatcherOptions {
  /** How often due items are looked for when nothing woke the loop earlier. */
  pollMs: number;
  /** A claimed item is invisible to other claimers this long (longer than any handler may take). */
  leaseMs: number;
  batch?: number;
  now?: () => number;
  log?: { error(obj: object, msg: string): void };
}

/** How long an item waits in the store when its target's queue here is full (not an attempt: nothing was sent). */
const BUSY_DELAY_MS = 200;
/**
 * Items of a target at its in-flight cap wait here (still leased) for a free slot rather than going
 * back to the store: a store write per bounce would queue behind, and slow, every other outbox write.
 */
const MAX_WAITING_PER_TARGET = 256;

export class OutboxDispatcher {
  private readonly handlers: OutboxHandler[] = [];
  private readonly inFlight = new Map<string, number>();
  private readonly waiting = new Map<string, OutboxItem[]>();
  private readonly running = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | null = null;
  private wake: NodeJS.Timeout | null = null;
  private wakeAtMs = Infinity;
  private pumping: Promise<void> | null = null;
  private again = false;
  private stopped = true;
  private readonly now: () => number;

  constructor(
    private readonly store: Store,
    private readonly opts: DispatcherOptions,
  ) {
    this.now = opts.now ?? Date.now;
  }

  register(h: OutboxHandler): this {
    this.handlers.push(h);
    return this;
  }

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.opts.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Look for due items now (something was just enqueued). */
  kick(): void {
    if (this.stopped) return;
    if (this.pumping) {
      this.again = true;
      return;
    }
    this.pumping = this.runDue()
      .then(() => undefined)
      .catch((err) => this.opts.log?.error({ err }, 'outbox claim failed'))
      .finally(() => {
        this.pumping = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Look again at `at` (an escalation step's due time), not only at the next poll. */
  wakeAt(at: number): void {
    if (this.stopped || at >= this.wakeAtMs) return;
    if (this.wake) clearTimeout(this.wake);
    this.wakeAtMs = at;
    this.wake = setTimeout(() => {
      this.wake = null;
      this.wakeAtMs = Infinity;
      this.kick();
    }, Math.max(0, at - Date.now()));
    this.wake.unref();
  }

  /** Claim everything due and start handling it; resolves once claimed (not once handled). */
  async runDue(): Promise<number> {
    const batch = this.opts.batch ?? 64;
    let total = 0;
    for (;;) {
      const now = this.now();
      const items = await this.store.claimOutbox(batch, now, this.opts.leaseMs);
      total += items.length;
      for (const item of items) this.dispatch(item, now);
      if (items.length < batch) return total;
    }
  }

  /** Resolves when every item handed out so far is handled (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.wake) clearTimeout(this.wake);
    await this.pumping;
    await this.idle();
  }

  private dispatch(item: OutboxItem, now: number): void {
    const h = this.handlers.find((x) => item.target.startsWith(x.prefix));
    if (!h) {
      this.track(this.store.failOutbox(item.id, now + 60_000, `no handler for ${item.target}`));
      return;
    }
    const n = this.inFlight.get(item.target) ?? 0;
    if (n >= h.maxInFlight) {
      const q = this.waiting.get(item.target) ?? [];
      if (q.length < MAX_WAITING_PER_TARGET) {
        q.push(item);
        this.waiting.set(item.target, q);
      } else this.track(this.store.failOutbox(item.id, now + BUSY_DELAY_MS + Math.random() * BUSY_DELAY_MS, item.lastError ?? 'waiting: receiver busy'));
      return;
    }
    this.inFlight.set(item.target, n + 1);
    const work = h
      .handle(item)
      .catch((err): HandleResult => ({ retryAt: this.now() + 5_000, error: `handler failed: ${(err as Error).message}` }))
      .then((r) => ('done' in r ? this.store.completeOutbox(item.id) : this.store.failOutbox(item.id, r.retryAt, r.error)))
      .finally(() => {
        const left = (this.inFlight.get(item.target) ?? 1) - 1;
        if (left) this.inFlight.set(item.target, left);
        else this.inFlight.delete(item.target);
        const q = this.waiting.get(item.target);
        const next = q?.shift();
        if (q && !q.length) this.waiting.delete(item.target);
        if (next) this.dispatch(next, this.now());
      });
    this.track(work);
  }

  private track(p: Promise<unknown>): void {
    const t: Promise<void> = p
      .then(() => undefined)
      .catch((err) => this.opts.log?.error({ err }, 'outbox item not settled'))
      .finally(() => this.running.delete(t));
    this.running.add(t);
  }
}
