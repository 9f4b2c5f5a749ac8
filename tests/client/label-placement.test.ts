import { describe, expect, it } from 'vitest';
import { placeLabels, type LabelCandidate } from '../../client/src/map/label-placement';
import { convexHull } from '../../client/src/city/site-geojson';

const dot = (id: string, x: number, y: number, priority = 0): LabelCandidate => ({ id, x, y, width: 60, height: 20, radius: 8, priority });
const view = { width: 400, height: 300 };

describe('collision-aware resident labels', () => {
  it('names two residents far apart both', () => {
    const placed = placeLabels([dot('a', 100, 100), dot('b', 300, 100)], [], view);
    expect([...placed.keys()].sort()).toEqual(['a', 'b']);
  });

  it('never lets two names overlap when residents share a room', () => {
    const crowd = Array.from({ length: 12 }, (_, i) => dot(`r${i}`, 200 + (i % 3) * 4, 150 + Math.floor(i / 3) * 4));
    const placed = placeLabels(crowd, [], view);
    const boxes = [...placed.entries()].map(([id, p]) => {
      const c = crowd.find((d) => d.id === id)!;
      const cx = c.x + p.offset[0];
      const cy = c.y + p.offset[1];
      return [cx - 30, cy - 10, cx + 30, cy + 10];
    });
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        expect(a[0] < b[2] && b[0] < a[2] && a[1] < b[3] && b[1] < a[3]).toBe(false);
      }
    expect(placed.size).toBeGreaterThan(0);
    expect(placed.size).toBeLessThan(crowd.length); // the rest wait for a closer zoom or a tap
  });

  it('names the resident with an alert first when only one fits', () => {
    // walls above, left and right: one slot left, below the pair
    const walls = [{ x0: 0, y0: 0, x1: 400, y1: 135 }, { x0: 0, y0: 0, x1: 165, y1: 300 }, { x0: 237, y0: 0, x1: 400, y1: 300 }];
    const placed = placeLabels([dot('calm', 200, 150, 0), dot('alarm', 200, 150, 3)], walls, view);
    expect([...placed.keys()]).toEqual(['alarm']);
  });

  it('never covers a room name', () => {
    const room = { x0: 150, y0: 110, x1: 250, y1: 140 };
    const placed = placeLabels([dot('a', 200, 150)], [room], view);
    const p = placed.get('a')!;
    expect(p.anchor).not.toBe('above');
  });

  it('drops names that would leave the screen', () => {
    const placed = placeLabels([dot('edge', 5, 5)], [], { width: 40, height: 40 });
    expect(placed.size).toBe(0);
  });
});

describe('building footprint hull', () => {
  it('is the closed convex hull of the points', () => {
    const hull = convexHull([[0, 0], [10, 0], [10, 5], [0, 5], [5, 2]]);
    expect(hull).toEqual([[0, 0], [10, 0], [10, 5], [0, 5], [0, 0]]);
  });
});
