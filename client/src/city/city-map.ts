/**
 * MapLibre GL with deck.gl drawn through @deck.gl/mapbox (MapboxOverlay): the map draws the site (and a basemap
 * when one is configured), deck.gl draws what moves: residents, their names where there is room, and the track of
 * an outdoor alert since it opened.
 */
import { MapboxOverlay } from '@deck.gl/mapbox';
import type { Layer } from '@deck.gl/core';
import * as maplibregl from 'maplibre-gl';
import 'maplibre-gl/dist/maplibre-gl.css';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import { Protocol } from 'pmtiles';
import type { Locale, Theme } from '../state/types';
import { boundsOfCollection, type CityCollection } from './site-geojson';
import { offlineStyle, pmtilesStyle, SITE_LAYER_IDS, SITE_SOURCE, siteLayers, type MapConfig } from './style';

maplibregl.setWorkerUrl(workerUrl);
let pmtilesRegistered = false;

export interface CityMapOptions {
  data: CityCollection;
  config: MapConfig;
  theme: Theme;
  locale: Locale;
  /** Called once, after the style loaded and deck.gl drew its first frame over it. */
  onReady: () => void;
  /** Padding (px) kept around the site when fitting. */
  padding?: number;
  interactive?: boolean;
}

export class CityMap {
  readonly map: maplibregl.Map;
  readonly overlay: MapboxOverlay;
  private styleLoaded = false;
  private ready = false;
  private theme: Theme;
  private readonly resize: ResizeObserver;

  constructor(
    container: HTMLElement,
    private readonly opts: CityMapOptions,
  ) {
    this.theme = opts.theme;
    const bounds = boundsOfCollection(opts.data);
    this.map = new maplibregl.Map({
      container,
      style: this.styleFor(opts.theme),
      bounds: bounds ?? undefined,
      fitBoundsOptions: { padding: opts.padding ?? 40 },
      center: bounds ? undefined : [0, 0],
      zoom: bounds ? undefined : 1,
      attributionControl: opts.config.pmtilesUrl || opts.config.styleUrl ? { compact: true } : false,
      interactive: opts.interactive ?? true,
      dragRotate: false,
      pitchWithRotate: false,
      // the product's own data only: no telemetry, no fonts from elsewhere
      localIdeographFontFamily: '"PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", "WenQuanYi Micro Hei", sans-serif',
    });
    this.map.touchZoomRotate.disableRotation();
    this.overlay = new MapboxOverlay({
      interleaved: false,
      layers: [],
      onAfterRender: () => {
        if (!this.ready && this.styleLoaded) {
          this.ready = true;
          this.opts.onReady();
        }
      },
    });
    this.map.addControl(this.overlay);
    this.map.on('load', () => {
      this.styleLoaded = true;
      this.addSiteLayersToForeignStyle();
      this.overlay.setProps({});
    });
    this.map.on('style.load', () => this.addSiteLayersToForeignStyle());
    this.map.on('error', (e) => console.error('carewatch: city map', e.error?.message ?? e));
    this.resize = new ResizeObserver(() => this.map.resize());
    this.resize.observe(container);
  }

  setLayers(layers: Layer[]): void {
    this.overlay.setProps({ layers });
  }

  setTheme(theme: Theme): void {
    if (theme === this.theme) return;
    this.theme = theme;
    if (this.opts.config.styleUrl) {
      // an operator's style has its own colours: only the site layers follow the theme
      for (const l of siteLayers(theme)) for (const [k, v] of Object.entries(l.paint ?? {})) this.map.setPaintProperty(l.id, k as 'fill-color', v);
      return;
    }
    this.map.setStyle(this.styleFor(theme));
  }

  fit(): void {
    const b = boundsOfCollection(this.opts.data);
    if (b) this.map.fitBounds(b, { padding: this.opts.padding ?? 40, duration: 0 });
  }

  flyTo(lngLat: [number, number], zoom?: number): void {
    this.map.easeTo({ center: lngLat, zoom: zoom ?? Math.max(this.map.getZoom(), 17), duration: 400 });
  }

  project(lngLat: [number, number]): [number, number] {
    const p = this.map.project(lngLat);
    return [p.x, p.y];
  }

  destroy(): void {
    this.resize.disconnect();
    this.map.remove();
  }

  private styleFor(theme: Theme): maplibregl.StyleSpecification | string {
    const cfg = this.opts.config;
    if (cfg.styleUrl) return cfg.styleUrl;
    if (cfg.pmtilesUrl) {
      if (!pmtilesRegistered) {
        maplibregl.addProtocol('pmtiles', new Protocol().tile);
        pmtilesRegistered = true;
      }
      return pmtilesStyle(cfg, this.opts.data, theme, this.opts.locale);
    }
    return offlineStyle(this.opts.data, theme);
  }

  /** An operator's style knows nothing of the site: add its source and layers on top once it has loaded. */
  private addSiteLayersToForeignStyle(): void {
    if (!this.opts.config.styleUrl || this.map.getSource(SITE_SOURCE)) return;
    this.map.addSource(SITE_SOURCE, { type: 'geojson', data: this.opts.data as never });
    for (const l of siteLayers(this.theme)) if (!this.map.getLayer(l.id)) this.map.addLayer(l);
  }
}

export { SITE_LAYER_IDS };
