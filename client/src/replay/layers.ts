/**
 * The replay map's deck.gl layers as a pure function of the moment shown: the live map's floor plan and resident
 * dots (reused as they are), with the tracks under the dots as fading trails (TripsLayer: the GPU drops and fades
 * each path by its per-vertex time, so playing only changes `currentTime`), a faint whole-window path of the
 * residents involved, and a marker where each alert of the window was raised.
 */
import { COORDINATE_SYSTEM, type Layer } from '@deck.gl/core';
import { TripsLayer } from '@deck.gl/geo-layers';
import { PathLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import { floorLayers, LAYER_IDS } from '../map/layers';
import { FONT_FAMILY, type RGBA } from '../map/palette';
import type { ResidentMarker } from '../state/selectors';
import type { Locale, ZoneShape } from '../state/types';
import type { TripSegment } from './tracks';

/** Distinct from every zone fill and marker colour of the floor map, so a test can find the trail by colour. */
export const REPLAY_COLOURS = {
  /** The resident the replay is about (the alert's resident, or the one followed). */
  trail: [217, 70, 239, 255] as RGBA,
  /** Everyone else on the floor. */
  otherTrail: [125, 211, 252, 255] as RGBA,
  /** The involved resident's whole path in the window, under the trail. */
  ghost: [217, 70, 239, 70] as RGBA,
  alertMarker: [244, 63, 94, 255] as RGBA,
  alertMarkerFill: [244, 63, 94, 60] as RGBA,
  otherAlertMarker: [251, 146, 60, 255] as RGBA,
  alertLabel: [255, 255, 255, 255] as RGBA,
  alertLabelBg: [136, 19, 55, 235] as RGBA,
};

export const REPLAY_LAYER_IDS = {
  ghost: 'replay-ghost',
  trails: 'replay-trails',
  alertMarkers: 'replay-alert-markers',
  alertLabels: 'replay-alert-labels',
} as const;

/** A trail shows this much of the past behind each dot (replay time). */
export const TRAIL_MS = 90_000;

export interface AlertMarker {
  id: string;
  x: number;
  y: number;
  label: string;
  /** The replayed alert (others in the window are drawn smaller, in orange). */
  main: boolean;
}

export interface ReplayLayerInput {
  shapes: readonly ZoneShape[];
  locale: Locale;
  /** Residents on this floor at the moment shown. */
  markers: readonly ResidentMarker[];
  /** Every track stretch on this floor (a stable array per floor). */
  trips: readonly TripSegment[];
  /** Residents whose trail and path stand out. */
  highlight: ReadonlySet<string>;
  /** The moment shown, ms after the trips' base. */
  currentTime: number;
  alerts: readonly AlertMarker[];
  /** Animation clock for the alert pulses, ms. */
  now: number;
}

const PLAN_IDS = new Set<string>([LAYER_IDS.zones, LAYER_IDS.hatch, LAYER_IDS.zoneLabels, LAYER_IDS.exitLabels]);

const ghostCache = new WeakMap<readonly TripSegment[], { key: string; list: TripSegment[] }>();
function highlighted(trips: readonly TripSegment[], ids: ReadonlySet<string>): TripSegment[] {
  const key = [...ids].sort().join(',');
  const hit = ghostCache.get(trips);
  if (hit && hit.key === key) return hit.list;
  const list = trips.filter((t) => ids.has(t.residentId));
  ghostCache.set(trips, { key, list });
  return list;
}

export function replayLayers(input: ReplayLayerInput): Layer[] {
  const { shapes, locale, markers, trips, highlight, currentTime, alerts, now } = input;
  const coordinateSystem = COORDINATE_SYSTEM.CARTESIAN;
  const live = floorLayers({ shapes, markers, focus: null, locale, now });
  const plan = live.filter((l) => PLAN_IDS.has(l.id));
  const dots = live.filter((l) => !PLAN_IDS.has(l.id));
  const colourKey = [...highlight].sort().join(',');

  return [
    ...plan,
    new PathLayer<TripSegment>({
      id: REPLAY_LAYER_IDS.ghost,
      coordinateSystem,
      data: highlighted(trips, highlight),
      getPath: (d) => d.path,
      getColor: REPLAY_COLOURS.ghost,
      getWidth: 3,
      widthUnits: 'pixels',
      jointRounded: true,
      capRounded: true,
    }),
    new TripsLayer<TripSegment>({
      id: REPLAY_LAYER_IDS.trails,
      coordinateSystem,
      data: trips as TripSegment[],
      getPath: (d) => d.path,
      getTimestamps: (d) => d.timestamps,
      getColor: (d) => (highlight.has(d.residentId) ? REPLAY_COLOURS.trail : REPLAY_COLOURS.otherTrail),
      getWidth: (d) => (highlight.has(d.residentId) ? 6 : 3),
      widthUnits: 'pixels',
      jointRounded: true,
      capRounded: true,
      fadeTrail: true,
      trailLength: TRAIL_MS,
      currentTime,
      updateTriggers: { getColor: colourKey, getWidth: colourKey },
    }),
    new ScatterplotLayer<AlertMarker>({
      id: REPLAY_LAYER_IDS.alertMarkers,
      coordinateSystem,
      data: alerts as AlertMarker[],
      getPosition: (a) => [a.x, a.y],
      getRadius: (a) => (a.main ? 20 : 14),
      radiusUnits: 'pixels',
      filled: true,
      stroked: true,
      getFillColor: (a) => (a.main ? REPLAY_COLOURS.alertMarkerFill : [0, 0, 0, 0]),
      getLineColor: (a) => (a.main ? REPLAY_COLOURS.alertMarker : REPLAY_COLOURS.otherAlertMarker),
      getLineWidth: (a) => (a.main ? 5 : 3),
      lineWidthUnits: 'pixels',
      pickable: true,
    }),
    ...dots,
    // above the dots: the label must stay readable while the resident stands on the spot
    new TextLayer<AlertMarker>({
      id: REPLAY_LAYER_IDS.alertLabels,
      coordinateSystem,
      data: alerts as AlertMarker[],
      getText: (a) => a.label,
      getPosition: (a) => [a.x, a.y],
      getPixelOffset: (a) => [0, a.main ? -26 : -20],
      getColor: REPLAY_COLOURS.alertLabel,
      getSize: 13,
      sizeUnits: 'pixels',
      fontFamily: FONT_FAMILY,
      fontWeight: 700,
      characterSet: 'auto',
      getTextAnchor: 'middle',
      getAlignmentBaseline: 'bottom',
      background: true,
      getBackgroundColor: REPLAY_COLOURS.alertLabelBg,
      backgroundPadding: [5, 2],
    }),
  ];
}
