/**
 * Durable files: an append-only file with group commit (the write-ahead log's segments, the embedded
 * store's journal and track files), and the atomic replacement of a file's whole content.
 *
 * Group commit: appends queue while a write is in flight; the next flush writes every queued buffer with
 * one writev and makes them durable with one fdatasync, then resolves them all. Throughput stays high
 * under concurrency while every resolved append is on disk.
 */
import { open, rename, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

interface Pending {
  buf: Buffer;
  /** Runs after the data is durable and before the promise resolves (state updates, see journal.ts). */
  onDurable?: (offset: number) => void;
  resolve: (offset: number) => void;
  reject: (e: unknown) => void;
}

export interface AppendFileOptions {
  /** Called after each fdatasync (a group), for metrics. */
  onSync?: () => void;
}

export class AppendFile {
  private queue: Pending[] = [];
  private flushing: Promise<void> | null = null;
  private error: unknown = null;

  private constructor(
    readonly path: string,
    private readonly handle: Promise<FileHandle>,
    /** Durable length of the file: where the next group lands. */
    public size: number,
    private readonly opts: AppendFileOptions,
  ) {
    // a failure to open is reported to the appends and reads waiting on it, not as an unhandled rejection
    handle.catch(() => undefined);
  }

  /** Opens (creating it, and making its directory entry durable) with `size` the valid length. */
  static async open(path: string, size: number, opts: AppendFileOptions = {}): Promise<AppendFile> {
    const file = AppendFile.opening(path, size, opts);
    await file.handle;
    return file;
  }

  /**
   * As `open`, but returns at once: appends queue until the file is open, and a failure to open fails
   * them (for a writer that must hand out positions synchronously, as the write-ahead log does).
   */
  static opening(path: string, size: number, opts: AppendFileOptions = {}): AppendFile {
    const handle = (async () => {
      const fh = await open(path, 'a+');
      try {
        const st = await fh.stat();
        // A torn tail (crash mid-write) beyond the last valid record is cut off before anything is appended.
        if (st.size > size) await fh.truncate(size);
        if (st.size === 0) await syncDir(dirname(path));
      } catch (e) {
        await fh.close().catch(() => undefined);
        throw e;
      }
      return fh;
    })();
    return new AppendFile(path, handle, size, opts);
  }

  /** Resolves with the offset the buffer was written at, once it is durable. */
  append(buf: Buffer, onDurable?: (offset: number) => void): Promise<number> {
    if (this.error) return Promise.reject(this.error);
    return new Promise((resolve, reject) => {
      this.queue.push({ buf, onDurable, resolve, reject });
      if (!this.flushing) this.flushing = this.flush();
    });
  }

  /** The error of a failed open, write or fsync, after which every append is refused; else null. */
  get failed(): unknown {
    return this.error;
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
    const { bytesRead } = await (await this.handle).read(buf, 0, buf.length, off);
    if (bytesRead !== buf.length) throw new Error(`${this.path}: short read at ${off}`);
  }

  private async flush(): Promise<void> {
    // Yield once so appends issued in the same tick (concurrent requests) join this group.
    await new Promise<void>((r) => setImmediate(r));
    while (this.queue.length) {
      const group = this.queue;
      this.queue = [];
      const start = this.size;
      try {
        const fh = await this.handle;
        await fh.writev(group.map((p) => p.buf));
        await fh.datasync();
      } catch (e) {
        // After a failed write or fsync the file's tail is unknown: refuse further appends
        // (reopening re-validates the tail) rather than acknowledge data that may be lost.
        this.error = e;
        for (const p of [...group, ...this.queue]) p.reject(e);
        this.queue = [];
        break;
      }
      this.opts.onSync?.();
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

  /** Waits for every queued append, then closes the file (nothing to close if it never opened). */
  async close(): Promise<void> {
    await this.drain();
    const fh = await this.handle.catch(() => null);
    await fh?.close();
  }
}

/** Makes a directory's entries (a created or renamed file) durable. */
export async function syncDir(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Replaces a file's content atomically and durably: written beside it, made durable, then swapped in by
 * rename (atomic on POSIX) and the directory synced; a crash leaves the old content or the new, whole.
 */
export async function replaceFile(path: string, data: string | Buffer): Promise<void> {
  const tmp = `${path}.tmp`;
  const fh = await open(tmp, 'w');
  try {
    await fh.writeFile(data);
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  await syncDir(dirname(path));
}
