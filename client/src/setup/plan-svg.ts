/**
 * The setup screen's floor plan: an SVG in the site's metres (north up), every zone coloured by its kind so an
 * admin sees at a glance what each IMDF unit became. Tap a zone to select it; in draw mode, drag a rectangle.
 * SVG rather than WebGL here: a few hundred static polygons, crisp labels and hit-testing for free.
 */
import type { ZoneKind } from '../../../geo/model';
import { ZONE_FILL, ZONE_LINE } from '../map/palette';
import type { ZoneFeature } from '../state/types';

const NS = 'http://www.w3.org/2000/svg';
const rgba = (c: readonly number[], minAlpha = 0) => `rgba(${c[0]},${c[1]},${c[2]},${Math.max(minAlpha, c[3] / 255).toFixed(2)})`;

/** Kinds drawn first (underneath); the rest in this order so exits and forbidden areas stay on top. */
const ORDER: ZoneKind[] = ['campus', 'home', 'ward', 'safe', 'corridor', 'room', 'bed', 'bathroom', 'forbidden', 'exit'];

export function kindFill(kind: ZoneKind): string {
  return rgba(ZONE_FILL[kind], kind === 'safe' || kind === 'campus' || kind === 'home' ? 0.15 : 0);
}

/** Every polygon of a zone (a MultiPolygon zone has several), each outer ring first. */
function polygons(f: ZoneFeature): [number, number][][][] {
  return f.geometry.type === 'Polygon' ? [f.geometry.coordinates] : f.geometry.coordinates;
}

export interface PlanOptions {
  onSelect: (zoneId: string) => void;
  /** A rectangle drawn in draw mode, local metres, closed ring. */
  onDraw: (ring: [number, number][]) => void;
}

export class PlanSvg {
  readonly el = document.createElementNS(NS, 'svg');
  drawing = false;
  private draft: SVGRectElement | null = null;
  private start: [number, number] | null = null;

  constructor(private readonly opts: PlanOptions) {
    this.el.setAttribute('class', 'plan');
    this.el.setAttribute('data-testid', 'plan');
    this.el.setAttribute('preserveAspectRatio', 'xMidYMid meet');
    this.el.addEventListener('pointerdown', (e) => this.down(e));
    this.el.addEventListener('pointermove', (e) => this.move(e));
    this.el.addEventListener('pointerup', () => this.up());
  }

  show(features: readonly ZoneFeature[], selected: string | null): void {
    let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
    for (const f of features) for (const p of polygons(f)) for (const [x, y] of p[0]) (x0 = Math.min(x0, x)), (x1 = Math.max(x1, x)), (y0 = Math.min(y0, y)), (y1 = Math.max(y1, y));
    if (!Number.isFinite(x0)) [x0, y0, x1, y1] = [0, 0, 20, 10];
    const pad = Math.max(1, (x1 - x0) * 0.03);
    // y north: the SVG's y grows downwards, so draw -y
    this.el.setAttribute('viewBox', `${x0 - pad} ${-y1 - pad} ${x1 - x0 + 2 * pad} ${y1 - y0 + 2 * pad}`);
    const span = Math.max(x1 - x0, y1 - y0);
    const sorted = [...features].sort((a, b) => ORDER.indexOf(a.properties.kind) - ORDER.indexOf(b.properties.kind));
    const shapes = sorted.map((f) => {
      const p = document.createElementNS(NS, 'path');
      const d = polygons(f).flatMap((p) => p.map((ring) => `M${ring.map(([x, y]) => `${x},${-y}`).join('L')}Z`)).join('');
      p.setAttribute('d', d);
      p.setAttribute('fill-rule', 'evenodd');
      p.setAttribute('fill', kindFill(f.properties.kind));
      p.setAttribute('stroke', rgba(ZONE_LINE[f.properties.kind], 0.6));
      p.setAttribute('class', `zone${f.properties.id === selected ? ' sel' : ''}`);
      p.dataset.zone = f.properties.id;
      p.dataset.kind = f.properties.kind;
      p.addEventListener('click', (e) => {
        if (this.drawing) return;
        e.stopPropagation();
        this.opts.onSelect(f.properties.id);
      });
      const title = document.createElementNS(NS, 'title');
      title.textContent = `${f.properties.name} · ${f.properties.kind}`;
      p.append(title);
      return p;
    });
    // labels only where they fit: rooms big enough for their name at this scale
    const labels = sorted
      .filter((f) => f.properties.kind !== 'campus' && f.properties.kind !== 'ward' && f.properties.kind !== 'corridor')
      .flatMap((f) => {
        const ring = polygons(f)[0][0];
        const xs = ring.map((p) => p[0]);
        const ys = ring.map((p) => p[1]);
        const w = Math.max(...xs) - Math.min(...xs);
        const hgt = Math.max(...ys) - Math.min(...ys);
        const size = Math.min(span / 45, hgt / 2.5, (w / Math.max(4, f.properties.name.length)) * 1.6);
        if (size < span / 140) return [];
        const t = document.createElementNS(NS, 'text');
        t.setAttribute('x', String((Math.max(...xs) + Math.min(...xs)) / 2));
        t.setAttribute('y', String(-(Math.max(...ys) + Math.min(...ys)) / 2));
        t.setAttribute('text-anchor', 'middle');
        t.setAttribute('dominant-baseline', 'middle');
        t.setAttribute('style', `font-size:${size.toFixed(2)}px;stroke-width:${(size / 6).toFixed(2)}px`);
        t.textContent = f.properties.name;
        return [t];
      });
    this.el.replaceChildren(...shapes, ...labels);
  }

  private point(e: PointerEvent): [number, number] | null {
    const m = this.el.getScreenCTM();
    if (!m) return null;
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
    return [p.x, -p.y];
  }

  private down(e: PointerEvent): void {
    if (!this.drawing) return;
    this.start = this.point(e);
    this.draft = document.createElementNS(NS, 'rect');
    this.draft.setAttribute('class', 'draft');
    this.el.append(this.draft);
    this.el.setPointerCapture?.(e.pointerId);
  }

  private current: [number, number] | null = null;
  private move(e: PointerEvent): void {
    if (!this.drawing || !this.start || !this.draft) return;
    this.current = this.point(e);
    if (!this.current) return;
    const [ax, ay] = this.start;
    const [bx, by] = this.current;
    this.draft.setAttribute('x', String(Math.min(ax, bx)));
    this.draft.setAttribute('y', String(-Math.max(ay, by)));
    this.draft.setAttribute('width', String(Math.abs(bx - ax)));
    this.draft.setAttribute('height', String(Math.abs(by - ay)));
  }

  private up(): void {
    if (!this.drawing || !this.start || !this.current) return;
    const [ax, ay] = this.start;
    const [bx, by] = this.current;
    this.start = this.current = null;
    const r = (v: number) => Math.round(v * 10) / 10;
    const [xa, xb, ya, yb] = [r(Math.min(ax, bx)), r(Math.max(ax, bx)), r(Math.min(ay, by)), r(Math.max(ay, by))];
    if (xb - xa < 0.5 || yb - ya < 0.5) return;
    this.opts.onDraw([[xa, ya], [xb, ya], [xb, yb], [xa, yb], [xa, ya]]);
  }
}
