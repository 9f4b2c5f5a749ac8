/**
 * The deck.gl layers of the live floor map as a pure function of what to show and the animation clock.
 * Everything is drawn in the site's local metres (CARTESIAN); dots and text are sized in pixels so they stay
 * touchable and legible at any zoom.
 */
import { COORDINATE_SYSTEM, type Layer } from '@deck.gl/core';
import { PathLayer, PolygonLayer, ScatterplotLayer, TextLayer, type TextLayerProps } from '@deck.gl/layers';
import type { ResidentMarker } from '../state/selectors';
import type { Focus, Locale, ZoneShape } from '../state/types';
import { ringCentroid } from '../../../geo/geometry';
import { hatchLines } from './geometry';
import type { Placement } from './label-placement';
import {
  FOCUS,
  FONT_FAMILY,
  HATCH,
  LABEL,
  RESIDENT,
  ZONE_FILL,
  ZONE_LINE,
  ZONE_LINE_WIDTH,
  type RGBA,
} from './palette';

export const LAYER_IDS = {
  zones: 'zones',
  hatch: 'forbidden-hatch',
  zoneLabels: 'zone-labels',
  exitLabels: 'exit-labels',
  halo: 'resident-halo',
  residents: 'residents',
  residentLabels: 'resident-labels',
  follow: 'resident-follow',
  focus: 'focus',
} as const;

export interface FloorLayerInput {
  /** Zone shapes of the floor in drawing order; a stable array per floor. */
  shapes: readonly ZoneShape[];
  markers: readonly ResidentMarker[];
  focus: Focus | null;
  locale: Locale;
  /** Animation clock, ms; only the pulses depend on it. */
  now: number;
  /** Where each resident's name goes; a resident without an entry shows no name (no room for it). */
  labels?: ReadonlyMap<string, Placement>;
  /** The resident the map follows, drawn with a ring. */
  followId?: string | null;
}

export interface ZoneLabel {
  id: string;
  text: string;
  position: [number, number];
  kind: ZoneShape['kind'];
  /** Text height in metres, chosen so the label fits inside its zone. */
  size: number;
}

const LABELLED_KINDS = new Set<ZoneShape['kind']>(['room', 'exit', 'forbidden']);
const HATCH_SPACING_M = 0.8;
const PULSE_PERIOD_MS = 1200;

/** Both derived arrays are cached per shapes array so deck.gl sees the same data and uploads nothing. */
const labelCache = new WeakMap<readonly ZoneShape[], Partial<Record<Locale, ZoneLabel[]>>>();
const hatchCache = new WeakMap<readonly ZoneShape[], [number, number][][]>();

export function zoneLabels(shapes: readonly ZoneShape[], locale: Locale): ZoneLabel[] {
  let byLocale = labelCache.get(shapes);
  if (!byLocale) labelCache.set(shapes, (byLocale = {}));
  return (byLocale[locale] ??= shapes
    .filter((s) => LABELLED_KINDS.has(s.kind) && s.name)
    .map((s) => {
      const [minX, minY, maxX, maxY] = ringBounds(s.rings[0]);
      const fit = fitLabel(locale === 'zh-CN' && s.nameZh ? s.nameZh : s.name, maxX - minX, maxY - minY);
      return { id: s.id, kind: s.kind, position: ringCentroid(s.rings[0]), ...fit };
    }));
}

const MAX_LABEL_M = 1.1;

/** Rough advance width of a string in ems for a bold sans-serif: CJK is square, Latin about 0.6. */
export function textWidthEm(text: string): number {
  let w = 0;
  for (const ch of text) w += ch.codePointAt(0)! >= 0x2e80 ? 1 : ch === ' ' ? 0.3 : 0.62;
  return w;
}

/**
 * The largest text height (metres, capped) at which `text` fits a `w` x `h` box, on one line or broken at
 * the space nearest its middle: "Room A201" in a 4 m wide room reads better as two lines than shrunk.
 */
export function fitLabel(text: string, w: number, h: number): { text: string; size: number } {
  const oneLine = Math.min(MAX_LABEL_M, (0.9 * w) / Math.max(textWidthEm(text), 0.1), 0.7 * h);
  let best = { text, size: oneLine };
  const spaces = [...text.matchAll(/ /g)].map((m) => m.index!);
  if (spaces.length) {
    const mid = text.length / 2;
    const at = spaces.reduce((a, b) => (Math.abs(b - mid) < Math.abs(a - mid) ? b : a));
    const lines = [text.slice(0, at), text.slice(at + 1)];
    const size = Math.min(MAX_LABEL_M, (0.9 * w) / Math.max(...lines.map(textWidthEm)), (0.7 * h) / 2.2);
    if (size > oneLine * 1.15) best = { text: lines.join('\n'), size };
  }
  return best;
}

function ringBounds(ring: readonly [number, number][]): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const [x, y] of ring) {
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x);
    maxY = Math.max(maxY, y);
  }
  return [minX, minY, maxX, maxY];
}

export function forbiddenHatch(shapes: readonly ZoneShape[]): [number, number][][] {
  let lines = hatchCache.get(shapes);
  if (!lines) {
    lines = shapes.filter((s) => s.kind === 'forbidden').flatMap((s) => hatchLines(s.rings, HATCH_SPACING_M));
    hatchCache.set(shapes, lines);
  }
  return lines;
}

const splitCache = new WeakMap<ZoneLabel[], { rooms: ZoneLabel[]; exits: ZoneLabel[] }>();
function splitLabels(all: ZoneLabel[]): { rooms: ZoneLabel[]; exits: ZoneLabel[] } {
  let split = splitCache.get(all);
  if (!split) {
    split = { rooms: all.filter((l) => l.kind !== 'exit'), exits: all.filter((l) => l.kind === 'exit') };
    splitCache.set(all, split);
  }
  return split;
}

/** 0..1..0 over one pulse period. */
export function pulse(now: number): number {
  return 0.5 - 0.5 * Math.cos(((now % PULSE_PERIOD_MS) / PULSE_PERIOD_MS) * 2 * Math.PI);
}

/** Whether anything on the map moves by itself (the caller then keeps an animation loop running). */
export function isAnimated(input: Pick<FloorLayerInput, 'markers' | 'focus'>): boolean {
  return input.focus !== null || input.markers.some((m) => m.status === 'alert');
}

export const MARKER_RADIUS = { normal: 8, acknowledged: 10, alert: 12 } as const;

export function floorLayers(input: FloorLayerInput): Layer[] {
  const { shapes, markers, focus, locale, now } = input;
  const names = input.labels;
  const labelled = names ? markers.filter((m) => names.has(m.id)) : (markers as ResidentMarker[]);
  const followed = input.followId ? markers.filter((m) => m.id === input.followId) : [];
  const coordinateSystem = COORDINATE_SYSTEM.CARTESIAN;
  const p = pulse(now);
  const alerting = markers.filter((m) => m.status === 'alert');
  const labels = splitLabels(zoneLabels(shapes, locale));

  return [
    new PolygonLayer<ZoneShape>({
      id: LAYER_IDS.zones,
      coordinateSystem,
      data: shapes as ZoneShape[],
      getPolygon: (s) => s.rings,
      filled: true,
      stroked: true,
      getFillColor: (s) => ZONE_FILL[s.kind] ?? ZONE_FILL.room,
      getLineColor: (s) => ZONE_LINE[s.kind] ?? ZONE_LINE.room,
      getLineWidth: (s) => ZONE_LINE_WIDTH[s.kind] ?? 1,
      lineWidthUnits: 'pixels',
      lineJointRounded: true,
      pickable: true,
    }),
    new PathLayer<[number, number][]>({
      id: LAYER_IDS.hatch,
      coordinateSystem,
      data: forbiddenHatch(shapes),
      getPath: (d) => d,
      getColor: HATCH,
      getWidth: 1.5,
      widthUnits: 'pixels',
    }),
    zoneLabelLayer(LAYER_IDS.zoneLabels, labels.rooms, {
      getColor: LABEL.room,
      getSize: (d) => d.size,
      sizeUnits: 'meters',
      sizeMinPixels: 7,
      sizeMaxPixels: 18,
      lineHeight: 1.1,
      fontWeight: 600,
    }),
    // Doors are small: their names sit on a dark pill so they stay legible over anything.
    zoneLabelLayer(LAYER_IDS.exitLabels, labels.exits, {
      getColor: LABEL.exit,
      getSize: 12,
      sizeUnits: 'pixels',
      fontWeight: 700,
      background: true,
      getBackgroundColor: LABEL.exitBg,
      backgroundPadding: [4, 2],
    }),
    new ScatterplotLayer<ResidentMarker>({
      id: LAYER_IDS.halo,
      coordinateSystem,
      data: alerting,
      getPosition: (m) => [m.x, m.y],
      getRadius: 18,
      radiusUnits: 'pixels',
      radiusScale: 1 + 0.9 * p,
      getFillColor: RESIDENT.halo,
      opacity: 1 - 0.75 * p,
    }),
    new ScatterplotLayer<ResidentMarker>({
      id: LAYER_IDS.residents,
      coordinateSystem,
      data: markers as ResidentMarker[],
      getPosition: (m) => [m.x, m.y],
      getRadius: (m) => MARKER_RADIUS[m.status],
      radiusUnits: 'pixels',
      filled: true,
      stroked: true,
      getFillColor: (m) => RESIDENT[m.status],
      getLineColor: (m) => (m.wanderRisk ? RESIDENT.wander : RESIDENT.outline),
      getLineWidth: (m) => (m.wanderRisk ? 4 : 2),
      lineWidthUnits: 'pixels',
      pickable: true,
    }),
    new ScatterplotLayer<ResidentMarker>({
      id: LAYER_IDS.follow,
      coordinateSystem,
      data: followed,
      getPosition: (m) => [m.x, m.y],
      getRadius: 17,
      radiusUnits: 'pixels',
      filled: false,
      stroked: true,
      getLineColor: [59, 130, 246, 255],
      getLineWidth: 4,
      lineWidthUnits: 'pixels',
    }),
    new TextLayer<ResidentMarker>({
      id: LAYER_IDS.residentLabels,
      coordinateSystem,
      data: labelled,
      getText: (m) => m.name,
      getPosition: (m) => [m.x, m.y],
      getPixelOffset: (m) => names?.get(m.id)?.offset ?? [0, MARKER_RADIUS[m.status] + 5 + 8],
      getAlignmentBaseline: 'center',
      updateTriggers: { getPixelOffset: names },
      getColor: LABEL.resident,
      getSize: 14,
      sizeUnits: 'pixels',
      fontFamily: FONT_FAMILY,
      fontWeight: 600,
      characterSet: 'auto',
      getTextAnchor: 'middle',
      background: true,
      getBackgroundColor: (m) => (m.status === 'alert' ? LABEL.residentAlertBg : LABEL.residentBg),
      backgroundPadding: [4, 2],
    }),
    new ScatterplotLayer<Focus>({
      id: LAYER_IDS.focus,
      coordinateSystem,
      data: focus ? [focus] : [],
      getPosition: (f) => [f.x, f.y],
      getRadius: 24,
      radiusUnits: 'pixels',
      radiusScale: 1 + 0.35 * p,
      filled: false,
      stroked: true,
      getLineColor: FOCUS as RGBA,
      getLineWidth: 3,
      lineWidthUnits: 'pixels',
    }),
  ];
}

/** Zone names centred on their label points, in the plan's frame; the style says how big and how bold. */
function zoneLabelLayer(id: string, data: ZoneLabel[], style: Partial<TextLayerProps<ZoneLabel>>): TextLayer<ZoneLabel> {
  return new TextLayer<ZoneLabel>({
    id,
    coordinateSystem: COORDINATE_SYSTEM.CARTESIAN,
    data,
    getText: (d) => d.text,
    getPosition: (d) => d.position,
    fontFamily: FONT_FAMILY,
    characterSet: 'auto',
    getTextAnchor: 'middle',
    getAlignmentBaseline: 'center',
    ...style,
  });
}
