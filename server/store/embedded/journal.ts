/**
 * The records journal (alerts, audit, outbox, config changes): JSON lines, each prefixed with its crc32,
 * group-committed through AppendFile, replayed into memory on open. An entry is applied to memory only
 * once it is durable, so a reader never sees what a crash could take back. When most lines are
 * superseded (alert updates, delivered outbox items), the journal is rewritten from memory.
 */
import { readFile } from 'node:fs/promises';
import { crc32 } from 'node:zlib';
import { AppendFile, replaceFile } from '../../files/durable-file';

export interface JournalState<E> {
  apply(entry: E): void;
  /** Entries that rebuild the current state (for compaction). */
  snapshot(): E[];
}

const line = (e: unknown) => {
  const json = JSON.stringify(e);
  return `${crc32(json).toString(16).padStart(8, '0')} ${json}\n`;
};

export class Journal<E> {
  private compacting: Promise<void> | null = null;

  private constructor(
    private file: AppendFile,
    private readonly state: JournalState<E>,
    /** Lines in the file, to tell when compaction pays. */
    private lines: number,
    private readonly live: () => number,
  ) {}

  static async open<E>(path: string, state: JournalState<E>, live: () => number): Promise<Journal<E>> {
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
    const { entries, validBytes } = parse<E>(text, path);
    for (const e of entries) state.apply(e);
    const journal = new Journal(await AppendFile.open(path, validBytes), state, entries.length, live);
    await journal.maybeCompact();
    return journal;
  }

  /** Appends the entries as one durable group; they are applied to the state before this resolves. */
  async write(entries: E[]): Promise<void> {
    while (this.compacting) await this.compacting;
    const buf = Buffer.from(entries.map(line).join(''));
    await this.file.append(buf, () => {
      for (const e of entries) this.state.apply(e);
    });
    this.lines += entries.length;
    if (!this.compacting && this.lines > 2 * this.live() + 10_000) this.compacting = this.compact();
  }

  private async maybeCompact() {
    if (this.lines > 2 * this.live() + 1_000) {
      this.compacting = this.compact();
      await this.compacting;
    }
  }

  /** Write the live state to a new file, make it durable, then swap it in atomically by rename. */
  private async compact(): Promise<void> {
    try {
      await this.file.drain();
      const entries = this.state.snapshot();
      const buf = Buffer.from(entries.map(line).join(''));
      await replaceFile(this.file.path, buf);
      await this.file.close();
      this.file = await AppendFile.open(this.file.path, buf.length);
      this.lines = entries.length;
    } finally {
      this.compacting = null;
    }
  }

  async close(): Promise<void> {
    while (this.compacting) await this.compacting;
    await this.file.close();
  }
}

/**
 * The valid prefix of a journal. A torn tail (crash mid-write) is dropped; an invalid line followed
 * by valid ones is corruption, not a crash, and refuses to open rather than silently lose records.
 */
export function parse<E>(text: string, path: string): { entries: E[]; validBytes: number } {
  const entries: E[] = [];
  let pos = 0;
  let validBytes = 0;
  let bad = -1;
  while (pos < text.length) {
    const nl = text.indexOf('\n', pos);
    const end = nl === -1 ? text.length : nl;
    const l = text.slice(pos, end);
    const ok = nl !== -1 && l.length > 9 && l[8] === ' ' && parseInt(l.slice(0, 8), 16) === crc32(l.slice(9));
    if (ok && bad !== -1) throw new Error(`${path}: corrupt record at byte offset ${bad}; refusing to open`);
    if (ok) {
      entries.push(JSON.parse(l.slice(9)) as E);
      validBytes += Buffer.byteLength(text.slice(pos, end + 1));
    } else if (bad === -1) bad = validBytes;
    pos = end + 1;
  }
  return { entries, validBytes };
}
