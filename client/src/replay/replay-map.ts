/**
 * The replay's deck.gl canvas: the same orthographic view in site metres as the live map, but with a controlled
 * camera so "follow" can keep a resident centred while the user may still zoom. Dragging stops following.
 */
import { Deck, OrthographicView, type Layer, type PickingInfo } from '@deck.gl/core';
import { boundsOf, fitBounds, type OrthoView } from '../map/geometry';
import type { ZoneShape } from '../state/types';

type ViewState = OrthoView & { minZoom: number; maxZoom: number };

export interface ReplayMapOptions {
  /** The user panned the map (the screen turns "follow" off). */
  onUserPan: () => void;
  /** After each draw. */
  onAfterRender: () => void;
  tooltip: (info: PickingInfo) => string | null;
}

export class ReplayMap {
  readonly deck: Deck<OrthographicView>;
  private viewState: ViewState;
  private shapes: readonly ZoneShape[] = [];
  private userMoved = false;
  private readonly resize: ResizeObserver;
  private snapshots: (() => void)[] = [];

  constructor(
    private readonly container: HTMLDivElement,
    private readonly opts: ReplayMapOptions,
  ) {
    this.viewState = this.fitView();
    this.deck = new Deck<OrthographicView>({
      parent: container,
      views: new OrthographicView({ id: 'replay', flipY: false, controller: { doubleClickZoom: true } }),
      viewState: this.viewState,
      layers: [],
      useDevicePixels: true,
      onViewStateChange: ({ viewState, interactionState }) => {
        this.viewState = viewState as ViewState;
        if (interactionState?.isDragging || interactionState?.isPanning) {
          this.userMoved = true;
          this.opts.onUserPan();
        }
        if (interactionState?.isZooming) this.userMoved = true;
        this.deck.setProps({ viewState: this.viewState });
      },
      onAfterRender: () => {
        const waiting = this.snapshots;
        this.snapshots = [];
        for (const take of waiting) take();
        this.opts.onAfterRender();
      },
      getTooltip: (info: PickingInfo) => this.opts.tooltip(info),
    });
    this.resize = new ResizeObserver(() => {
      if (!this.userMoved) this.fit(this.shapes);
    });
    this.resize.observe(container);
  }

  setLayers(layers: Layer[]): void {
    this.deck.setProps({ layers });
  }

  /** Fit the whole floor into the canvas. */
  fit(shapes: readonly ZoneShape[]): void {
    this.shapes = shapes;
    this.userMoved = false;
    this.setView(this.fitView());
  }

  /** Keep the zoom, move the centre to (x, y). */
  centre(x: number, y: number): void {
    const [tx, ty] = this.viewState.target;
    if (Math.abs(tx - x) < 1e-3 && Math.abs(ty - y) < 1e-3) return;
    this.setView({ ...this.viewState, target: [x, y, 0] });
  }

  /** Screen position (CSS pixels inside the canvas) of a point in metres. */
  project(x: number, y: number): [number, number] | null {
    const vp = this.deck.getViewports()[0];
    if (!vp) return null;
    const [px, py] = vp.project([x, y, 0]);
    return [px, py];
  }

  /**
   * The canvas as a PNG data URL on `background`, as drawn with the layers last set. deck.gl applies new layers
   * in its next frame and the drawing buffer is not preserved after it, so the copy is made in that frame's
   * `onAfterRender`. Null when no frame comes (a hidden tab) within `timeoutMs`.
   */
  snapshot(background: string, timeoutMs = 3000): Promise<string | null> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.snapshots = this.snapshots.filter((s) => s !== take);
        resolve(null);
      }, timeoutMs);
      const take = () => {
        clearTimeout(timer);
        resolve(this.copyCanvas(background));
      };
      this.snapshots.push(take);
      this.deck.setProps({ layers: [...this.deck.props.layers] }); // a frame even if nothing changed
    });
  }

  destroy(): void {
    this.resize.disconnect();
    this.deck.finalize();
  }

  private copyCanvas(background: string): string | null {
    const src = this.deck.getCanvas();
    if (!src || !src.width || !src.height) return null;
    const out = document.createElement('canvas');
    out.width = src.width;
    out.height = src.height;
    const ctx = out.getContext('2d');
    if (!ctx) return null;
    ctx.fillStyle = background;
    ctx.fillRect(0, 0, out.width, out.height);
    ctx.drawImage(src, 0, 0);
    return out.toDataURL('image/png');
  }

  private setView(v: ViewState): void {
    this.viewState = v;
    this.deck.setProps({ viewState: v });
  }

  private fitView(): ViewState {
    const fit = fitBounds(boundsOf(this.shapes), this.container.clientWidth, this.container.clientHeight, 48);
    return { ...fit, minZoom: fit.zoom - 2, maxZoom: fit.zoom + 5 };
  }
}
