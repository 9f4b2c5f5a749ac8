/**
 * MapLibre styles for the city map. The default is offline: the site's own outlines on a plain background, no
 * glyphs, no sprites, no tiles (labels are drawn by deck.gl from system fonts). With a local PMTiles basemap the
 * Protomaps style is drawn underneath, with its fonts and sprites served by the product; an operator's style URL
 * replaces the basemap entirely. The site layers go on top in every case.
 */
import { layers as protomapsLayers, namedFlavor } from '@protomaps/basemaps';
import type { LayerSpecification, StyleSpecification } from 'maplibre-gl';
import type { Locale, Theme } from '../state/types';
import type { CityCollection } from './site-geojson';

/** `GET /api/v1/map/config`. */
export interface MapConfig {
  /** Local PMTiles archive (same origin), e.g. /map/basemap.pmtiles. */
  pmtilesUrl?: string | null;
  /** Glyph URL template of the basemap fonts, e.g. /map/assets/fonts/{fontstack}/{range}.pbf. */
  glyphs?: string | null;
  /** Sprite base URL without the flavour, e.g. /map/assets/sprites/v4. */
  sprite?: string | null;
  /** An operator's own MapLibre style. */
  styleUrl?: string | null;
}

export const SITE_SOURCE = 'carewatch-site';

/** Colours of the site layers; tests count the building fill's pixels exactly, so keep it opaque. */
export const CITY_COLOURS: Record<Theme, { background: string; campus: string; campusLine: string; building: string; buildingLine: string; home: string; homeLine: string; safeLine: string; exit: string }> = {
  dark: {
    background: '#0b1222',
    campus: '#13233d',
    campusLine: '#94a3b8',
    building: '#3d4f6e',
    buildingLine: '#cbd5e1',
    home: '#1f3b2f',
    homeLine: '#4ade80',
    safeLine: '#38bdf8',
    exit: '#16be5a',
  },
  light: {
    background: '#eef2f7',
    campus: '#dbe7f3',
    campusLine: '#475569',
    building: '#9fb0c8',
    buildingLine: '#334155',
    home: '#d1fae5',
    homeLine: '#15803d',
    safeLine: '#0284c7',
    exit: '#16a34a',
  },
};

export const SITE_LAYER_IDS = ['site-campus', 'site-campus-line', 'site-homes', 'site-homes-line', 'site-safe-line', 'site-buildings', 'site-buildings-line', 'site-exits'] as const;

export function siteLayers(theme: Theme): LayerSpecification[] {
  const c = CITY_COLOURS[theme];
  const kind = (k: string) => ['==', ['get', 'kind'], k] as ['==', ['get', string], string];
  return [
    { id: 'site-campus', type: 'fill', source: SITE_SOURCE, filter: kind('campus'), paint: { 'fill-color': c.campus, 'fill-opacity': 0.85 } },
    { id: 'site-campus-line', type: 'line', source: SITE_SOURCE, filter: kind('campus'), paint: { 'line-color': c.campusLine, 'line-width': 2, 'line-dasharray': [3, 2] } },
    { id: 'site-homes', type: 'fill', source: SITE_SOURCE, filter: kind('home'), paint: { 'fill-color': c.home, 'fill-opacity': 0.7 } },
    { id: 'site-homes-line', type: 'line', source: SITE_SOURCE, filter: kind('home'), paint: { 'line-color': c.homeLine, 'line-width': 2 } },
    { id: 'site-safe-line', type: 'line', source: SITE_SOURCE, filter: kind('safe'), paint: { 'line-color': c.safeLine, 'line-width': 1.5, 'line-dasharray': [2, 2] } },
    { id: 'site-buildings', type: 'fill', source: SITE_SOURCE, filter: kind('building'), paint: { 'fill-color': c.building } },
    { id: 'site-buildings-line', type: 'line', source: SITE_SOURCE, filter: kind('building'), paint: { 'line-color': c.buildingLine, 'line-width': 1.5 } },
    { id: 'site-exits', type: 'fill', source: SITE_SOURCE, filter: kind('exit'), paint: { 'fill-color': c.exit } },
  ];
}

export function offlineStyle(data: CityCollection, theme: Theme): StyleSpecification {
  return {
    version: 8,
    name: 'carewatch-offline',
    sources: { [SITE_SOURCE]: { type: 'geojson', data: data as never } },
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': CITY_COLOURS[theme].background } }, ...siteLayers(theme)],
  };
}

/** The Protomaps basemap from a local PMTiles archive, with the site on top. */
export function pmtilesStyle(cfg: MapConfig, data: CityCollection, theme: Theme, locale: Locale): StyleSpecification {
  const flavor = theme === 'dark' ? 'dark' : 'light';
  const style: StyleSpecification = {
    version: 8,
    name: 'carewatch-protomaps',
    sources: {
      protomaps: { type: 'vector', url: `pmtiles://${new URL(cfg.pmtilesUrl!, location.href).href}`, attribution: '© OpenStreetMap' },
      [SITE_SOURCE]: { type: 'geojson', data: data as never },
    },
    // without local fonts the basemap's labels cannot draw: leave them out rather than fetch fonts from anywhere
    layers: [
      ...protomapsLayers('protomaps', namedFlavor(flavor), { lang: locale === 'zh-CN' ? 'zh-Hans' : 'en' }).filter((l) => cfg.glyphs || l.type !== 'symbol'),
      ...siteLayers(theme),
    ],
  };
  if (cfg.glyphs) style.glyphs = new URL(cfg.glyphs, location.href).href.replace(/%7B/g, '{').replace(/%7D/g, '}');
  if (cfg.sprite) style.sprite = new URL(`${cfg.sprite}/${flavor}`, location.href).href;
  return style;
}
