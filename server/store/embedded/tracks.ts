/**
 * Track history on disk: one segment file per site and UTC hour (`tracks/<site>/<YYYY-MM-DDTHH>.seg`),
 * each a sequence of checksummed blocks (track-block.ts). A segment is loaded lazily the first time a
 * query, append or retention touches it: its blocks are verified, a torn tail is cut, and a sparse
 * in-memory index (ts range, residents, floors per block) is kept. Hour files make retention cheap
 * (whole files are unlinked; only the boundary hour is rewritten) and bound the work a query does.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { TrackCursor, TrackPage, TrackQuery, TrackRow } from '../types';
import { AppendFile, replaceFile } from '../../files/durable-file';
import {
  type BlockInfo,
  type Keyed,
  type RowFilter,
  MAX_ROWS_PER_BLOCK,
  allRows,
  decodeRows,
  encodeBlock,
  readBlock,
} from './track-block';

const HOUR = 3600_000;
const hourName = (hour: number) => `${new Date(hour).toISOString().slice(0, 13)}.seg`;
const hourOf = (name: string) => Date.parse(`${name.slice(0, 13)}:00:00Z`);

/** A file and the blocks it holds; replaced whole by a retention rewrite, closed when no reader holds it. */
interface Generation {
  file: AppendFile;
  blocks: BlockInfo[];
  readers: number;
  retired: boolean;
}

class Segment {
  /** Set while a retention rewrite runs; appends wait for it. */
  busy: Promise<void> | null = null;
  /** Deleted by retention or evicted from memory: callers resolve the slot again. */
  private dead = false;

  constructor(
    readonly siteId: string,
    readonly hour: number,
    public gen: Generation,
  ) {}

  static async load(path: string, siteId: string, hour: number): Promise<Segment> {
    let data: Buffer = Buffer.alloc(0);
    try {
      data = await readFile(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      await mkdir(dirname(path), { recursive: true });
    }
    const blocks: BlockInfo[] = [];
    let off = 0;
    for (;;) {
      const b = readBlock(data.subarray(off), off);
      if (!b) break;
      blocks.push(b);
      off += b.len;
    }
    // Bytes past the last intact block are a write torn by a crash; AppendFile.open truncates them.
    return new Segment(siteId, hour, { file: await AppendFile.open(path, off), blocks, readers: 0, retired: false });
  }

  /** False when the segment was deleted meanwhile. */
  async append(block: ReturnType<typeof encodeBlock>): Promise<boolean> {
    while (this.busy) await this.busy;
    if (this.dead) return false;
    const gen = this.gen;
    // The index learns of a block only once it is durable: queries never return rows a crash could lose.
    await gen.file.append(block.buf, (off) => gen.blocks.push({ ...block.info, off }));
    return true;
  }

  /**
   * Drops the index and closes the file if nothing uses it now; the next use loads it again.
   * Bounds memory and open files however many hours a long-running process has touched.
   */
  evict(): boolean {
    if (this.dead || this.busy || this.gen.readers > 0 || !this.gen.file.idle) return false;
    this.dead = true;
    // Idle: nothing to flush, so closing cannot lose data; a failure to close is not the caller's.
    this.retire().catch(() => undefined);
    return true;
  }

  /** Deletes the whole file; `unlinked` runs before waiting appends resume. Rows it held, null if evicted. */
  async remove(unlinked: () => void): Promise<number | null> {
    return this.exclusive(async () => {
      this.dead = true;
      const n = this.rows();
      await rm(this.gen.file.path, { force: true });
      unlinked();
      await this.retire();
      return n;
    });
  }

  /** Runs `fn` with appends held back and every earlier append written; null if the segment is dead. */
  private async exclusive<T>(fn: () => Promise<T>): Promise<T | null> {
    let release!: () => void;
    while (this.busy) await this.busy;
    if (this.dead) return null;
    this.busy = new Promise((r) => (release = r));
    try {
      await this.gen.file.drain();
      return await fn();
    } finally {
      this.busy = null;
      release();
    }
  }

  /** Null if the segment died meanwhile. */
  acquire(): Generation | null {
    if (this.dead) return null;
    this.gen.readers++;
    return this.gen;
  }

  async release(g: Generation): Promise<void> {
    if (--g.readers === 0 && g.retired) await g.file.close();
  }

  async read(g: Generation, b: BlockInfo): Promise<Buffer> {
    const buf = Buffer.allocUnsafe(b.len);
    await g.file.read(buf, b.off);
    return buf;
  }

  rows(): number {
    return this.gen.blocks.reduce((n, b) => n + b.count, 0);
  }

  async retire(): Promise<void> {
    if (this.gen.retired) return;
    this.gen.retired = true;
    if (this.gen.readers === 0) await this.gen.file.close();
  }

  /** Rewrites the file without rows older than `before`, keeping block ids; rows removed, null if evicted. */
  async dropBefore(before: number): Promise<number | null> {
    return this.exclusive(async () => {
      const old = this.gen;
      const parts: Buffer[] = [];
      let removed = 0;
      for (const b of old.blocks) {
        const buf = await this.read(old, b);
        if (b.tsMin >= before) {
          parts.push(buf);
          continue;
        }
        const keep = allRows(buf, this.siteId).filter((r) => r.ts >= before);
        removed += b.count - keep.length;
        if (keep.length) parts.push(encodeBlock(keep, b.id).buf);
      }
      if (removed === 0) return 0;
      // The survivors replace the file atomically.
      const path = old.file.path;
      const data = Buffer.concat(parts);
      await replaceFile(path, data);
      const blocks: BlockInfo[] = [];
      for (let off = 0; off < data.length; ) {
        const b = readBlock(data.subarray(off), off)!;
        blocks.push(b);
        off += b.len;
      }
      this.gen = { file: await AppendFile.open(path, data.length), blocks, readers: 0, retired: false };
      // Queries still reading the old file keep its handle until they finish.
      old.retired = true;
      if (old.readers === 0) await old.file.close();
      return removed;
    });
  }
}

/** A segment known from the directory listing, loaded on use and evicted when idle. */
class Slot {
  private seg: Promise<Segment> | null = null;
  /** The loaded segment, once its load finished. */
  current: Segment | null = null;
  lastUsed = 0;

  constructor(
    readonly path: string,
    readonly siteId: string,
    readonly hour: number,
  ) {}

  get loaded(): boolean {
    return this.seg !== null;
  }

  get(): Promise<Segment> {
    return (this.seg ??= Segment.load(this.path, this.siteId, this.hour).then(
      (s) => (this.current = s),
      (e) => {
        this.seg = null;
        throw e;
      },
    ));
  }

  unload(): void {
    this.seg = null;
    this.current = null;
  }
}

/** Loaded segments kept beyond this are evicted, least recently used first, once idle. */
const MAX_LOADED_SEGMENTS = 48;

export class TrackLog {
  /** siteId -> hour -> its segment. */
  private readonly sites = new Map<string, Map<number, Slot>>();
  private readonly loaded = new Set<Slot>();
  private clock = 0;
  private lastBlockId = 0;

  private constructor(private readonly dir: string) {}

  static async open(dir: string): Promise<TrackLog> {
    const log = new TrackLog(join(dir, 'tracks'));
    await mkdir(log.dir, { recursive: true });
    for (const site of await readdir(log.dir)) {
      const siteId = decodeURIComponent(site);
      const hours = new Map<number, Slot>();
      for (const name of await readdir(join(log.dir, site))) {
        if (name.endsWith('.seg')) hours.set(hourOf(name), new Slot(join(log.dir, site, name), siteId, hourOf(name)));
      }
      log.sites.set(siteId, hours);
    }
    return log;
  }

  /**
   * Block ids order rows with equal ts by write order: wall-clock based so they keep increasing across
   * restarts without reading every segment at open, and strictly increasing within a process.
   */
  private blockId(): number {
    this.lastBlockId = Math.max(Date.now() * 1000, this.lastBlockId + 1);
    return this.lastBlockId;
  }

  private async segment(siteId: string, hour: number): Promise<Segment> {
    let hours = this.sites.get(siteId);
    if (!hours) this.sites.set(siteId, (hours = new Map()));
    let slot = hours.get(hour);
    if (!slot) {
      const dir = join(this.dir, encodeURIComponent(siteId));
      slot = new Slot(join(dir, hourName(hour)), siteId, hour);
      hours.set(hour, slot);
    }
    return this.use(slot);
  }

  private use(slot: Slot): Promise<Segment> {
    slot.lastUsed = ++this.clock;
    if (!slot.loaded) {
      this.loaded.add(slot);
      this.trim(slot);
    }
    return slot.get();
  }

  /** Evicts idle segments, least recently used first, down to the bound (busy ones stay: a soft bound). */
  private trim(keep?: Slot): void {
    if (this.loaded.size <= MAX_LOADED_SEGMENTS) return;
    for (const s of [...this.loaded].sort((a, b) => a.lastUsed - b.lastUsed)) {
      if (this.loaded.size <= MAX_LOADED_SEGMENTS) break;
      if (s !== keep && s.current?.evict()) {
        s.unload();
        this.loaded.delete(s);
      }
    }
  }

  async append(rows: readonly TrackRow[]): Promise<void> {
    const groups = new Map<string, TrackRow[]>();
    for (const r of rows) {
      const key = `${Math.floor(r.ts / HOUR)}\0${r.siteId}`;
      let g = groups.get(key);
      if (!g) groups.set(key, (g = []));
      g.push(r);
    }
    const writes: Promise<void>[] = [];
    for (const g of groups.values()) {
      const hour = Math.floor(g[0].ts / HOUR) * HOUR;
      for (let i = 0; i < g.length; i += MAX_ROWS_PER_BLOCK) {
        const block = encodeBlock(g.slice(i, i + MAX_ROWS_PER_BLOCK), this.blockId());
        writes.push(this.appendBlock(g[0].siteId, hour, block));
      }
    }
    await Promise.all(writes);
    this.trim();
  }

  private async appendBlock(siteId: string, hour: number, block: ReturnType<typeof encodeBlock>): Promise<void> {
    // A segment deleted by retention while this append waited is recreated.
    while (!(await (await this.segment(siteId, hour)).append(block)));
  }

  async query(q: TrackQuery): Promise<TrackPage> {
    const limit = Math.min(Math.max(1, Math.floor(q.limit ?? 1000)), 10_000);
    const after = q.after === undefined ? undefined : parseCursor(q.after);
    const filter: RowFilter = {
      since: Math.max(q.since, after?.ts ?? -Infinity),
      until: q.until,
      residents: q.residentIds && new Set(q.residentIds),
      floorId: q.floorId,
      after,
    };
    if (filter.since >= filter.until || q.residentIds?.length === 0) return { rows: [] };

    // Candidate blocks from the sparse index, across sites and hours, in order of their earliest row.
    const held: [Segment, Generation][] = [];
    const cands: { seg: Segment; gen: Generation; b: BlockInfo }[] = [];
    try {
      for (const hours of this.sites.values()) {
        for (const [hour, slot] of hours) {
          if (hour + HOUR <= filter.since || hour >= filter.until) continue;
          let seg: Segment;
          let gen: Generation | null;
          do gen = (seg = await this.use(slot)).acquire();
          while (!gen);
          held.push([seg, gen]);
          for (const b of gen.blocks) {
            if (b.tsMax < filter.since || b.tsMin >= filter.until) continue;
            if (filter.floorId !== undefined && !b.floors.has(filter.floorId)) continue;
            if (filter.residents && !q.residentIds!.some((r) => b.residents.has(r))) continue;
            cands.push({ seg, gen, b });
          }
        }
      }
      cands.sort((x, y) => x.b.tsMin - y.b.tsMin);

      // Read in small parallel windows; stop once no later block can hold a row among the first limit+1.
      let out: Keyed[] = [];
      const WINDOW = 16;
      for (let i = 0; i < cands.length; i += WINDOW) {
        const win = cands.slice(i, i + WINDOW);
        const bufs = await Promise.all(win.map((c) => c.seg.read(c.gen, c.b)));
        bufs.forEach((buf, j) => decodeRows(buf, win[j].seg.siteId, filter, out));
        if (out.length > limit) {
          out.sort(order);
          out = out.slice(0, limit + 1);
          const nextMin = cands[i + WINDOW]?.b.tsMin;
          if (nextMin === undefined || nextMin > out[limit].ts) break;
        }
      }
      out.sort(order);
      if (out.length <= limit) return { rows: out.map((k) => k.row) };
      const last = out[limit - 1];
      return { rows: out.slice(0, limit).map((k) => k.row), next: `${last.ts}:${last.block}:${last.i}` };
    } finally {
      for (const [seg, gen] of held) await seg.release(gen);
      this.trim();
    }
  }

  /** Drops the site's rows with ts < before: whole hour files unlinked, the boundary hour rewritten. */
  async deleteBefore(siteId: string, before: number): Promise<number> {
    const hours = this.sites.get(siteId);
    if (!hours) return 0;
    let removed = 0;
    for (const [hour, slot] of [...hours]) {
      if (hour >= before) continue;
      for (;;) {
        const seg = await this.use(slot);
        const n = hour + HOUR <= before ? await seg.remove(() => hours.delete(hour)) : await seg.dropBefore(before);
        if (n === null) continue; // evicted while waiting: load it again
        removed += n;
        if (hour + HOUR <= before) this.loaded.delete(slot);
        break;
      }
    }
    return removed;
  }

  async close(): Promise<void> {
    for (const slot of this.loaded) {
      const seg = await slot.get().catch(() => null);
      if (seg) await seg.retire();
    }
    this.loaded.clear();
  }
}

function order(a: Keyed, b: Keyed): number {
  return a.ts - b.ts || a.block - b.block || a.i - b.i;
}

function parseCursor(c: TrackCursor): { ts: number; block: number; i: number } {
  const [ts, block, i] = c.split(':').map(Number);
  if (![ts, block, i].every(Number.isFinite)) throw new Error(`invalid track cursor: ${c}`);
  return { ts, block, i };
}
