/**
 * The on-disk unit of track history: one appended batch (of one site and hour) is one self-contained,
 * checksummed block, so a torn write is detected and a block is all-or-nothing.
 *
 *   0  u32 magic 'CWT1'      4 u32 total length        8 u32 crc32 of bytes [12, length)
 *   12 u32 row count         16 f64 ts min            24 f64 ts max        32 f64 block id
 *   40 u32 dictionary bytes  44 dictionary JSON [strings, residents, floors]: residents first, then
 *                               floors, then the rest, so the index learns both sets from the header
 *   .. rows, 43 bytes each: ts f64, x f64, y f64, z f64 (NaN: none), resident u16, tag u16, floor u16,
 *      zone u16, detail u16 (0xffff: none), kind u8
 */
import { crc32 } from 'node:zlib';
import type { TrackRow } from '../types';

export const MAGIC = 0x31545743;
export const HEADER = 44;
const ROW = 43;
const NONE = 0xffff;
/** Keeps dictionary indexes within u16 (at most 5 strings per row). */
export const MAX_ROWS_PER_BLOCK = 10_000;

export interface BlockInfo {
  /** Offset in its segment file. */
  off: number;
  len: number;
  count: number;
  tsMin: number;
  tsMax: number;
  /** Unique, increasing in write order: the tie-breaker of rows with equal ts. */
  id: number;
  residents: Set<string>;
  floors: Set<string>;
}

/** The block's bytes and its index entry (minus its offset, known once written). */
export function encodeBlock(rows: readonly TrackRow[], id: number): { buf: Buffer; info: Omit<BlockInfo, 'off'> } {
  const dict = new Map<string, number>();
  const add = (s: string | undefined) => {
    if (s !== undefined && !dict.has(s)) dict.set(s, dict.size);
  };
  for (const r of rows) add(r.residentId);
  const nResidents = dict.size;
  for (const r of rows) add(r.floorId);
  const nFloors = dict.size - nResidents;
  for (const r of rows) {
    add(r.tagId);
    add(r.zoneId);
    add(r.detail);
  }
  const keys = [...dict.keys()];
  const strings = Buffer.from(JSON.stringify([keys, nResidents, nFloors]));
  const len = HEADER + strings.length + rows.length * ROW;
  const buf = Buffer.allocUnsafe(len);
  let tsMin = Infinity;
  let tsMax = -Infinity;
  let o = HEADER + strings.copy(buf, HEADER);
  const ix = (s: string | undefined) => (s === undefined ? NONE : dict.get(s)!);
  for (const r of rows) {
    buf.writeDoubleLE(r.ts, o);
    buf.writeDoubleLE(r.x, o + 8);
    buf.writeDoubleLE(r.y, o + 16);
    buf.writeDoubleLE(r.z ?? NaN, o + 24);
    buf.writeUInt16LE(ix(r.residentId), o + 32);
    buf.writeUInt16LE(ix(r.tagId), o + 34);
    buf.writeUInt16LE(ix(r.floorId), o + 36);
    buf.writeUInt16LE(ix(r.zoneId), o + 38);
    buf.writeUInt16LE(ix(r.detail), o + 40);
    buf.writeUInt8(r.kind === 'transition' ? 1 : 0, o + 42);
    if (r.ts < tsMin) tsMin = r.ts;
    if (r.ts > tsMax) tsMax = r.ts;
    o += ROW;
  }
  buf.writeUInt32LE(MAGIC, 0);
  buf.writeUInt32LE(len, 4);
  buf.writeUInt32LE(rows.length, 12);
  buf.writeDoubleLE(tsMin, 16);
  buf.writeDoubleLE(tsMax, 24);
  buf.writeDoubleLE(id, 32);
  buf.writeUInt32LE(strings.length, 40);
  buf.writeUInt32LE(crc32(buf.subarray(12)), 8);
  const info = {
    len,
    count: rows.length,
    tsMin,
    tsMax,
    id,
    residents: new Set(keys.slice(0, nResidents)),
    floors: new Set(keys.slice(nResidents, nResidents + nFloors)),
  };
  return { buf, info };
}

/** Header fields of a block at the start of `buf`, or null when the bytes are not a whole, intact block. */
export function readBlock(buf: Buffer, off: number): BlockInfo | null {
  if (buf.length < HEADER || buf.readUInt32LE(0) !== MAGIC) return null;
  const len = buf.readUInt32LE(4);
  if (len < HEADER || len > buf.length || crc32(buf.subarray(12, len)) !== buf.readUInt32LE(8)) return null;
  const [strings, nR, nF] = dictionary(buf);
  return {
    off,
    len,
    count: buf.readUInt32LE(12),
    tsMin: buf.readDoubleLE(16),
    tsMax: buf.readDoubleLE(24),
    id: buf.readDoubleLE(32),
    residents: new Set(strings.slice(0, nR)),
    floors: new Set(strings.slice(nR, nR + nF)),
  };
}

function dictionary(buf: Buffer): [string[], number, number] {
  return JSON.parse(buf.toString('utf8', HEADER, HEADER + buf.readUInt32LE(40)));
}

/** A decoded row with its place in the total order (ts, block id, row index). */
export interface Keyed {
  row: TrackRow;
  ts: number;
  block: number;
  i: number;
}

export interface RowFilter {
  since: number;
  until: number;
  residents?: ReadonlySet<string>;
  floorId?: string;
  /** Only rows after this position (exclusive). */
  after?: { ts: number; block: number; i: number };
}

/** Decodes the rows of one intact block that pass the filter. */
export function decodeRows(buf: Buffer, siteId: string, f: RowFilter, out: Keyed[]): void {
  const [strings] = dictionary(buf);
  const block = buf.readDoubleLE(32);
  const n = buf.readUInt32LE(12);
  const wantRes = f.residents ? strings.map((s) => f.residents!.has(s)) : null;
  const wantFloor = f.floorId === undefined ? -1 : strings.indexOf(f.floorId);
  const a = f.after;
  for (let i = 0, o = HEADER + buf.readUInt32LE(40); i < n; i++, o += ROW) {
    const ts = buf.readDoubleLE(o);
    if (ts < f.since || ts >= f.until) continue;
    if (a && (ts < a.ts || (ts === a.ts && (block < a.block || (block === a.block && i <= a.i))))) continue;
    const res = buf.readUInt16LE(o + 32);
    if (wantRes && !wantRes[res]) continue;
    const floor = buf.readUInt16LE(o + 36);
    if (wantFloor !== -1 ? floor !== wantFloor : f.floorId !== undefined) continue;
    const z = buf.readDoubleLE(o + 24);
    const zone = buf.readUInt16LE(o + 38);
    const detail = buf.readUInt16LE(o + 40);
    const row: TrackRow = {
      siteId,
      residentId: strings[res],
      tagId: strings[buf.readUInt16LE(o + 34)],
      ts,
      floorId: strings[floor],
      x: buf.readDoubleLE(o + 8),
      y: buf.readDoubleLE(o + 16),
      kind: buf.readUInt8(o + 42) === 1 ? 'transition' : 'fix',
    };
    if (!Number.isNaN(z)) row.z = z;
    if (zone !== NONE) row.zoneId = strings[zone];
    if (detail !== NONE) row.detail = strings[detail];
    out.push({ row, ts, block, i });
  }
}

/** Every row of a block (retention rewrites keep the block id so cursors stay valid). */
export function allRows(buf: Buffer, siteId: string): TrackRow[] {
  const out: Keyed[] = [];
  decodeRows(buf, siteId, { since: -Infinity, until: Infinity }, out);
  return out.map((k) => k.row);
}
