/**
 * Turns accepted fixes into track rows: zone membership per tag (the transitions the geo workers
 * confirmed, handed over with `noteZoneChanges`, so the transitions recorded are the ones the
 * detectors saw; when replaying the write-ahead log at start, no worker has seen those fixes, and
 * the recorder steps the same rule, `stepMembership`, itself), the compression rules (compression.ts), a ring of the last minutes of raw fixes
 * per tag written at full rate when an alert is raised, and full rate for a while after it. Rows are
 * written in batches off the ingest path; `onDurable` reports the WAL records whose rows are stored,
 * so the log's checkpoint can move.
 */
import { FIX_EVENTS, type ZoneKind } from '../../geo/model';
import { initialMembership, stepMembership, type MembershipState } from '../../geo/transition';
import { World, type WorldData } from '../../geo/world';
import type { Registry } from '../registry';
import type { ZoneChange } from '../sinks';
import type { Store, TrackRow } from '../store';
import { DEFAULT_COMPRESSION, keepReason, type CompressionOptions, type FixFacts, type KeepReason, type KeptPoint } from './compression';
import { FixRing, type RingEntry } from './fix-ring';
import type { WalFix } from './wal';

export interface RecorderOptions {
  compression: CompressionOptions;
  /** Raw fixes kept per tag in memory and written when an alert is raised, ms before the alert's fix. */
  ringMs: number;
  /** Every fix is kept for this long after an alert's fix, ms. */
  fullRateAfterMs: number;
  /** Pending rows are written at least this often, ms... */
  flushMs: number;
  /** ...or as soon as this many are pending. */
  flushRows: number;
  /**
   * A store that stays down must not exhaust memory: beyond this many pending rows, further batches
   * are left to the write-ahead log (their records stay un-checkpointed and are replayed at restart).
   */
  maxPendingRows: number;
}

export const DEFAULT_RECORDER: RecorderOptions = {
  compression: DEFAULT_COMPRESSION,
  ringMs: 120_000,
  fullRateAfterMs: 300_000,
  flushMs: 200,
  flushRows: 5_000,
  maxPendingRows: 1_000_000,
};

/** The zone a row is labelled with: the most specific one the tag is in. */
const ZONE_RANK: Record<ZoneKind, number> = { bed: 0, bathroom: 1, exit: 2, forbidden: 3, room: 4, corridor: 5, safe: 6, home: 7, ward: 8, campus: 9 };

interface TagTrack {
  tagId: string;
  residentId: string;
  siteId: string;
  hysteresis: Parameters<typeof stepMembership>[3];
  membership: MembershipState;
  last: KeptPoint | null;
  fullRateUntil: number;
  ring: FixRing;
  /** The zone rows are labelled with (index in the ZoneIndex, -1: none); changes only with membership. */
  zone: number;
  /** `membership.inside` as ZoneIndex indices, for the fast path. */
  insideIdx: number[];
}

export interface RecorderStats {
  fixes: number;
  rowsQueued: number;
  rowsWritten: number;
  pendingRows: number;
  flushes: number;
  flushFailures: number;
  /** Batches left to the WAL because too many rows were pending. */
  overflowBatches: number;
  unknownTags: number;
  byReason: Record<KeepReason | 'ring', number>;
}

export interface RecorderHooks {
  /** The rows of these WAL records are durable in the store. */
  onDurable?: (seqs: number[]) => void;
  onFlushError?: (err: unknown) => void;
}

const NONE: readonly string[] = [];
/** Zone changes kept per tag while waiting for their fix to be recorded (a tag nobody records: bounded). */
const MAX_WAITING_CHANGES = 256;

/** Key of a stored row for de-duplication during recovery. */
export const rowKey = (residentId: string, ts: number) => `${residentId}\u0000${ts}`;

export class TrackRecorder {
  readonly stats: RecorderStats = {
    fixes: 0,
    rowsQueued: 0,
    rowsWritten: 0,
    pendingRows: 0,
    flushes: 0,
    flushFailures: 0,
    overflowBatches: 0,
    unknownTags: 0,
    byReason: { first: 0, floor: 0, transition: 0, event: 0, alert: 0, move: 0, interval: 0, ring: 0 },
  };
  private readonly tags = new Map<string, TagTrack>();
  private readonly scratch: number[] = [];
  /** Reused for every fix's compression decision (no allocation per fix). */
  private readonly facts: FixFacts = { ts: 0, floorId: '', x: 0, y: 0, outdoor: false, zonesChanged: false, fullRate: false };
  private readonly floorIds: string[] = [];
  private readonly floors = new Map<string, { index: number; outdoor: boolean }>();
  private pending: TrackRow[] = [];
  /** WAL records whose rows are all in `pending` (or were none). */
  private processed: number[] = [];
  private flushing: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private failures = 0;
  private stopped = false;
  /** During recovery: rows already in the store, not written again. */
  private skip: Set<string> | null = null;
  /** Zone changes from the geo workers, per tag, in order, until their fix is recorded. */
  private readonly workerChanges = new Map<string, ZoneChange[]>();
  private readonly opts: RecorderOptions;

  constructor(
    private readonly store: Pick<Store, 'appendFixes'>,
    private readonly registry: Registry,
    private world: World,
    opts: Partial<RecorderOptions> = {},
    private readonly hooks: RecorderHooks = {},
  ) {
    this.opts = { ...DEFAULT_RECORDER, ...opts };
  }

  /**
   * The configuration changed (a zone edited, a site added; server/sites/site-config.ts). Zones keep their
   * numbers (edited ones stay in place, new ones come last), so the memberships held per tag stay valid.
   */
  setWorld(data: WorldData): void {
    this.world = new World(data);
  }

  /** Writes pending rows every `flushMs` until `close`. */
  start(): void {
    this.stopped = false;
    this.schedule(this.opts.flushMs);
  }

  /**
   * Accepted fixes, each tag's in time order. `seq`: the WAL record they came from (reported through
   * `onDurable` once their rows are stored); `emit: false` only rebuilds state (records already
   * checkpointed, replayed at start). `fromWorkers`: the workers have been through these fixes and
   * their zone changes were noted; otherwise membership is stepped here.
   */
  record(fixes: readonly WalFix[], seq: number | null, emit = true, fromWorkers = false): void {
    const overflow = emit && this.pending.length >= this.opts.maxPendingRows;
    if (overflow) this.stats.overflowBatches++;
    for (const f of fixes) this.one(f, emit && !overflow, fromWorkers);
    if (seq !== null && !overflow) this.processed.push(seq);
    this.stats.pendingRows = this.pending.length;
    if (this.pending.length >= this.opts.flushRows && !this.flushing) void this.flush();
  }

  /**
   * An alert was raised for the resident wearing `tagId`, caused by the fix at `fixTs`: the ring's
   * fixes from `ringMs` before it are written, and every fix for `fullRateAfterMs` after it.
   */
  alert(tagId: string, fixTs: number, emit = true): void {
    const t = this.track(tagId);
    if (!t) return;
    t.fullRateUntil = Math.max(t.fullRateUntil, fixTs + this.opts.fullRateAfterMs);
    t.ring.takeUnwritten(fixTs - this.opts.ringMs, (e) => {
      if (!emit) return;
      this.stats.byReason.ring++;
      this.emit(this.rowOf(t, e, 'fix'));
    });
    this.stats.pendingRows = this.pending.length;
  }

  /** Zone changes the geo workers confirmed, each tag's in order; used when their fixes are recorded. */
  noteZoneChanges(changes: readonly ZoneChange[]): void {
    for (const c of changes) {
      let q = this.workerChanges.get(c.tagId);
      if (!q) this.workerChanges.set(c.tagId, (q = []));
      q.push(c);
      if (q.length > MAX_WAITING_CHANGES) q.shift();
    }
  }

  /** The workers' change at this fix of the tag, if any (older ones never matched a recorded fix: dropped). */
  private workerChangeAt(tagId: string, ts: number): ZoneChange | null {
    if (this.workerChanges.size === 0) return null;
    const q = this.workerChanges.get(tagId);
    if (!q) return null;
    while (q.length && q[0].ts < ts) q.shift();
    const c = q.length && q[0].ts === ts ? q.shift()! : null;
    if (!q.length) this.workerChanges.delete(tagId);
    return c;
  }

  /** Rows with these keys (`rowKey`) are already stored: not written again (recovery), until cleared with null. */
  skipStored(keys: Set<string> | null): void {
    this.skip = keys;
  }

  /** Writes everything pending now (waits for a flush in flight first). Rejects if the store fails. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing.catch(() => undefined);
    if (!this.pending.length && !this.processed.length) return;
    const run = (this.flushing = this.write().finally(() => (this.flushing = null)));
    await run;
    if (this.pending.length) await this.flush();
  }

  /** Stops the timer and writes what is pending (best effort: the WAL keeps what could not be). */
  async close(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.flush();
  }

  private async write(): Promise<void> {
    const rows = this.pending.splice(0, 50_000);
    const seqs = this.pending.length ? [] : this.processed.splice(0);
    try {
      if (rows.length) await this.store.appendFixes(rows);
    } catch (e) {
      this.pending = rows.concat(this.pending);
      this.processed = seqs.concat(this.processed);
      this.stats.flushFailures++;
      this.failures++;
      throw e;
    } finally {
      this.stats.pendingRows = this.pending.length;
    }
    this.failures = 0;
    this.stats.flushes++;
    this.stats.rowsWritten += rows.length;
    if (seqs.length) this.hooks.onDurable?.(seqs);
  }

  private schedule(ms: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      const run = this.flushing ? Promise.resolve() : this.flush();
      run.then(
        () => this.schedule(this.opts.flushMs),
        (err) => {
          this.hooks.onFlushError?.(err);
          // back off while the store is failing: 0.4 s, 0.8 s, ... 30 s
          this.schedule(Math.min(30_000, this.opts.flushMs * 2 ** Math.min(this.failures, 8)));
        },
      );
    }, ms);
    this.timer.unref?.();
  }

  private one(f: WalFix, emit: boolean, fromWorkers: boolean): void {
    const t = this.track(f.tagId);
    if (!t) {
      this.stats.unknownTags++;
      return;
    }
    this.stats.fixes++;
    let entered = NONE;
    let exited = NONE;
    if (fromWorkers) {
      const c = this.workerChangeAt(f.tagId, f.ts);
      if (c) {
        entered = c.entered;
        exited = c.exited;
        const inside = t.membership.inside.filter((id) => !exited.includes(id));
        for (const id of entered) if (!inside.includes(id)) inside.push(id);
        t.membership = { floorId: f.floorId, inside, pending: {} };
        t.zone = this.primaryZone(inside);
        t.insideIdx = inside.map((id) => this.world.zones.indexOf(id));
      }
    } else if (!this.membershipHolds(t, f)) {
      const step = stepMembership(t.membership, f, this.world.zones, t.hysteresis);
      t.membership = step.state;
      entered = step.entered;
      exited = step.exited;
      if (entered.length || exited.length) {
        t.zone = this.primaryZone(step.state.inside);
        t.insideIdx = step.state.inside.map((id) => this.world.zones.indexOf(id));
      }
    }
    const zonesChanged = entered.length > 0 || exited.length > 0;
    const floor = this.floor(f.floorId);
    const facts = this.facts;
    facts.ts = f.ts;
    facts.floorId = f.floorId;
    facts.x = f.x;
    facts.y = f.y;
    facts.event = f.event;
    facts.outdoor = floor.outdoor;
    facts.zonesChanged = zonesChanged;
    facts.fullRate = f.ts <= t.fullRateUntil;
    const reason = keepReason(t.last, facts, this.opts.compression);
    const event = f.event ? FIX_EVENTS.indexOf(f.event) + 1 : 0;
    const z = f.z ?? NaN;
    if (reason) {
      const from = t.last?.floorId;
      if (t.last) {
        t.last.ts = f.ts;
        t.last.floorId = f.floorId;
        t.last.x = f.x;
        t.last.y = f.y;
      } else t.last = { ts: f.ts, floorId: f.floorId, x: f.x, y: f.y };
      if (emit) {
        this.stats.byReason[reason]++;
        const transition = reason === 'floor' || reason === 'transition';
        const row = this.rowOf(t, { ts: f.ts, x: f.x, y: f.y, z, floor: floor.index, zone: t.zone, event }, transition ? 'transition' : 'fix');
        const detail = [reason === 'floor' && from ? `floor:${from}` : '', entered.length ? `enter:${entered.join(',')}` : '', exited.length ? `exit:${exited.join(',')}` : '']
          .filter(Boolean)
          .join(';');
        if (detail) row.detail = row.detail ? `${detail};${row.detail}` : detail;
        this.emit(row);
      }
    }
    t.ring.add(f.ts, f.x, f.y, z, floor.index, t.zone, event, reason !== null);
    t.ring.trim(f.ts - this.opts.ringMs);
  }

  /**
   * True when membership cannot change at this fix, so the full step (a radius search and signed
   * distances) is skipped: same floor, no change pending, and the zones containing the point are
   * exactly those the tag is in. Then `stepMembership` would return the same state with nothing
   * entered or exited (every zone is on its confirmed side), so skipping it changes no result. Most
   * fixes of a resident sitting, sleeping or walking a corridor take this path.
   */
  private membershipHolds(t: TagTrack, f: WalFix): boolean {
    const m = t.membership;
    if (m.floorId !== f.floorId) return false;
    for (const _ in m.pending) return false;
    const out = this.scratch;
    out.length = 0;
    const n = this.world.zones.containingIds(f.floorId, f.x, f.y, out);
    if (n !== t.insideIdx.length) return false;
    for (let i = 0; i < n; i++) if (!t.insideIdx.includes(out[i])) return false;
    return true;
  }

  private emit(row: TrackRow): void {
    if (this.skip?.has(rowKey(row.residentId, row.ts))) return;
    this.pending.push(row);
    this.stats.rowsQueued++;
  }

  private rowOf(t: TagTrack, e: RingEntry, kind: TrackRow['kind']): TrackRow {
    const row: TrackRow = { siteId: t.siteId, residentId: t.residentId, tagId: t.tagId, ts: e.ts, floorId: this.floorIds[e.floor], x: e.x, y: e.y, kind };
    if (!Number.isNaN(e.z)) row.z = e.z;
    if (e.zone >= 0) row.zoneId = this.world.zones.zones[e.zone].id;
    if (e.event > 0) row.detail = `event:${FIX_EVENTS[e.event - 1]}`;
    return row;
  }

  private track(tagId: string): TagTrack | null {
    let t = this.tags.get(tagId);
    const resident = this.registry.residentOfTag(tagId);
    if (t && t.residentId === resident?.id) return t;
    if (!resident) return null;
    // A resident created after start (REST) is added to the world on first sight.
    let ctx = this.world.context(resident.id);
    if (!ctx) {
      try {
        this.world.upsertResident(resident);
      } catch {
        return null;
      }
      ctx = this.world.context(resident.id)!;
    }
    t = {
      tagId,
      residentId: resident.id,
      siteId: resident.siteId,
      hysteresis: ctx.rules.hysteresis,
      membership: initialMembership(),
      last: null,
      fullRateUntil: -Infinity,
      ring: new FixRing(),
      zone: -1,
      insideIdx: [],
    };
    this.tags.set(tagId, t);
    return t;
  }

  private floor(id: string): { index: number; outdoor: boolean } {
    let f = this.floors.get(id);
    if (!f) {
      f = { index: this.floorIds.push(id) - 1, outdoor: this.registry.floor(id)?.floor.outdoor === true };
      this.floors.set(id, f);
    }
    return f;
  }

  private primaryZone(inside: readonly string[]): number {
    let best = -1;
    let bestRank = Infinity;
    for (const id of inside) {
      const i = this.world.zones.indexOf(id);
      if (i < 0) continue;
      const rank = ZONE_RANK[this.world.zones.zones[i].kind] ?? 99;
      if (rank < bestRank) {
        best = i;
        bestRank = rank;
      }
    }
    return best;
  }
}
