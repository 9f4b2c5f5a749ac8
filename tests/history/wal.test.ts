import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync, appendFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { WriteAheadLog, decodeRecord, encodeRecord, readRecordHead, type WalFix, type WalRecord } from '../../server/history/wal';

const dir = () => mkdtempSync(join(tmpdir(), 'carewatch-wal-'));
const fix = (i: number, over: Partial<WalFix> = {}): WalFix => ({ tagId: `T${i % 3}`, ts: 1_700_000_000_000 + i, floorId: 'f1', x: i * 0.1, y: -i, accuracy: 0.5, ...over });
const batch = (from: number, n: number) => Array.from({ length: n }, (_, k) => fix(from + k));

async function readAll(wal: WriteAheadLog): Promise<WalRecord[]> {
  const out: WalRecord[] = [];
  for await (const r of wal.records()) out.push(r);
  return out;
}

const segments = (d: string) => readdirSync(d).filter((n) => n.endsWith('.wal')).sort();

describe('write-ahead log', () => {
  it('encodes a batch so that ids, exact coordinates, height and event come back', () => {
    const fixes = [fix(1, { z: 1.25, event: 'sos', tagId: '标签-1' }), fix(2, { x: 1 / 3, y: 1e-9 }), fix(3, { floorId: 'out' })];
    const buf = encodeRecord(7, fixes);
    const head = readRecordHead(buf, 0)!;
    expect(head).toMatchObject({ seq: 7, count: 3, minTs: fixes[0].ts, maxTs: fixes[2].ts, len: buf.length });
    expect(decodeRecord(buf, 0, head)).toEqual({ seq: 7, fixes });
  });

  it('gives back every acknowledged batch, in seq order, after reopening', async () => {
    const d = dir();
    const wal = await WriteAheadLog.open(d);
    const seqs: number[] = [];
    for (let i = 0; i < 5; i++) {
      const { seq, durable } = wal.append(batch(i * 10, 10));
      await durable;
      seqs.push(seq);
    }
    await wal.close();
    const again = await WriteAheadLog.open(d);
    const recs = await readAll(again);
    expect(recs.map((r) => r.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(recs.flatMap((r) => r.fixes)).toEqual(batch(0, 50));
    expect(again.lastSeq).toBe(5);
    expect(again.append(batch(50, 1)).seq).toBe(6);
    await again.close();
  });

  it('makes batches appended while a write is in flight durable together, with one fdatasync per group', async () => {
    const wal = await WriteAheadLog.open(dir());
    await Promise.all(Array.from({ length: 200 }, (_, i) => wal.append(batch(i, 5)).durable));
    expect(wal.stats.appends).toBe(200);
    expect(wal.stats.syncs).toBeLessThanOrEqual(4);
    await wal.close();
  });

  it('ignores a torn tail after a crash and replays every whole record before it', async () => {
    const d = dir();
    const wal = await WriteAheadLog.open(d);
    for (let i = 0; i < 3; i++) await wal.append(batch(i * 4, 4)).durable;
    await wal.close();
    // the crash cut the next record halfway through its write
    const torn = encodeRecord(4, batch(12, 4));
    appendFileSync(join(d, segments(d)[0]), torn.subarray(0, torn.length >> 1));
    const again = await WriteAheadLog.open(d);
    expect(again.stats.discardedBytes).toBe(torn.length >> 1);
    expect((await readAll(again)).map((r) => r.seq)).toEqual([1, 2, 3]);
    // the next record goes to a new segment and both read back in order
    await again.append(batch(12, 4)).durable;
    await again.close();
    expect(segments(d)).toHaveLength(2);
    expect((await readAll(await WriteAheadLog.open(d))).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
  });

  it('stops at a record whose checksum does not match', async () => {
    const d = dir();
    const wal = await WriteAheadLog.open(d);
    for (let i = 0; i < 4; i++) await wal.append(batch(i * 4, 4)).durable;
    await wal.close();
    const path = join(d, segments(d)[0]);
    const data = readFileSync(path);
    const second = readRecordHead(data, 0)!.len;
    data[second + 60] ^= 0xff; // one flipped bit pattern inside record 2's rows
    writeFileSync(path, data);
    const again = await WriteAheadLog.open(d);
    expect((await readAll(again)).map((r) => r.seq)).toEqual([1]);
    expect(again.stats.discardedBytes).toBe(data.length - second);
    await again.close();
  });

  it('rotates segments by size and keeps seq order across them', async () => {
    const d = dir();
    const wal = await WriteAheadLog.open(d, { segmentBytes: 600 });
    for (let i = 0; i < 12; i++) await wal.append(batch(i * 5, 5)).durable;
    await wal.close();
    expect(segments(d).length).toBeGreaterThan(3);
    expect((await readAll(await WriteAheadLog.open(d))).map((r) => r.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
  });

  it('keeps the checkpoint across a reopen, and deletes the segments it covers once they are older than keepMs', async () => {
    const d = dir();
    let now = 1_000_000;
    const opts = { segmentBytes: 600, keepMs: 60_000, now: () => now };
    const wal = await WriteAheadLog.open(d, opts);
    for (let i = 0; i < 12; i++) await wal.append(batch(i * 5, 5)).durable;
    const before = segments(d).length;
    await wal.checkpoint(8);
    expect(wal.checkpointSeq).toBe(8);
    expect(segments(d)).toHaveLength(before); // younger than keepMs: kept to refill ring buffers
    now += 61_000;
    await wal.checkpoint(8);
    const left = segments(d);
    expect(left.length).toBeLessThan(before);
    // what is left still holds every record past the checkpoint
    expect(Number(left[0].slice(0, 16))).toBeLessThanOrEqual(9);
    await wal.close();
    const again = await WriteAheadLog.open(d, opts);
    expect(again.checkpointSeq).toBe(8);
    expect((await readAll(again)).map((r) => r.seq).filter((s) => s > 8)).toEqual([9, 10, 11, 12]);
    await again.close();
  });

  it('never moves the checkpoint past the last record appended', async () => {
    const wal = await WriteAheadLog.open(dir());
    await wal.append(batch(0, 1)).durable;
    await wal.checkpoint(99);
    expect(wal.checkpointSeq).toBe(1);
    await wal.close();
  });

  it('removes a segment holding no whole record at open, so its name can be used again', async () => {
    const d = dir();
    const wal = await WriteAheadLog.open(d);
    await wal.append(batch(0, 2)).durable;
    await wal.close();
    const rec = encodeRecord(2, batch(2, 2));
    writeFileSync(join(d, '0000000000000002.wal'), rec.subarray(0, 10));
    const again = await WriteAheadLog.open(d);
    expect(segments(d)).toEqual(['0000000000000001.wal']);
    await again.append(batch(2, 2)).durable;
    await again.close();
    expect(statSync(join(d, '0000000000000002.wal')).size).toBe(rec.length);
    expect((await readAll(await WriteAheadLog.open(d))).map((r) => r.seq)).toEqual([1, 2]);
  });
});
