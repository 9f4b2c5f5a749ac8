import { describe, expect, it } from 'vitest';
import { ringCentroid as centroid } from '../../geo/geometry';
import { boundsOf, fitBounds, hatchLines } from '../../client/src/map/geometry';
import { fitLabel, floorLayers, forbiddenHatch, isAnimated, LAYER_IDS, pulse, zoneLabels } from '../../client/src/map/layers';
import { initialState, reducer } from '../../client/src/state/reducer';
import { floorShapes, residentMarkers } from '../../client/src/state/selectors';
import type { Action } from '../../client/src/state/types';
import { alert, residents, site } from './fixtures/site';

const square: [number, number][][] = [
  [
    [0, 0],
    [4, 0],
    [4, 4],
    [0, 4],
    [0, 0],
  ],
];

describe('floor geometry', () => {
  it('puts the label of a room at its centroid', () => {
    expect(centroid(square[0])).toEqual([2, 2]);
  });

  it('hatches a polygon with diagonal segments that stay inside it', () => {
    const lines = hatchLines(square, 1);
    expect(lines).toHaveLength(5); // v = (y - x)/√2 in [-2.83, 2.83], one every metre
    for (const seg of lines) {
      for (const [x, y] of seg) {
        expect(x).toBeGreaterThanOrEqual(-1e-9);
        expect(x).toBeLessThanOrEqual(4 + 1e-9);
        expect(y).toBeGreaterThanOrEqual(-1e-9);
        expect(y).toBeLessThanOrEqual(4 + 1e-9);
      }
      const [[x0, y0], [x1, y1]] = seg;
      expect(Math.abs(x1 - x0 - (y1 - y0))).toBeLessThan(1e-9); // 45°
    }
  });

  it('leaves a hole in the hatching where the polygon has one', () => {
    const hole: [number, number][] = [
      [1, 1],
      [1, 3],
      [3, 3],
      [3, 1],
      [1, 1],
    ];
    const lines = hatchLines([...square, hole], 0.5);
    const midpoints = lines.map(([[x0, y0], [x1, y1]]) => [(x0 + x1) / 2, (y0 + y1) / 2]);
    // the diagonal through the centre is split in two around the hole
    expect(lines.filter(([[x0, y0]]) => Math.abs(x0 - y0) < 1e-9).length).toBe(2);
    expect(midpoints.some(([x, y]) => x > 1.01 && x < 2.99 && y > 1.01 && y < 2.99)).toBe(false);
  });

  it('fits the floor inside the viewport with padding', () => {
    const view = fitBounds({ minX: 0, minY: 0, maxX: 100, maxY: 20 }, 1048, 600, 24);
    expect(view.target).toEqual([50, 10, 0]);
    expect(2 ** view.zoom).toBeCloseTo(10, 6); // width-limited: (1048 - 48) / 100
  });

  it('measures the bounds of all outer rings', () => {
    const s = reducer(initialState({ locale: 'en' }), { type: 'data/loaded', sites: [site], residents });
    expect(boundsOf(floorShapes(s, 'b1-2'))).toEqual({ minX: 0, minY: 0, maxX: 30, maxY: 14 });
  });
});

describe('floor layers', () => {
  const actions: Action[] = [
    { type: 'data/loaded', sites: [site], residents },
    { type: 'floor/selected', floorId: 'b1-2' },
    {
      type: 'frame',
      frame: { floorId: 'b1-2', t: 1, full: true, gone: [], items: [{ r: 'res-wang', x: 27, y: 5, ts: 1 }, { r: 'res-li', x: 4, y: 8, ts: 1 }] },
    },
  ];
  const state = actions.reduce(reducer, initialState({ locale: 'zh-CN' }));
  const shapes = floorShapes(state, 'b1-2');

  it('draws zones, hatching, labels, residents, the followed ring and their names, bottom to top', () => {
    const layers = floorLayers({ shapes, markers: residentMarkers(state), focus: null, locale: 'zh-CN', now: 0 });
    expect(layers.map((l) => l.id)).toEqual([
      LAYER_IDS.zones,
      LAYER_IDS.hatch,
      LAYER_IDS.zoneLabels,
      LAYER_IDS.exitLabels,
      LAYER_IDS.halo,
      LAYER_IDS.residents,
      LAYER_IDS.follow,
      LAYER_IDS.residentLabels,
      LAYER_IDS.focus,
    ]);
    const residentLayer = layers.find((l) => l.id === LAYER_IDS.residents)!;
    expect((residentLayer.props.data as { name: string }[]).map((m) => m.name)).toEqual(['李建国', '王秀英']);
  });

  it('labels rooms, exits and forbidden zones in the chosen language', () => {
    expect(zoneLabels(shapes, 'zh-CN').map((l) => l.text).sort()).toEqual(['201室', '储藏室', '楼梯']);
    expect(zoneLabels(shapes, 'en').map((l) => l.text).sort()).toEqual(['Room 201', 'Stairs', 'Store']);
  });

  it('sizes a room label to fit its room, breaking it at a space when that reads larger', () => {
    expect(fitLabel('Room A201', 4, 6)).toEqual({ text: 'Room\nA201', size: 1.1 });
    expect(fitLabel('A201室', 4, 6).text).toBe('A201室');
    expect(fitLabel('Lounge', 2, 6).size).toBeCloseTo((0.9 * 2) / (6 * 0.62));
    expect(fitLabel('Dining room', 30, 10)).toEqual({ text: 'Dining room', size: 1.1 });
  });

  it('reuses the same label and hatch arrays for the same floor, so deck.gl re-uploads nothing', () => {
    expect(zoneLabels(shapes, 'en')).toBe(zoneLabels(shapes, 'en'));
    expect(forbiddenHatch(shapes)).toBe(forbiddenHatch(shapes));
    expect(forbiddenHatch(shapes).length).toBeGreaterThan(0);
  });

  it('pulses the halo of residents with an open alert, and only then animates', () => {
    const calm = residentMarkers(state);
    expect(isAnimated({ markers: calm, focus: null })).toBe(false);
    const alarmed = reducer(state, { type: 'alert/received', alert: alert({ residentId: 'res-wang' }) });
    const markers = residentMarkers(alarmed);
    expect(isAnimated({ markers, focus: null })).toBe(true);
    const at = (now: number) =>
      floorLayers({ shapes, markers, focus: null, locale: 'en', now }).find((l) => l.id === LAYER_IDS.halo)!
        .props as unknown as { data: unknown[]; radiusScale: number };
    expect(at(0).data).toHaveLength(1);
    expect(at(0).radiusScale).not.toBe(at(600).radiusScale);
    expect(pulse(0)).toBeCloseTo(0);
    expect(pulse(600)).toBeCloseTo(1);
  });
});
