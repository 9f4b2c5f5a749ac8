/**
 * The write-ahead log of accepted fixes: ingest answers 202 only after a batch is here and on disk,
 * so a fix acknowledged to a device survives a kill -9 even though its track rows are written later,
 * compressed and batched (track-recorder.ts). Once those rows are durable in the store the recorder
 * moves the checkpoint; a restart replays the records past it (history.ts).
 *
 *   <dir>/<first seq, 16 digits>.wal   segments of checksummed records, appended in seq order
 *   <dir>/CHECKPOINT                   {"seq": n}: the rows of every record <= n are in the store
 *
 * Record (little-endian): header, a string table (tag and floor ids of the batch), then one row per fix.
 *
 *    0 u32 magic 'CWW1'   4 u32 record length   8 u32 crc32 of bytes [12, length)
 *   12 f64 seq           20 f64 min ts          28 f64 max ts          36 u32 fixes
 *   40 u16 strings, each u16 byte length + UTF-8
 *   rows, 37 bytes: u16 tag, u16 floor, f64 ts, f64 x, f64 y, f32 z (NaN: none), f32 accuracy, u8 event
 *
 * Only what the track history needs is logged (no accelerometer samples, no battery): detection state
 * is not rebuilt from the log, alerts are stored on their own path.
 *
 * Group commit: appends queue while a write is in flight; the next flush writes all of them with one
 * writev and one fdatasync, then resolves them together. A write or fsync that fails leaves the
 * segment's tail unknown: its waiters are rejected (ingest answers 500, nothing is acknowledged) and
 * the next append starts a fresh segment.
 */
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import { FIX_EVENTS, type Fix } from '../../geo/model';
import { AppendFile, replaceFile } from '../files/durable-file';

/** The part of a fix the log keeps. */
export type WalFix = Pick<Fix, 'tagId' | 'ts' | 'floorId' | 'x' | 'y' | 'z' | 'accuracy' | 'event'>;

export interface WalRecord {
  seq: number;
  fixes: WalFix[];
}

export interface WalOptions {
  /** Start a new segment beyond this size, bytes. Default 16 MiB. */
  segmentBytes?: number;
  /** ...or when the current one is older than this, ms. Default 60 s. */
  segmentMs?: number;
  /**
   * A fully checkpointed segment is deleted only once its last write is older than this, ms, so a
   * restart can refill the recorder's ring buffers (full-rate history before an alert). Default 3 min.
   */
  keepMs?: number;
  now?: () => number;
}

export interface WalStats {
  appends: number;
  /** fdatasync calls for appends: fewer than appends when group commit works. */
  syncs: number;
  bytes: number;
  segments: number;
  lastSeq: number;
  checkpoint: number;
  /** Bytes found after the last valid record of a segment at open (torn writes), discarded. */
  discardedBytes: number;
}

const MAGIC = 0x31575743; // 'CWW1' read as little-endian bytes
const HEADER = 40;
const ROW = 37;
const SEGMENT_RE = /^(\d{16})\.wal$/;

/** Encodes one batch as a record (no allocation per fix: the hot path of every acknowledged batch). */
export function encodeRecord(seq: number, fixes: readonly WalFix[]): Buffer {
  const ids = new Map<string, number>();
  const strings: string[] = [];
  const refs = new Uint16Array(fixes.length * 2);
  let strBytes = 0;
  let minTs = Infinity;
  let maxTs = -Infinity;
  for (let k = 0; k < fixes.length; k++) {
    const f = fixes[k];
    for (let j = 0; j < 2; j++) {
      const s = j === 0 ? f.tagId : f.floorId;
      let i = ids.get(s);
      if (i === undefined) {
        i = strings.push(s) - 1;
        ids.set(s, i);
        const n = Buffer.byteLength(s, 'utf8');
        if (n > 0xffff) throw new Error('wal: id too long');
        strBytes += 2 + n;
      }
      refs[2 * k + j] = i;
    }
    if (f.ts < minTs) minTs = f.ts;
    if (f.ts > maxTs) maxTs = f.ts;
  }
  if (strings.length > 0xffff) throw new Error('wal: too many distinct ids in one batch');
  const len = HEADER + 2 + strBytes + ROW * fixes.length;
  const buf = Buffer.allocUnsafe(len);
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(len, 4);
  buf.writeDoubleLE(seq, 12);
  buf.writeDoubleLE(fixes.length ? minTs : 0, 20);
  buf.writeDoubleLE(fixes.length ? maxTs : 0, 28);
  buf.writeUInt32LE(fixes.length, 36);
  let o = HEADER;
  buf.writeUInt16LE(strings.length, o);
  o += 2;
  for (const s of strings) {
    const n = buf.write(s, o + 2, 'utf8');
    buf.writeUInt16LE(n, o);
    o += 2 + n;
  }
  for (let k = 0; k < fixes.length; k++) {
    const f = fixes[k];
    buf.writeUInt16LE(refs[2 * k], o);
    buf.writeUInt16LE(refs[2 * k + 1], o + 2);
    buf.writeDoubleLE(f.ts, o + 4);
    buf.writeDoubleLE(f.x, o + 12);
    buf.writeDoubleLE(f.y, o + 20);
    buf.writeFloatLE(f.z ?? NaN, o + 28);
    buf.writeFloatLE(f.accuracy, o + 32);
    buf.writeUInt8(f.event ? FIX_EVENTS.indexOf(f.event) + 1 : 0, o + 36);
    o += ROW;
  }
  buf.writeUInt32LE(crc32(buf.subarray(12)), 8);
  return buf;
}

export interface RecordHead {
  len: number;
  seq: number;
  minTs: number;
  maxTs: number;
  count: number;
}

/** The record at `off` if it is whole and its checksum matches; null otherwise (torn or corrupt). */
export function readRecordHead(data: Buffer, off: number): RecordHead | null {
  if (off + HEADER > data.length) return null;
  if (data.readUInt32LE(off) !== MAGIC) return null;
  const len = data.readUInt32LE(off + 4);
  if (len < HEADER + 2 || off + len > data.length) return null;
  if (crc32(data.subarray(off + 12, off + len)) !== data.readUInt32LE(off + 8)) return null;
  return {
    len,
    seq: data.readDoubleLE(off + 12),
    minTs: data.readDoubleLE(off + 20),
    maxTs: data.readDoubleLE(off + 28),
    count: data.readUInt32LE(off + 36),
  };
}

/** Decodes a record whose head `readRecordHead` accepted. */
export function decodeRecord(data: Buffer, off: number, head: RecordHead): WalRecord {
  let o = off + HEADER;
  const n = data.readUInt16LE(o);
  o += 2;
  const strings: string[] = [];
  for (let i = 0; i < n; i++) {
    const l = data.readUInt16LE(o);
    strings.push(data.toString('utf8', o + 2, o + 2 + l));
    o += 2 + l;
  }
  const fixes: WalFix[] = new Array(head.count);
  for (let k = 0; k < head.count; k++) {
    const z = data.readFloatLE(o + 28);
    const ev = data.readUInt8(o + 36);
    const f: WalFix = {
      tagId: strings[data.readUInt16LE(o)],
      floorId: strings[data.readUInt16LE(o + 2)],
      ts: data.readDoubleLE(o + 4),
      x: data.readDoubleLE(o + 12),
      y: data.readDoubleLE(o + 20),
      accuracy: data.readFloatLE(o + 32),
    };
    if (!Number.isNaN(z)) f.z = z;
    if (ev > 0) f.event = FIX_EVENTS[ev - 1];
    fixes[k] = f;
    o += ROW;
  }
  return { seq: head.seq, fixes };
}

interface SegmentInfo {
  path: string;
  firstSeq: number;
  lastSeq: number;
  records: number;
  /** Valid bytes (a torn tail beyond them is ignored). */
  bytes: number;
  minTs: number;
  maxTs: number;
  /** Wall clock of the last write: mtime for segments found at open. */
  lastWriteAt: number;
}

/** The segment being appended to. */
interface Segment {
  info: SegmentInfo;
  file: AppendFile;
  createdAt: number;
}

export class WriteAheadLog {
  readonly stats: WalStats = { appends: 0, syncs: 0, bytes: 0, segments: 0, lastSeq: 0, checkpoint: 0, discardedBytes: 0 };
  private current: Segment | null = null;
  /** Closed segments and the current one, oldest first. */
  private segments: SegmentInfo[] = [];
  private closing: Promise<void>[] = [];
  private wantedCheckpoint = 0;
  private checkpointing: Promise<void> | null = null;
  private readonly opts: Required<WalOptions>;

  private constructor(
    readonly dir: string,
    opts: WalOptions,
  ) {
    this.opts = { segmentBytes: 16 * 2 ** 20, segmentMs: 60_000, keepMs: 180_000, now: Date.now, ...opts };
  }

  /** Opens the log, verifying every segment (a torn or corrupt tail ends that segment's valid records). */
  static async open(dir: string, opts: WalOptions = {}): Promise<WriteAheadLog> {
    const wal = new WriteAheadLog(dir, opts);
    await mkdir(dir, { recursive: true });
    await rm(join(dir, 'CHECKPOINT.tmp'), { force: true });
    const names = (await readdir(dir)).filter((n) => SEGMENT_RE.test(n)).sort();
    for (const name of names) {
      const path = join(dir, name);
      const data = await readFile(path);
      const info: SegmentInfo = {
        path,
        firstSeq: Number(name.slice(0, 16)),
        lastSeq: Number(name.slice(0, 16)) - 1,
        records: 0,
        bytes: 0,
        minTs: Infinity,
        maxTs: -Infinity,
        lastWriteAt: (await stat(path)).mtimeMs,
      };
      for (let off = 0; ; ) {
        const h = readRecordHead(data, off);
        if (!h || h.seq <= info.lastSeq) break;
        info.lastSeq = h.seq;
        info.records++;
        if (h.count > 0) {
          info.minTs = Math.min(info.minTs, h.minTs);
          info.maxTs = Math.max(info.maxTs, h.maxTs);
        }
        off += h.len;
        info.bytes = off;
      }
      wal.stats.discardedBytes += data.length - info.bytes;
      // A segment without one whole record holds nothing that was acknowledged.
      if (info.records === 0) await rm(path, { force: true });
      else wal.segments.push(info);
      wal.stats.lastSeq = Math.max(wal.stats.lastSeq, info.lastSeq);
    }
    try {
      const cp = JSON.parse(await readFile(join(dir, 'CHECKPOINT'), 'utf8')) as { seq?: unknown };
      if (typeof cp.seq === 'number' && Number.isFinite(cp.seq)) wal.stats.checkpoint = cp.seq;
    } catch {
      // none yet, or unreadable: replay everything retained (recovery skips rows already stored)
    }
    wal.wantedCheckpoint = wal.stats.checkpoint;
    wal.stats.segments = wal.segments.length;
    return wal;
  }

  get lastSeq(): number {
    return this.stats.lastSeq;
  }

  /** Durable checkpoint: the rows of every record up to it are in the store. */
  get checkpointSeq(): number {
    return this.stats.checkpoint;
  }

  /** What the retained segments hold (for recovery, before the first append). */
  span(): { records: number; minTs: number; maxTs: number } {
    let records = 0;
    let minTs = Infinity;
    let maxTs = -Infinity;
    for (const s of this.segments) {
      records += s.records;
      minTs = Math.min(minTs, s.minTs);
      maxTs = Math.max(maxTs, s.maxTs);
    }
    return { records, minTs, maxTs };
  }

  /** Every valid record of the segments found at open, in seq order; call before appending. */
  async *records(): AsyncGenerator<WalRecord> {
    let last = -Infinity;
    for (const s of [...this.segments]) {
      if (this.current && s === this.current.info) break;
      const data = await readFile(s.path);
      for (let off = 0; off < s.bytes; ) {
        const h = readRecordHead(data, off);
        if (!h) break;
        if (h.seq > last) {
          last = h.seq;
          yield decodeRecord(data, off, h);
        }
        off += h.len;
      }
    }
  }

  /**
   * Appends one batch. The seq is assigned at once (callers track it before it is durable); the
   * promise resolves once the record is on disk. Records land in their segment in seq order.
   */
  append(fixes: readonly WalFix[]): { seq: number; durable: Promise<void> } {
    const seq = ++this.stats.lastSeq;
    const buf = encodeRecord(seq, fixes);
    const w = this.writerFor(seq);
    w.info.lastSeq = seq;
    w.info.records++;
    if (fixes.length) {
      w.info.minTs = Math.min(w.info.minTs, buf.readDoubleLE(20));
      w.info.maxTs = Math.max(w.info.maxTs, buf.readDoubleLE(28));
    }
    w.info.lastWriteAt = this.opts.now();
    w.info.bytes += buf.length;
    this.stats.appends++;
    this.stats.bytes += buf.length;
    return { seq, durable: w.file.append(buf).then(() => undefined) };
  }

  /** The segment to append to: a new one by size, by age, or after a failed write. */
  private writerFor(seq: number): Segment {
    const w = this.current;
    const now = this.opts.now();
    if (w && !w.file.failed && w.info.bytes < this.opts.segmentBytes && now - w.createdAt < this.opts.segmentMs) return w;
    const path = join(this.dir, `${String(seq).padStart(16, '0')}.wal`);
    const file = AppendFile.opening(path, 0, { onSync: () => this.stats.syncs++ });
    const info: SegmentInfo = { path, firstSeq: seq, lastSeq: seq - 1, records: 0, bytes: 0, minTs: Infinity, maxTs: -Infinity, lastWriteAt: now };
    const next: Segment = { info, file, createdAt: now };
    this.current = next;
    this.segments.push(info);
    this.stats.segments = this.segments.length;
    if (w) {
      const closed: Promise<void> = w.file
        .close()
        .catch(() => undefined)
        .finally(() => this.closing.splice(this.closing.indexOf(closed), 1));
      this.closing.push(closed);
    }
    return next;
  }

  /**
   * Records that the rows of every record up to `seq` are durable in the store; writes the
   * checkpoint (coalescing concurrent calls) and then deletes segments no longer needed.
   */
  async checkpoint(seq: number): Promise<void> {
    if (seq > this.wantedCheckpoint) this.wantedCheckpoint = Math.min(seq, this.stats.lastSeq);
    while (this.checkpointing) await this.checkpointing;
    if (this.wantedCheckpoint > this.stats.checkpoint) {
      this.checkpointing = this.writeCheckpoint(this.wantedCheckpoint).finally(() => (this.checkpointing = null));
      await this.checkpointing;
    }
    await this.prune();
  }

  private async writeCheckpoint(seq: number): Promise<void> {
    await replaceFile(join(this.dir, 'CHECKPOINT'), JSON.stringify({ seq, at: this.opts.now() }));
    this.stats.checkpoint = seq;
  }

  /** Deletes segments wholly at or before the checkpoint and older than keepMs (never the current one). */
  private async prune(): Promise<void> {
    const cutoff = this.opts.now() - this.opts.keepMs;
    const keep: SegmentInfo[] = [];
    for (const s of this.segments) {
      const done = s !== this.current?.info && s.lastSeq <= this.stats.checkpoint && s.lastWriteAt <= cutoff;
      if (done) await rm(s.path, { force: true });
      else keep.push(s);
    }
    this.segments = keep;
    this.stats.segments = keep.length;
  }

  /** Waits for every append; closes the files. */
  async close(): Promise<void> {
    await this.current?.file.close().catch(() => undefined);
    await Promise.all(this.closing);
    while (this.checkpointing) await this.checkpointing;
  }
}
