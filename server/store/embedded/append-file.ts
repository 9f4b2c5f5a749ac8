/**
 * An append-only file with group commit: appends queue while a write is in flight; the next flush
 * writes every queued buffer with one writev and makes them durable with one fdatasync, then resolves
 * them all. Throughput stays high under concurrency while every resolved append is on disk.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

interface Pending {
  buf: Buffer;
  /** Runs after the data is durable and before the promise resolves (state updates, see journal.ts). */
  onDurable?: (offset: number) => void;
  resolve: (offset: number) => void;
  reject: (e: unknown) => void;
}

export class AppendFile {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private failed: unknown = null;

  private constructor(
    readonly path: string,
    private fh: FileHandle,
    /** Durable length of the file: where the next group lands. */
    public size: number,
  ) {}

  /** Opens (creating it, and making its directory entry durable) with `size` the valid length. */
  static async open(path: string, size: number): Promise<AppendFile> {
    const fh = await open(path, 'a+');
    const st = await fh.stat();
    // A torn tail (crash mid-write) beyond the last valid record is cut off before anything is appended.
    if (st.size > size) await fh.truncate(size);
    if (st.size === 0) await syncDir(dirname(path));
    return new AppendFile(path, fh, size);
  }

  /** Resolves with the offset the buffer was written at, once it is durable. */
  append(buf: Buffer, onDurable?: (offset: number) => void): Promise<number> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      this.queue.push({ buf, onDurable, resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  /** Nothing queued or being written. */
  get idle(): boolean {
    return !this.flushing && this.queue.length === 0;
  }

  /** Waits until every queued append is written (or failed). */
  async drain(): Promise<void> {
    while (this.flushing) await this.flushing;
  }

  /** Reads `buf.length` bytes at `off` (reads and appends may interleave: only durable ranges are read). */
  async read(buf: Buffer, off: number): Promise<void> {
    const { bytesRead } = await this.fh.read(buf, 0, buf.length, off);
    if (bytesRead !== buf.length) throw new Error(`${this.path}: short read at ${off}`);
  }

  private async flush(): Promise<void> {
    // Yield once so appends issued in the same tick join this group.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length) {
      const group = this.queue;
      this.queue = [];
      const start = this.size;
      try {
        await this.fh.writev(group.map((p) => p.buf));
        await this.fh.datasync();
      } catch (e) {
        // After a failed write or fsync the file's tail is unknown: refuse further appends
        // (reopening the store re-validates the tail) rather than acknowledge data that may be lost.
        this.failed = e;
        for (const p of [...group, ...this.queue]) p.reject(e);
        this.queue = [];
        break;
      }
      let off = start;
      for (const p of group) {
        p.onDurable?.(off);
        off += p.buf.length;
      }
      this.size = off;
      for (let i = 0, o = start; i < group.length; o += group[i].buf.length, i++) group[i].resolve(o);
    }
    this.flushing = null;
  }

  async close(): Promise<void> {
    await this.drain();
    await this.fh.close();
  }
}

export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}
