import { Worker } from 'node:worker_threads';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Fix, Resident } from '../../geo/model';
import { F, FIX_STRIDE, eventCode, packAccel, Partition, type BatchResult, type PackedAccel } from '../../geo/partition';
import type { WorldData } from '../../geo/world';
import type { FromWorker, GeoWorkerInit, ToWorker } from '../../workers/protocol';
import type { ZoneChange } from '../sinks';

/** A detector's alert candidate for one tag's resident, back from the tag's worker. */
export interface TagCandidate {
  tagId: string;
  residentId: string;
  candidate: BatchResult['alerts'][number]['candidate'];
}

export interface GeoPoolStats {
  fixes: number;
  batches: number;
  transitions: number;
  detectorFailures: number;
  busyMs: number;
  inflightFixes: number;
  deadWorkers: number;
}

/** A detector (or a whole worker, tagId `*`) threw; the others ran. */
export interface GeoFailure {
  tagId: string;
  detector: string;
  error: string;
}

export interface GeoPoolOptions {
  /** worker threads; 0 runs the core on the main thread (tests, tiny sites) */
  workers: number;
  onAlerts: (candidates: TagCandidate[]) => void;
  /** Confirmed zone membership changes, in each tag's order (history records them). */
  onZoneChanges?: (changes: ZoneChange[]) => void;
  onFailure?: (f: GeoFailure) => void;
}

interface Lane {
  worker: Worker | null;
  inline: Partition | null;
  buf: number[];
  accel: (PackedAccel | null)[];
  waiting: Map<number, number>; // seq -> fix count
  /** Fixes submitted to this lane so far, and those processed (or lost with a crashed worker). */
  submitted: number;
  done: number;
  /** Crashed too often and not restarted: its fixes are dropped (healthz reports it). */
  dead: boolean;
  restarts: number[];
  /** Registrations after start, replayed into a restarted worker. */
  later: Extract<ToWorker, { type: 'tag' | 'world' }>[];
}

const WORKER_URL = new URL('../../workers/geo-worker.ts', import.meta.url);
const TSX_API = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist/esm/api/index.mjs')).href;
// Workers run the TypeScript sources through tsx's loader, registered inside the worker itself
// (an --import in execArgv is not honoured by worker threads under every runner).
const BOOT = `import(${JSON.stringify(TSX_API)}).then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;

/**
 * The geofence core on worker threads. Tags are partitioned by index, so each tag's fixes go to
 * one worker and are processed in order; fixes submitted during one event-loop turn leave as one
 * typed-array message per worker.
 */
export class GeoPool {
  private readonly lanes: Lane[] = [];
  private readonly tagIds: string[] = [];
  private readonly tagIndex = new Map<string, number>();
  private readonly tagResident: (string | null)[] = [];
  private readonly floorIndex = new Map<string, number>();
  private readonly floorIds: string[];
  private seq = 0;
  private readonly barriers: { targets: number[]; resolve: () => void }[] = [];
  private closed = false;
  private flushScheduled = false;
  readonly stats: GeoPoolStats = { fixes: 0, batches: 0, transitions: 0, detectorFailures: 0, busyMs: 0, inflightFixes: 0, deadWorkers: 0 };

  constructor(
    world: WorldData,
    tags: { tagId: string; residentId: string | null }[],
    private readonly opts: GeoPoolOptions,
  ) {
    const floorIds = (this.floorIds = world.sites.flatMap((s) => s.floors.map((f) => f.id)));
    floorIds.forEach((id, i) => this.floorIndex.set(id, i));
    for (const t of tags) this.addTagLocal(t.tagId, t.residentId);
    const n = Math.max(1, opts.workers);
    for (let w = 0; w < n; w++) {
      const mine = this.tagIds
        .map((tagId, idx) => ({ idx, tagId, residentId: this.tagResident[idx] }))
        .filter((t) => t.idx % n === w);
      const lane: Lane = { worker: null, inline: null, buf: [], accel: [], waiting: new Map(), submitted: 0, done: 0, dead: false, restarts: [], later: [] };
      if (opts.workers === 0) {
        lane.inline = new Partition(world, floorIds, undefined, () => performance.now());
        for (const t of mine) lane.inline.addTag(t.idx, t.tagId, t.residentId);
      } else {
        this.spawn(lane, { world, floorIds, tags: mine }, w);
      }
      this.lanes.push(lane);
    }
  }

  /** Resolves once every worker has loaded the world (answers a no-op tick). */
  async ready(): Promise<void> {
    await Promise.all(
      this.lanes.map(
        (lane) =>
          new Promise<void>((resolve) => {
            if (!lane.worker) return resolve();
            const seq = ++this.seq;
            const onMsg = (m: FromWorker) => {
              if (m.seq === seq) {
                lane.worker!.off('message', onMsg);
                resolve();
              }
            };
            lane.worker.on('message', onMsg);
            lane.waiting.set(seq, 0);
            lane.worker.postMessage({ type: 'tick', seq, now: 0 } satisfies ToWorker);
          }),
      ),
    );
  }

  hasTag(tagId: string): boolean {
    return this.tagIndex.has(tagId);
  }

  /** Register a tag (or re-register after a resident change); workers learn it before its next fix. */
  registerTag(tagId: string, residentId: string | null, resident?: Resident): void {
    const idx = this.tagIndex.get(tagId) ?? this.addTagLocal(tagId, residentId);
    this.tagResident[idx] = residentId;
    const lane = this.laneOf(idx);
    if (lane.inline) return lane.inline.addTag(idx, tagId, residentId, resident);
    const msg = { type: 'tag', idx, tagId, residentId, resident } satisfies ToWorker;
    lane.later.push(msg);
    lane.worker!.postMessage(msg);
  }

  /**
   * The configuration changed (zones edited, a site added): every worker rebuilds its world before
   * the next fix. New floors get new indices; known ones keep theirs.
   */
  updateWorld(world: WorldData): void {
    this.flush();
    for (const f of world.sites.flatMap((s) => s.floors)) if (!this.floorIndex.has(f.id)) this.floorIndex.set(f.id, this.floorIds.push(f.id) - 1);
    const floorIds = [...this.floorIds];
    for (const lane of this.lanes) {
      if (lane.inline) {
        lane.inline.setWorld(world, floorIds);
        continue;
      }
      const msg = { type: 'world', world, floorIds } satisfies ToWorker;
      // a restarted worker replays the newest world first, then every tag registration in order
      lane.later = [msg, ...lane.later.filter((m) => m.type !== 'world')];
      lane.worker!.postMessage(msg);
    }
  }

  /** Queue an accepted fix of a registered tag on a known floor. */
  submit(fix: Fix, escorted = false): void {
    const idx = this.tagIndex.get(fix.tagId);
    const floor = this.floorIndex.get(fix.floorId);
    if (idx === undefined || floor === undefined) throw new Error(`unregistered tag or floor: ${fix.tagId} ${fix.floorId}`);
    const lane = this.laneOf(idx);
    let accelRef = -1;
    if (fix.accel && fix.accel.samples.length) {
      accelRef = lane.accel.length;
      lane.accel.push(packAccel(fix.accel.hz, fix.accel.samples));
    }
    const b = lane.buf;
    const o = b.length;
    b.length = o + FIX_STRIDE;
    b[o + F.tag] = idx;
    b[o + F.floor] = floor;
    b[o + F.x] = fix.x;
    b[o + F.y] = fix.y;
    b[o + F.z] = fix.z ?? NaN;
    b[o + F.accuracy] = fix.accuracy;
    b[o + F.ts] = fix.ts;
    b[o + F.battery] = fix.battery ?? NaN;
    b[o + F.event] = eventCode(fix.event);
    b[o + F.accel] = accelRef;
    b[o + F.escorted] = escorted ? 1 : 0;
    this.stats.inflightFixes++;
    lane.submitted++;
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  /** Send every queued fix now. */
  flush(): void {
    this.flushScheduled = false;
    for (const lane of this.lanes) {
      if (lane.buf.length === 0) continue;
      if (lane.dead) {
        const dropped = lane.buf.length / FIX_STRIDE;
        lane.buf = [];
        lane.accel = [];
        lane.done += dropped;
        this.stats.inflightFixes -= dropped;
        this.releaseBarriers();
        continue;
      }
      const data = Float64Array.from(lane.buf);
      const accel = lane.accel;
      lane.buf = [];
      lane.accel = [];
      const seq = ++this.seq;
      const count = data.length / FIX_STRIDE;
      lane.waiting.set(seq, count);
      if (lane.inline) {
        this.onResult(lane, seq, lane.inline.processBatch(data, accel));
      } else {
        const transfer = [data.buffer, ...accel.filter((a): a is PackedAccel => a !== null).map((a) => a.buffer)];
        lane.worker!.postMessage({ type: 'fixes', seq, data, accel } satisfies ToWorker, transfer as ArrayBuffer[]);
      }
    }
  }

  /** Run the detectors of missing data for every tag. */
  tick(now: number): void {
    for (const lane of this.lanes) {
      const seq = ++this.seq;
      lane.waiting.set(seq, 0);
      if (lane.inline) this.onResult(lane, seq, lane.inline.tick(now));
      else lane.worker!.postMessage({ type: 'tick', seq, now } satisfies ToWorker);
    }
  }

  /** Resolves when every fix submitted so far has been processed. */
  async drain(): Promise<void> {
    this.flush();
    while (this.stats.inflightFixes > 0) await new Promise((r) => setTimeout(r, 2));
  }

  /**
   * Resolves once every fix submitted so far has been through its worker (or was lost with a
   * crashed worker), so its zone changes and candidates have been handed on.
   */
  processed(): Promise<void> {
    const targets = this.lanes.map((l) => l.submitted);
    if (this.lanes.every((l, i) => l.done >= targets[i])) return Promise.resolve();
    return new Promise((resolve) => this.barriers.push({ targets, resolve }));
  }

  private releaseBarriers(): void {
    let n = 0;
    // barriers are created in order, so they come due in order
    while (n < this.barriers.length && this.lanes.every((l, i) => this.closed || l.done >= this.barriers[n].targets[i])) n++;
    for (const b of this.barriers.splice(0, n)) b.resolve();
  }

  async close(): Promise<void> {
    this.closed = true;
    this.releaseBarriers();
    await Promise.all(this.lanes.map((l) => l.worker?.terminate()));
  }

  private onResult(lane: Lane, seq: number, r: BatchResult): void {
    const count = lane.waiting.get(seq) ?? 0;
    lane.waiting.delete(seq);
    lane.done += count;
    this.stats.inflightFixes -= count;
    this.stats.fixes += count;
    this.stats.batches++;
    this.stats.transitions += r.transitions;
    this.stats.busyMs += r.busyMs;
    this.stats.detectorFailures += r.failures.length;
    for (const f of r.failures) this.opts.onFailure?.({ tagId: this.tagIds[f.tag], detector: f.detector, error: f.error });
    if (r.zoneChanges.length && this.opts.onZoneChanges) {
      this.opts.onZoneChanges(r.zoneChanges.map((c) => ({ tagId: this.tagIds[c.tag], ts: c.ts, entered: c.entered, exited: c.exited })));
    }
    if (r.alerts.length) {
      this.opts.onAlerts(r.alerts.map((a) => ({ tagId: this.tagIds[a.tag], residentId: a.residentId, candidate: a.candidate })));
    }
    if (this.barriers.length) this.releaseBarriers();
  }

  private spawn(lane: Lane, init: GeoWorkerInit, w: number): void {
    const worker = new Worker(BOOT, { eval: true, workerData: init });
    for (const msg of lane.later) worker.postMessage(msg);
    worker.on('message', (m: FromWorker) => this.onResult(lane, m.seq, m.result));
    worker.on('error', (e) => {
      // A crashed worker loses its tags' detector state, not the service: report, drop what it
      // held in flight, and start a fresh one with the same tags.
      this.opts.onFailure?.({ tagId: '*', detector: `geo-worker-${w}`, error: e.message });
      for (const count of lane.waiting.values()) {
        this.stats.inflightFixes -= count;
        lane.done += count;
      }
      lane.waiting.clear();
      this.releaseBarriers();
      const now = Date.now();
      lane.restarts = lane.restarts.filter((t) => now - t < 60_000);
      lane.restarts.push(now);
      // a worker that cannot even start would otherwise restart in a tight loop
      if (!this.closed && lane.restarts.length <= 3) this.spawn(lane, init, w);
      else {
        this.stats.deadWorkers++;
        lane.dead = true;
      }
    });
    lane.worker = worker;
  }

  private laneOf(idx: number): Lane {
    return this.lanes[idx % this.lanes.length];
  }

  private addTagLocal(tagId: string, residentId: string | null): number {
    const idx = this.tagIds.length;
    this.tagIds.push(tagId);
    this.tagResident.push(residentId);
    this.tagIndex.set(tagId, idx);
    return idx;
  }
}
