/**
 * Child process of the crash-durability test: appends numbered batches to the embedded store in the
 * directory CRASH_CHILD_DIR from several concurrent writers and prints `ok <n>` as soon as batch n's promise resolves.
 * The parent kills it with SIGKILL mid-run and checks that every printed batch survived.
 */
import { createStore } from '../../server/store/index';
import type { TrackRow } from '../../server/store/types';

export const CRASH_T0 = Date.UTC(2026, 0, 5, 10, 0, 0);
export const CRASH_BATCH_ROWS = 100;

const dir = process.env.CRASH_CHILD_DIR;
if (dir) {
  const store = await createStore(undefined, dir);
  let next = 0;
  const writer = async () => {
    // All within one hour and one site: each batch is then a single block, all-or-nothing on disk.
    while (next < 30_000) {
      const n = next++;
      const rows: TrackRow[] = Array.from({ length: CRASH_BATCH_ROWS }, (_, i) => ({
        siteId: 'site-crash',
        residentId: `res-${i % 10}`,
        tagId: `tag-${i % 10}`,
        ts: CRASH_T0 + n * 100 + (i % 100),
        floorId: 'f1',
        x: i,
        y: n,
        kind: 'fix',
        detail: `b${n}`,
      }));
      await store.appendFixes(rows);
      process.stdout.write(`ok ${n}\n`);
    }
  };
  await Promise.all([writer(), writer(), writer(), writer()]);
  process.stdout.write('done\n');
}
