/** deck.gl layers of the city map, a pure function of the markers, tracks and label placement. */
import { PathLayer, ScatterplotLayer, TextLayer } from '@deck.gl/layers';
import type { Layer } from '@deck.gl/core';
import { FONT_FAMILY, RESIDENT, type RGBA } from '../map/palette';
import type { Placement } from '../map/label-placement';
import type { MarkerStatus } from '../state/selectors';

export interface CityMarker {
  id: string;
  name: string;
  lngLat: [number, number];
  status: MarkerStatus;
  community: boolean;
  wanderRisk: boolean;
  followed: boolean;
}

export interface AlertTrack {
  alertId: string;
  residentId: string;
  path: [number, number][];
}

export const CITY_LAYER_IDS = { tracks: 'city-tracks', residents: 'city-residents', labels: 'city-labels' } as const;

/** Community residents are teal so an operator tells them from the institution's residents at a glance. */
export const CITY_RESIDENT: Record<'community' | MarkerStatus, RGBA> = {
  community: [45, 212, 191, 255],
  normal: RESIDENT.normal,
  acknowledged: RESIDENT.acknowledged,
  alert: RESIDENT.alert,
};
export const TRACK_COLOUR: RGBA = [244, 63, 94, 230];
export const CITY_RADIUS = { normal: 7, acknowledged: 9, alert: 11 } as const;

export function cityLayers(markers: readonly CityMarker[], tracks: readonly AlertTrack[], labels: ReadonlyMap<string, Placement>, dark: boolean): Layer[] {
  const labelled = markers.filter((m) => labels.has(m.id));
  return [
    new PathLayer<AlertTrack>({
      id: CITY_LAYER_IDS.tracks,
      data: tracks as AlertTrack[],
      getPath: (t) => t.path,
      getColor: TRACK_COLOUR,
      getWidth: 4,
      widthUnits: 'pixels',
      capRounded: true,
      jointRounded: true,
    }),
    new ScatterplotLayer<CityMarker>({
      id: CITY_LAYER_IDS.residents,
      data: markers as CityMarker[],
      getPosition: (m) => m.lngLat,
      getRadius: (m) => CITY_RADIUS[m.status] + (m.followed ? 3 : 0),
      radiusUnits: 'pixels',
      stroked: true,
      getFillColor: (m) => (m.status === 'normal' && m.community ? CITY_RESIDENT.community : CITY_RESIDENT[m.status]),
      getLineColor: (m) => (m.followed ? [59, 130, 246, 255] : m.wanderRisk ? RESIDENT.wander : RESIDENT.outline),
      getLineWidth: (m) => (m.followed ? 4 : m.wanderRisk ? 3 : 1.5),
      lineWidthUnits: 'pixels',
      pickable: true,
      updateTriggers: { getRadius: markers, getLineColor: markers },
    }),
    new TextLayer<CityMarker>({
      id: CITY_LAYER_IDS.labels,
      data: labelled,
      getText: (m) => m.name,
      getPosition: (m) => m.lngLat,
      getPixelOffset: (m) => labels.get(m.id)!.offset,
      getColor: dark ? [248, 250, 252, 255] : [15, 23, 42, 255],
      getSize: 13,
      sizeUnits: 'pixels',
      fontFamily: FONT_FAMILY,
      fontWeight: 600,
      characterSet: 'auto',
      getTextAnchor: 'middle',
      getAlignmentBaseline: 'center',
      background: true,
      getBackgroundColor: (m) => (m.status === 'alert' ? [153, 27, 27, 235] : dark ? [15, 23, 42, 210] : [255, 255, 255, 225]),
      backgroundPadding: [4, 2],
      updateTriggers: { getPixelOffset: labels },
    }),
  ];
}
