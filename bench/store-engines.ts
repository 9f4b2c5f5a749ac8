/**
 * Which engine should the embedded store use? Measures the track-history workload on every candidate
 * that can be installed here, with the same seeded rows and the same seeded queries:
 *
 *   insert   ~1M rows from N tags in batches of 1000, 4 batches in flight, each durable (fsync) before it counts
 *   q-res    "20 residents over 10 minutes" (median of 15)
 *   q-floor  "one floor over an hour" (median of 9)
 *   bytes    data directory size / rows, after close
 *
 * The chosen engine (our own segmented log, `carewatch embedded`) runs through the real Store
 * (server/store/), paging with its cursor; the others are measured raw, with the same key design.
 * Rejected candidates are not dependencies; to include them in a run:
 *   npm install --prefix /tmp/store-candidates classic-level lmdb better-sqlite3
 *   STORE_CANDIDATES=/tmp/store-candidates npx tsx bench/store-engines.ts [--rows 1000000] [--tags 500]
 * A PostgreSQL row is added when STORE_BENCH_PG is a postgres:// URL (a per-run schema, dropped after).
 */
import { createRequire } from 'node:module';
import { mkdtempSync, readdirSync, statSync, rmSync } from 'node:fs';
import { tmpdir, cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { createStore } from '../server/store/index';
import type { Store, TrackRow } from '../server/store/types';
import { mulberry32 } from '../geo/rng';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROWS = arg('rows', 1_000_000);
const TAGS = arg('tags', 500);
const FLOORS = 10;
const BATCH = 1000;
const IN_FLIGHT = 4;
const SPAN_MS = 2 * 3600_000;
const T0 = Date.UTC(2026, 0, 5, 20, 0, 0);

// ---- seeded data ----

function generate(): TrackRow[][] {
  const rnd = mulberry32(42);
  const interval = (SPAN_MS * TAGS) / ROWS;
  const pos = Array.from({ length: TAGS }, () => ({ x: rnd() * 60, y: rnd() * 30, zone: '' }));
  const batches: TrackRow[][] = [];
  let batch: TrackRow[] = [];
  for (let k = 0; k < ROWS; k++) {
    const t = k % TAGS;
    const p = pos[t];
    p.x = Math.min(60, Math.max(0, p.x + (rnd() - 0.5) * 2));
    p.y = Math.min(30, Math.max(0, p.y + (rnd() - 0.5) * 2));
    // Residents live on their ward's floor and now and then visit the ground floor (dining, activities).
    const floor = rnd() < 0.03 ? 0 : t % FLOORS;
    const zone = `z-${floor}-${Math.floor(p.x / 6)}`;
    const transition = zone !== p.zone;
    batch.push({
      siteId: 'site-1',
      residentId: `res-${t}`,
      tagId: `tag-${t}`,
      ts: Math.round(T0 + Math.floor(k / TAGS) * interval + (t * interval) / TAGS),
      floorId: `floor-${floor}`,
      x: Math.round(p.x * 100) / 100,
      y: Math.round(p.y * 100) / 100,
      z: 1.1,
      zoneId: zone,
      kind: transition ? 'transition' : 'fix',
      detail: transition ? `enter ${zone}` : undefined,
    });
    p.zone = zone;
    if (batch.length === BATCH) {
      batches.push(batch);
      batch = [];
    }
  }
  if (batch.length) batches.push(batch);
  return batches;
}

interface Queries {
  res: { residentIds: string[]; since: number; until: number }[];
  floor: { floorId: string; since: number; until: number }[];
}

function queries(): Queries {
  const rnd = mulberry32(7);
  const pick = (n: number) => Math.floor(rnd() * n);
  const res = Array.from({ length: 15 }, () => {
    const ids = new Set<string>();
    while (ids.size < Math.min(20, TAGS)) ids.add(`res-${pick(TAGS)}`);
    const since = T0 + pick(SPAN_MS - 600_000);
    return { residentIds: [...ids], since, until: since + 600_000 };
  });
  const floor = Array.from({ length: 9 }, () => {
    const since = T0 + pick(SPAN_MS - 3600_000);
    return { floorId: `floor-${pick(FLOORS)}`, since, until: since + 3600_000 };
  });
  return { res, floor };
}

// ---- candidates ----

/** What the bench asks of each engine: durable batch insert and the two range queries (all rows, by ts). */
interface Candidate {
  name: string;
  open(dir: string): Promise<void>;
  insert(rows: TrackRow[]): Promise<void>;
  byResidents(ids: string[], since: number, until: number): Promise<number>;
  byFloor(floorId: string, since: number, until: number): Promise<number>;
  close(): Promise<void>;
  /** Bytes held outside the data directory (a database server), measured before close. */
  serverBytes?(): Promise<number>;
}

const hex = (n: number, w: number) => n.toString(16).padStart(w, '0');
const tuple = (r: TrackRow) => [r.siteId, r.residentId, r.tagId, r.ts, r.floorId, r.x, r.y, r.z, r.zoneId, r.kind, r.detail];

/** The real store, as the server will use it (paging through with the cursor). */
function carewatch(name: string, url?: string): Candidate {
  let store: Store;
  const schema = url && new URL(url).searchParams.get('schema');
  const admin = async <T>(f: (c: pg.Client) => Promise<T>) => {
    const c = new pg.Client({ connectionString: url!.split('?')[0] });
    await c.connect();
    try {
      return await f(c);
    } finally {
      await c.end();
    }
  };
  const all = async (q: Parameters<Store['queryTrack']>[0]) => {
    let n = 0;
    let after: string | undefined;
    for (;;) {
      const page = await store.queryTrack({ ...q, after, limit: 10_000 });
      n += page.rows.length;
      if (!page.next) return n;
      after = page.next;
    }
  };
  return {
    name,
    async open(dir) {
      store = await createStore(url, dir);
    },
    insert: (rows) => store.appendFixes(rows),
    byResidents: (residentIds, since, until) => all({ residentIds, since, until }),
    byFloor: (floorId, since, until) => all({ floorId, since, until }),
    async close() {
      await store.close();
      if (schema) await admin((c) => c.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`));
    },
    serverBytes: schema
      ? () =>
          admin(async (c) => {
            await c.query('CHECKPOINT');
            const { rows } = await c.query(
              `SELECT coalesce(sum(pg_total_relation_size(oid)), 0)::bigint AS n FROM pg_class WHERE relnamespace = $1::regnamespace AND relkind = 'r'`,
              [schema],
            );
            return Number(rows[0].n);
          })
      : undefined,
  };
}

/** Raw LevelDB: two covering keys per row (resident, floor), JSON values, sync batches. */
function levelRaw(req: NodeRequire): Candidate {
  const { ClassicLevel } = req('classic-level');
  let db: any;
  let seq = 0;
  const scan = async (prefix: string, since: number, until: number) => {
    const out: unknown[] = [];
    for await (const v of db.values({ gte: prefix + hex(since, 13), lt: prefix + hex(until, 13) })) out.push(JSON.parse(v));
    return out;
  };
  return {
    name: 'classic-level (raw)',
    async open(dir) {
      db = new ClassicLevel(dir);
      await db.open();
    },
    async insert(rows) {
      const ops = [];
      for (const r of rows) {
        const k = hex(r.ts, 13) + hex(++seq, 12);
        const v = JSON.stringify(tuple(r));
        ops.push({ type: 'put', key: `r\0${r.residentId}\0${k}`, value: v }, { type: 'put', key: `f\0${r.floorId}\0${k}`, value: v });
      }
      await db.batch(ops, { sync: true });
    },
    async byResidents(ids, since, until) {
      const parts = await Promise.all(ids.map((id) => scan(`r\0${id}\0`, since, until)));
      const rows = parts.flat() as any[];
      rows.sort((a, b) => a[3] - b[3]);
      return rows.length;
    },
    async byFloor(floorId, since, until) {
      return (await scan(`f\0${floorId}\0`, since, until)).length;
    },
    close: () => db.close(),
  };
}

/** LMDB (lmdb-js): ordered-binary tuple keys, msgpack values, async batched commits, await flushed. */
function lmdbRaw(req: NodeRequire): Candidate {
  const { open } = req('lmdb');
  let db: any;
  let seq = 0;
  const scan = (prefix: string, id: string, since: number, until: number) => {
    const out: unknown[] = [];
    for (const { value } of db.getRange({ start: [prefix, id, since], end: [prefix, id, until] })) out.push(value);
    return out;
  };
  return {
    name: 'lmdb (raw)',
    async open(dir) {
      db = open({ path: dir });
    },
    async insert(rows) {
      await db.transaction(() => {
        for (const r of rows) {
          const v = tuple(r);
          ++seq;
          db.put(['r', r.residentId, r.ts, seq], v);
          db.put(['f', r.floorId, r.ts, seq], v);
        }
      });
      await db.flushed;
    },
    async byResidents(ids, since, until) {
      const rows = ids.flatMap((id) => scan('r', id, since, until)) as any[];
      rows.sort((a, b) => a[3] - b[3]);
      return rows.length;
    },
    async byFloor(floorId, since, until) {
      return scan('f', floorId, since, until).length;
    },
    close: () => db.close(),
  };
}

/** SQLite (better-sqlite3): one table, two indexes, WAL + synchronous=FULL, a transaction per batch. */
function sqliteRaw(req: NodeRequire): Candidate {
  const Database = req('better-sqlite3');
  let db: any;
  let insertMany: (rows: TrackRow[]) => void;
  let qRes: (n: number) => any, qFloor: any;
  const cache = new Map<number, any>();
  return {
    name: 'better-sqlite3 (raw)',
    async open(dir) {
      db = new Database(join(dir, 'tracks.db'));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      db.exec(`CREATE TABLE IF NOT EXISTS track (id INTEGER PRIMARY KEY, site TEXT, resident TEXT, tag TEXT, ts INTEGER,
        floor TEXT, x REAL, y REAL, z REAL, zone TEXT, kind TEXT, detail TEXT);
        CREATE INDEX IF NOT EXISTS track_res ON track (resident, ts);
        CREATE INDEX IF NOT EXISTS track_floor ON track (floor, ts);`);
      const ins = db.prepare('INSERT INTO track (site, resident, tag, ts, floor, x, y, z, zone, kind, detail) VALUES (?,?,?,?,?,?,?,?,?,?,?)');
      insertMany = db.transaction((rows: TrackRow[]) => {
        for (const r of rows) ins.run(r.siteId, r.residentId, r.tagId, r.ts, r.floorId, r.x, r.y, r.z ?? null, r.zoneId ?? null, r.kind, r.detail ?? null);
      });
      qRes = (n) => {
        if (!cache.has(n)) cache.set(n, db.prepare(`SELECT * FROM track WHERE resident IN (${Array(n).fill('?').join(',')}) AND ts >= ? AND ts < ? ORDER BY ts, id`));
        return cache.get(n);
      };
      qFloor = db.prepare('SELECT * FROM track WHERE floor = ? AND ts >= ? AND ts < ? ORDER BY ts, id');
    },
    async insert(rows) {
      insertMany(rows);
    },
    async byResidents(ids, since, until) {
      return qRes(ids.length).all(...ids, since, until).length;
    },
    async byFloor(floorId, since, until) {
      return qFloor.all(floorId, since, until).length;
    },
    async close() {
      db.close();
    },
  };
}

// ---- harness ----

function dirBytes(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(c: Candidate, batches: TrackRow[][], q: Queries) {
  const dir = mkdtempSync(join(tmpdir(), 'store-bench-'));
  try {
    await c.open(dir);
    const t0 = performance.now();
    let next = 0;
    const worker = async () => {
      while (next < batches.length) await c.insert(batches[next++]);
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const insertS = (performance.now() - t0) / 1000;
    const time = async (f: () => Promise<number>) => {
      const s = performance.now();
      const n = await f();
      return { ms: performance.now() - s, n };
    };
    const res = [];
    for (const x of q.res) res.push(await time(() => c.byResidents(x.residentIds, x.since, x.until)));
    const floor = [];
    for (const x of q.floor) floor.push(await time(() => c.byFloor(x.floorId, x.since, x.until)));
    const server = (await c.serverBytes?.()) ?? 0;
    await c.close();
    const bytes = dirBytes(dir) + server;
    return {
      engine: c.name,
      'rows/s': Math.round(ROWS / insertS),
      'q-res ms': +median(res.map((r) => r.ms)).toFixed(1),
      'q-res rows': median(res.map((r) => r.n)),
      'q-floor ms': +median(floor.map((r) => r.ms)).toFixed(1),
      'q-floor rows': median(floor.map((r) => r.n)),
      'B/row': +(bytes / ROWS).toFixed(1),
      checksum: res.reduce((a, r) => a + r.n, 0) + floor.reduce((a, r) => a + r.n, 0),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main() {
  console.log(`store-engines: ${ROWS} rows, ${TAGS} tags, ${FLOORS} floors, batches of ${BATCH}, ${IN_FLIGHT} in flight`);
  console.log(`machine: ${cpus()[0]?.model ?? '?'} x${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`);
  const batches = generate();
  const q = queries();
  const candidates: Candidate[] = [carewatch('carewatch embedded (own log)')];
  const extra = process.env.STORE_CANDIDATES;
  if (extra) {
    const req = createRequire(join(extra, 'package.json'));
    for (const make of [levelRaw, lmdbRaw, sqliteRaw]) {
      try {
        candidates.push(make(req));
      } catch (e) {
        console.log(`skipped a candidate: ${(e as Error).message.split('\n')[0]}`);
      }
    }
  } else {
    console.log('(STORE_CANDIDATES not set: only the chosen engine; see the header to add the others)');
  }
  if (process.env.STORE_BENCH_PG?.startsWith('postgres')) {
    const url = new URL(process.env.STORE_BENCH_PG);
    url.searchParams.set('schema', `bench_${process.pid}`);
    candidates.push(carewatch('carewatch postgres', url.toString()));
  }
  const only = process.env.STORE_ONLY;
  const results = [];
  for (const c of candidates) {
    if (only && !c.name.includes(only)) continue;
    global.gc?.();
    const r = await measure(c, batches, q);
    console.log(JSON.stringify(r));
    results.push(r);
  }
  console.table(results);
  if (!only || only === 'group') await groupCommit(batches.flat().slice(0, 40_000));
}

/**
 * Durability costs one fdatasync per flush; group commit shares it among every append in flight.
 * Small batches (10 rows, as a lightly loaded ingest sends) from 1 writer, then from 32 at once.
 */
async function groupCommit(rows: TrackRow[]) {
  const out = [];
  for (const writers of [1, 8, 32]) {
    const dir = mkdtempSync(join(tmpdir(), 'store-bench-gc-'));
    const store = await createStore(undefined, dir);
    try {
      const n = writers === 1 ? 4_000 : rows.length;
      let next = 0;
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: writers }, async () => {
          while (next < n) {
            const i = next;
            next += 10;
            await store.appendFixes(rows.slice(i, i + 10));
          }
        }),
      );
      const s = (performance.now() - t0) / 1000;
      out.push({ 'batch rows': 10, writers, 'rows/s': Math.round(n / s), 'batches/s': Math.round(n / 10 / s) });
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  }
  console.log('group commit (carewatch embedded, every append durable before it resolves):');
  console.table(out);
}

await main();
