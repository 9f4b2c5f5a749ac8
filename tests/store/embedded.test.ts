import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createStore, storeKind } from '../../server/store/index';
import type { Store, TrackRow } from '../../server/store/types';
import { alert, row, runStoreContract } from './contract';
import { CRASH_BATCH_ROWS, CRASH_T0 } from './crash-child';

const tempDir = () => mkdtempSync(join(tmpdir(), 'carewatch-store-'));

runStoreContract('embedded', async () => {
  const dir = tempDir();
  let store: Store = await createStore(undefined, dir);
  return {
    store,
    async reopen() {
      await store.close();
      return (store = await createStore(undefined, dir));
    },
    async dispose() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

async function all(store: Store, since: number, until: number): Promise<TrackRow[]> {
  const rows: TrackRow[] = [];
  let after: string | undefined;
  do {
    const page = await store.queryTrack({ since, until, after, limit: 10_000 });
    rows.push(...page.rows);
    after = page.next;
  } while (after);
  return rows;
}

describe('embedded store', () => {
  it('is what createStore gives without a postgres URL, and an unknown URL scheme is refused', () => {
    expect(storeKind(undefined)).toBe('embedded');
    expect(storeKind('')).toBe('embedded');
    expect(storeKind('postgres://u@h/db')).toBe('postgres');
    expect(() => storeKind('mysql://u:secret@h/db')).toThrow(/mysql/);
    expect(() => storeKind('mysql://u:secret@h/db')).not.toThrow(/secret/);
  });

  it('keeps every batch whose appendFixes resolved when the process is killed with SIGKILL', async () => {
    const dir = tempDir();
    try {
      const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./crash-child.ts', import.meta.url))], {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, CRASH_CHILD_DIR: dir },
      });
      const acked = new Set<number>();
      let stderr = '';
      child.stderr.on('data', (d) => (stderr += d));
      const exited = new Promise<NodeJS.Signals | null>((r) => child.on('exit', (_code, signal) => r(signal)));
      await new Promise<void>((resolve, reject) => {
        let buf = '';
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          const lines = buf.split('\n');
          buf = lines.pop()!;
          for (const l of lines) if (l.startsWith('ok ')) acked.add(Number(l.slice(3)));
          // Mid-run: well after the first acknowledgements, while writers are still appending.
          if (acked.size >= 200) resolve();
        });
        child.on('exit', () => reject(new Error(`child exited before the kill: ${stderr}`)));
      });
      child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');

      const store = await createStore(undefined, dir);
      try {
        const rows = await all(store, CRASH_T0, CRASH_T0 + 3600_000);
        const perBatch = new Map<string, number>();
        for (const r of rows) perBatch.set(r.detail!, (perBatch.get(r.detail!) ?? 0) + 1);
        for (const n of acked) expect(perBatch.get(`b${n}`), `batch ${n}`).toBe(CRASH_BATCH_ROWS);
        // Batches caught mid-write are absent or whole, never torn.
        for (const [b, count] of perBatch) expect(count, b).toBe(CRASH_BATCH_ROWS);
        // The store goes on appending after the crash.
        await store.appendFixes([row({ siteId: 'site-crash', ts: CRASH_T0 + 3599_000, detail: 'after' })]);
        expect((await store.queryTrack({ since: CRASH_T0 + 3599_000, until: CRASH_T0 + 3600_000 })).rows).toHaveLength(1);
      } finally {
        await store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cuts a torn tail off the track segment and the journal on open, keeping what came before', async () => {
    const dir = tempDir();
    try {
      let store = await createStore(undefined, dir);
      const r1 = row({ ts: Date.UTC(2026, 0, 5, 21, 0, 1) });
      await store.appendFixes([r1]);
      await store.saveAlert(alert());
      await store.close();
      const siteDir = join(dir, 'tracks', 'site-1');
      const seg = join(siteDir, readdirSync(siteDir)[0]);
      const segBytes = statSync(seg).size;
      // What a crash in the middle of a write leaves: half a block header, half a journal line.
      appendFileSync(seg, Buffer.from([0x43, 0x57, 0x54, 0x31, 0xff, 0, 0]));
      appendFileSync(join(dir, 'records.log'), '1234abcd {"t":"alert","v":{"id":');

      store = await createStore(undefined, dir);
      // Segments are opened (and their tails checked) on first use.
      expect((await store.queryTrack({ since: r1.ts, until: r1.ts + 1 })).rows).toEqual([r1]);
      expect(statSync(seg).size).toBe(segBytes);
      expect(await store.getAlert('a1')).toEqual(alert());
      const r2 = row({ ts: r1.ts + 1 });
      await store.appendFixes([r2]);
      await store.saveAlert(alert({ id: 'a2' }));
      await store.close();

      store = await createStore(undefined, dir);
      expect((await store.queryTrack({ since: r1.ts, until: r1.ts + 2 })).rows).toEqual([r1, r2]);
      expect((await store.listAlerts()).map((a) => a.id)).toEqual(['a2', 'a1']);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses to open a journal corrupted in the middle rather than drop records silently', async () => {
    const dir = tempDir();
    try {
      const store = await createStore(undefined, dir);
      await store.saveAlert(alert({ id: 'a1' }));
      await store.saveAlert(alert({ id: 'a2' }));
      await store.close();
      const path = join(dir, 'records.log');
      // The first line's checksum no longer matches while the second still does.
      writeFileSync(path, `00000000${readFileSync(path, 'utf8').slice(8)}`);
      await expect(createStore(undefined, dir)).rejects.toThrow(/corrupt/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('serves a long history without keeping every hour open: segments are evicted when idle', async () => {
    const dir = tempDir();
    const fds = () => (existsSync('/proc/self/fd') ? readdirSync('/proc/self/fd').length : 0);
    const store = await createStore(undefined, dir);
    try {
      const T = Date.UTC(2026, 0, 1);
      const before = fds();
      for (let h = 0; h < 120; h++) await store.appendFixes([row({ ts: T + h * 3600_000, detail: `h${h}` }), row({ ts: T + h * 3600_000 + 1, detail: `h${h}b` })]);
      const got = await all(store, T, T + 120 * 3600_000);
      expect(got.map((r) => r.detail)).toEqual(Array.from({ length: 120 }, (_, h) => [`h${h}`, `h${h}b`]).flat());
      await new Promise((r) => setTimeout(r, 100)); // evicted files close asynchronously
      expect(fds() - before).toBeLessThanOrEqual(50);
      expect(await store.deleteTracksBefore('site-1', T + 60 * 3600_000 + 1)).toBe(121);
      expect((await all(store, T, T + 120 * 3600_000)).map((r) => r.detail).slice(0, 2)).toEqual(['h60b', 'h61']);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a second open of a directory already open', async () => {
    const dir = tempDir();
    const store = await createStore(undefined, dir);
    try {
      await expect(createStore(undefined, dir)).rejects.toThrow(/already open/);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('group-commits concurrent writes and compacts a journal of superseded lines on reopen', async () => {
    const dir = tempDir();
    try {
      let store = await createStore(undefined, dir);
      // 1 500 updates of one alert, all in flight at once: a handful of fsyncs, not 1 500.
      await Promise.all(Array.from({ length: 1500 }, (_, i) => store.saveAlert(alert({ repeats: i }))));
      await store.close();
      const path = join(dir, 'records.log');
      expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(1500);
      store = await createStore(undefined, dir);
      expect(readFileSync(path, 'utf8').trim().split('\n')).toHaveLength(1);
      expect((await store.getAlert('a1'))?.repeats).toBe(1499);
      await store.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
