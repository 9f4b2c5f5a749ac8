/**
 * Collision-aware labels: names go where there is room, most important first (alerts, the followed resident),
 * never over a room's name or another label; the rest stay hidden until a closer zoom or a tap. Pure: screen
 * positions in, offsets out, so both the floor map and the city map use it and tests drive it with numbers.
 */
export interface LabelCandidate {
  id: string;
  /** Screen position of the point the label belongs to, CSS px. */
  x: number;
  y: number;
  /** Estimated label size, CSS px. */
  width: number;
  height: number;
  /** Radius of the dot the label must not cover. */
  radius: number;
  /** Higher is placed first. */
  priority: number;
}

/** An area no label may cover (a room name), CSS px. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export type Anchor = 'below' | 'above' | 'right' | 'left';

export interface Placement {
  /** Pixel offset of the label's centre from the point. */
  offset: [number, number];
  anchor: Anchor;
}

const GAP = 3;

function boxFor(c: LabelCandidate, a: Anchor): Box {
  const hw = c.width / 2;
  const hh = c.height / 2;
  let cx = c.x;
  let cy = c.y;
  if (a === 'below') cy += c.radius + GAP + hh;
  else if (a === 'above') cy -= c.radius + GAP + hh;
  else if (a === 'right') cx += c.radius + GAP + hw;
  else cx -= c.radius + GAP + hw;
  return { x0: cx - hw, y0: cy - hh, x1: cx + hw, y1: cy + hh };
}

const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;

/**
 * Greedy placement in priority order over four candidate positions, with a uniform grid so 2,000 labels cost
 * milliseconds. `viewport` drops labels that would leave the screen; dots (every candidate's own circle) are
 * obstacles too, so a name never hides a neighbour.
 */
export function placeLabels(
  candidates: readonly LabelCandidate[],
  obstacles: readonly Box[],
  viewport: { width: number; height: number },
): Map<string, Placement> {
  const cell = 64;
  const grid = new Map<number, Box[]>();
  const keyOf = (cx: number, cy: number) => cx * 100_003 + cy;
  const insert = (b: Box) => {
    for (let cx = Math.floor(b.x0 / cell); cx <= Math.floor(b.x1 / cell); cx++)
      for (let cy = Math.floor(b.y0 / cell); cy <= Math.floor(b.y1 / cell); cy++) {
        const k = keyOf(cx, cy);
        const list = grid.get(k);
        if (list) list.push(b);
        else grid.set(k, [b]);
      }
  };
  const free = (b: Box) => {
    for (let cx = Math.floor(b.x0 / cell); cx <= Math.floor(b.x1 / cell); cx++)
      for (let cy = Math.floor(b.y0 / cell); cy <= Math.floor(b.y1 / cell); cy++) {
        const list = grid.get(keyOf(cx, cy));
        if (list) for (const o of list) if (overlaps(o, b)) return false;
      }
    return true;
  };
  for (const o of obstacles) insert(o);
  const onScreen = (c: LabelCandidate) => c.x >= -c.width && c.y >= -c.height && c.x <= viewport.width + c.width && c.y <= viewport.height + c.height;
  const visible = candidates.filter(onScreen);
  for (const c of visible) insert({ x0: c.x - c.radius, y0: c.y - c.radius, x1: c.x + c.radius, y1: c.y + c.radius });

  const out = new Map<string, Placement>();
  const order = [...visible].sort((a, b) => b.priority - a.priority || (a.id < b.id ? -1 : 1));
  for (const c of order) {
    for (const a of ['below', 'above', 'right', 'left'] as const) {
      const b = boxFor(c, a);
      if (b.x0 < 0 || b.y0 < 0 || b.x1 > viewport.width || b.y1 > viewport.height) continue;
      if (!free(b)) continue;
      insert(b);
      out.set(c.id, { offset: [(b.x0 + b.x1) / 2 - c.x, (b.y0 + b.y1) / 2 - c.y], anchor: a });
      break;
    }
  }
  return out;
}

/** Rough label width in px for a font size: CJK glyphs are square, Latin about 0.6 em. */
export function labelWidthPx(text: string, sizePx: number, paddingPx = 8): number {
  let em = 0;
  for (const ch of text) em += ch.codePointAt(0)! >= 0x2e80 ? 1 : ch === ' ' ? 0.3 : 0.62;
  return em * sizePx + paddingPx;
}
