/**
 * The deck.gl canvas of the live floor map: an orthographic view in the site's metres (y north, so no flip),
 * fitted to the floor whenever the floor changes, with an animation loop that runs only while something pulses.
 */
import { Deck, OrthographicView, type PickingInfo } from '@deck.gl/core';
import type { ResidentMarker } from '../state/selectors';
import type { ZoneShape } from '../state/types';
import { boundsOf, fitBounds, type OrthoView } from './geometry';
import { labelWidthPx, placeLabels, type Box, type Placement } from './label-placement';
import { floorLayers, isAnimated, LAYER_IDS, MARKER_RADIUS, textWidthEm, zoneLabels, type FloorLayerInput } from './layers';

/** Frames per second of the pulse animation; the dots themselves move at the server's ~4 Hz. */
const ANIMATION_FPS = 15;

export interface FloorMapView extends Omit<FloorLayerInput, 'now' | 'labels'> {
  floorId: string | null;
  /** The positions shown are a complete picture of `floorId` (a full frame arrived). */
  complete: boolean;
}

export interface FloorMapOptions {
  tooltip: (info: { resident?: ResidentMarker; zone?: ZoneShape }) => string | null;
  /** Called once per floor, after the first draw that includes its full frame. */
  onReady: (floorId: string) => void;
  /** A resident's dot was tapped or clicked. */
  onResidentClick: (residentId: string) => void;
}

type FloorViewState = OrthoView & { minZoom: number; maxZoom: number };

export class FloorMap {
  readonly deck: Deck<OrthographicView>;
  private view: FloorMapView | null = null;
  private fittedShapes: readonly ZoneShape[] | null = null;
  private userMoved = false;
  private readyFloor: string | null = null;
  private pendingReady: string | null = null;
  private raf = 0;
  private labels: Map<string, Placement> = new Map();
  private lastFrame = 0;
  private readonly resize: ResizeObserver;

  constructor(
    private readonly container: HTMLDivElement,
    private readonly opts: FloorMapOptions,
  ) {
    this.deck = new Deck<OrthographicView>({
      parent: container,
      views: new OrthographicView({ id: 'floor', flipY: false, controller: { doubleClickZoom: true } }),
      initialViewState: this.fitView(),
      layers: [],
      useDevicePixels: true,
      onViewStateChange: ({ interactionState }) => {
        if (interactionState?.isDragging || interactionState?.isZooming || interactionState?.isPanning) {
          this.userMoved = true;
        }
        // names are placed in screen space: a zoom makes room for more of them
        if (!this.raf) this.raf = requestAnimationFrame(() => {
          this.raf = 0;
          this.draw(performance.now());
          this.animate();
        });
      },
      onAfterRender: () => {
        if (this.pendingReady) {
          this.readyFloor = this.pendingReady;
          this.pendingReady = null;
          this.opts.onReady(this.readyFloor);
        }
      },
      getTooltip: (info: PickingInfo) => this.tooltip(info),
      onClick: (info: PickingInfo) => {
        if (info.layer?.id === LAYER_IDS.residents && info.object) this.opts.onResidentClick((info.object as ResidentMarker).id);
      },
    });
    this.resize = new ResizeObserver(() => {
      if (!this.userMoved) this.refit();
    });
    this.resize.observe(container);
  }

  /** Show `view`; refits when the floor (or its plan) changed. */
  update(view: FloorMapView): void {
    const floorChanged = view.floorId !== this.view?.floorId;
    this.view = view;
    if (floorChanged) this.readyFloor = null;
    if (floorChanged || view.shapes !== this.fittedShapes) {
      this.userMoved = false;
      this.refit();
    }
    this.draw(performance.now());
    if (view.complete && view.floorId && this.readyFloor !== view.floorId) this.pendingReady = view.floorId;
    this.animate();
  }

  /** Fit the whole floor into the canvas again (the "fit floor" button). */
  refit(): void {
    this.userMoved = false;
    this.fittedShapes = this.view?.shapes ?? null;
    // a fresh object: deck.gl resets its internal camera when initialViewState changes identity
    this.deck.setProps({ initialViewState: this.fitView() });
  }

  /** Screen position (CSS pixels inside the canvas) of a point in metres. */
  project(x: number, y: number): [number, number] | null {
    const vp = this.viewport();
    if (!vp) return null;
    const [px, py] = vp.project([x, y, 0]);
    return [px, py];
  }

  destroy(): void {
    cancelAnimationFrame(this.raf);
    this.resize.disconnect();
    this.deck.finalize();
  }

  private fitView(): FloorViewState {
    const bounds = boundsOf(this.view?.shapes ?? []);
    const fit = fitBounds(bounds, this.container.clientWidth, this.container.clientHeight, 56);
    return { ...fit, minZoom: fit.zoom - 2, maxZoom: fit.zoom + 5 };
  }

  private draw(now: number): void {
    if (!this.view) return;
    this.lastFrame = now;
    this.labels = this.placeNames();
    this.deck.setProps({ layers: floorLayers({ ...this.view, now, labels: this.labels }) });
  }

  /** Residents' names where there is room: alerts and the followed resident first; room names are obstacles. */
  private placeNames(): Map<string, Placement> {
    const view = this.view;
    const vp = this.viewport();
    if (!view || !vp) return new Map();
    const pxPerM = Math.pow(2, vp.zoom);
    const obstacles: Box[] = [];
    for (const l of zoneLabels(view.shapes, view.locale)) {
      if (l.kind === 'exit') continue;
      const size = Math.min(18, Math.max(7, l.size * pxPerM));
      const lines = l.text.split('\n');
      const w = Math.max(...lines.map(textWidthEm)) * size;
      const hgt = lines.length * size * 1.1;
      const [x, y] = vp.project([l.position[0], l.position[1], 0]);
      obstacles.push({ x0: x - w / 2, y0: y - hgt / 2, x1: x + w / 2, y1: y + hgt / 2 });
    }
    const rank = { alert: 3, acknowledged: 2, normal: 0 } as const;
    return placeLabels(
      view.markers.map((m) => {
        const [x, y] = vp.project([m.x, m.y, 0]);
        return { id: m.id, x, y, width: labelWidthPx(m.name, 14), height: 20, radius: MARKER_RADIUS[m.status], priority: rank[m.status] + (m.id === view.followId ? 5 : 0) };
      }),
      obstacles,
      { width: vp.width, height: vp.height },
    );
  }

  /** The view once deck.gl has one (it throws before its first render). */
  private viewport() {
    return this.deck.isInitialized ? this.deck.getViewports()[0] : undefined;
  }

  /** Residents whose names are shown now (tests, and the "more on tap" hint). */
  get labelled(): string[] {
    return [...this.labels.keys()];
  }

  /** Centre the map on a point (following a resident) without changing the zoom. */
  centreOn(x: number, y: number): void {
    const vp = this.viewport();
    if (!vp) return;
    const zoom = Math.max(vp.zoom, this.fitView().zoom + 1);
    this.userMoved = true;
    this.deck.setProps({ initialViewState: { ...this.fitView(), target: [x, y, 0], zoom } });
  }

  private animate(): void {
    if (this.raf || !this.view || !isAnimated(this.view)) return;
    const tick = (now: number) => {
      this.raf = 0;
      if (!this.view || !isAnimated(this.view)) return;
      if (now - this.lastFrame >= 1000 / ANIMATION_FPS) this.draw(now);
      this.raf = requestAnimationFrame(tick);
    };
    this.raf = requestAnimationFrame(tick);
  }

  private tooltip(info: PickingInfo): string | null {
    if (!info.object || !info.layer) return null;
    if (info.layer.id === LAYER_IDS.residents) return this.opts.tooltip({ resident: info.object as ResidentMarker });
    if (info.layer.id === LAYER_IDS.zones) return this.opts.tooltip({ zone: info.object as ZoneShape });
    return null;
  }
}
