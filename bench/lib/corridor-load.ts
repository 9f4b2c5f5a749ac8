/**
 * The load of the end-to-end benchmarks: ordinary residents (no wander risk) walking the sample's
 * corridors, sent as JSON batches whose timestamps move forward by at least 1 ms per batch so every
 * tag's fixes stay in order.
 */
export interface LoadTag {
  tagId: string;
  floorId: string;
  x: number;
  y: number;
}

/** A random point in the middle 60 % of a zone's bounding box. */
export function pointInBox(ring: number[][], rand: () => number): { x: number; y: number } {
  const xs = ring.map((p) => p[0]);
  const ys = ring.map((p) => p[1]);
  const [x0, x1, y0, y1] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  return { x: x0 + (x1 - x0) * (0.2 + 0.6 * rand()), y: y0 + (y1 - y0) * (0.2 + 0.6 * rand()) };
}

/** A function returning the next batch body: `size` tags in turn, each a step of 0.1–0.3 m from its last fix. */
export function batchMaker(load: LoadTag[], size: number, rand: () => number): () => string {
  let cursor = 0;
  let lastTs = Date.now() - 5000;
  return () => {
    const ts = Math.max(Date.now(), lastTs + 1);
    lastTs = ts;
    const fixes = [];
    for (let k = 0; k < size; k++) {
      const t = load[cursor++ % load.length];
      t.x += (rand() - 0.5) * 0.4;
      t.y += (rand() - 0.5) * 0.1;
      fixes.push({ tagId: t.tagId, ts, floorId: t.floorId, x: +t.x.toFixed(2), y: +t.y.toFixed(2), accuracy: 0.5, battery: 80 });
    }
    return JSON.stringify(fixes);
  };
}
