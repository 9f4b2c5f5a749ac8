/**
 * The city map (`#/city`): outdoor and community residents moving live on MapLibre, the campus and the homes
 * drawn from the site's own data, each outdoor alert's track since it opened, and the alert list.
 */
import { SiteFrame } from '../../../geo/frame';
import { CityMap } from '../city/city-map';
import { cityLayers, CITY_LAYER_IDS, CITY_RADIUS, type AlertTrack, type CityMarker } from '../city/layers';
import { cityFeatures } from '../city/site-geojson';
import type { MapConfig } from '../city/style';
import { t } from '../i18n';
import { labelWidthPx, placeLabels, type Placement } from '../map/label-placement';
import { canReplay, DEFAULT_AFTER_MS, DEFAULT_BEFORE_MS } from '../replay/route';
import type { WindowReplayPage } from '../replay/types';
import type { ScreenHost } from '../shell/registry';
import { activeAlerts, residentMarkers } from '../state/selectors';
import type { ClientState } from '../state/types';
import { AlertList } from './alert-list';
import { h, setText } from './dom';

export interface CityHooks {
  readonly ready: boolean;
  readonly map: unknown;
  readonly overlay: unknown;
  readonly markers: readonly CityMarker[];
  readonly tracks: readonly AlertTrack[];
  readonly labelled: string[];
  project(lngLat: [number, number]): [number, number];
}

/** The outdoor level the city map shows: the first site's. */
export function outdoorFloorOf(state: ClientState): { floorId: string; frame: SiteFrame } | null {
  for (const s of state.catalog?.sites ?? []) {
    const f = s.floors.find((x) => x.outdoor);
    if (f) return { floorId: f.id, frame: new SiteFrame(s.georef) };
  }
  return null;
}

export class CityScreen {
  readonly el: HTMLElement;
  private map: CityMap | null = null;
  private readonly mapBox = h('div', { class: 'map-canvas city-canvas', testid: 'city-map' });
  private readonly title = h('span', { class: 'map-title', testid: 'city-title' });
  private readonly info = h('span', { class: 'map-info', testid: 'city-info' });
  private readonly fitBtn: HTMLButtonElement;
  private readonly alerts: AlertList;
  private readonly outdoor: { floorId: string; frame: SiteFrame } | null;
  private readonly previousFloor: string | null;
  private state: ClientState;
  private markers: CityMarker[] = [];
  private labels: Map<string, Placement> = new Map();
  private readonly tracks = new Map<string, AlertTrack>();
  private readonly seeded = new Set<string>();
  private mapReady = false;
  private destroyed = false;

  constructor(private readonly host: ScreenHost) {
    const { store } = host;
    this.state = store.getState();
    this.outdoor = outdoorFloorOf(this.state);
    this.previousFloor = this.state.selectedFloorId;
    this.fitBtn = h('button', { class: 'btn btn-chip map-fit', testid: 'city-fit', on: { click: () => this.map?.fit() } });
    this.alerts = new AlertList({
      focus: (id) => this.focus(id),
      act: host.act,
      replay: canReplay(this.state.user)
        ? (alertId) => host.go(`#/replay/${encodeURIComponent(alertId)}?before=${DEFAULT_BEFORE_MS}&after=${DEFAULT_AFTER_MS}`)
        : undefined,
    });
    this.el = h(
      'div',
      { class: 'city-screen live-main' },
      h(
        'section',
        { class: 'map-panel' },
        this.mapBox,
        h('div', { class: 'map-overlay map-overlay-top' }, h('div', { class: 'map-heading' }, this.title, this.info), this.fitBtn),
      ),
      this.alerts.el,
    );
    this.alerts.el.classList.add('sheet');
    this.alerts.el.querySelector('.panel-header')?.addEventListener('click', () => this.el.classList.toggle('sheet-open'));
    // the city map watches the outdoor level; the live map gets its floor back when we leave
    if (this.outdoor) store.dispatch({ type: 'floor/selected', floorId: this.outdoor.floorId });
    void this.start();
  }

  get hooks(): CityHooks {
    const self = this;
    return {
      get ready() {
        return self.mapReady && self.state.positions.complete && self.state.positions.floorId === self.outdoor?.floorId;
      },
      get map() {
        return self.map?.map ?? null;
      },
      get overlay() {
        return self.map?.overlay ?? null;
      },
      get markers() {
        return self.markers;
      },
      get tracks() {
        return [...self.tracks.values()];
      },
      get labelled() {
        return [...self.labels.keys()];
      },
      project: (lngLat) => self.map?.project(lngLat) ?? [NaN, NaN],
    };
  }

  update(state: ClientState, now: number): void {
    this.state = state;
    const L = state.locale;
    this.alerts.update(state, now);
    this.markers = this.cityMarkers(state);
    this.updateTracks(state);
    setText(this.title, t(L, 'navCity'));
    setText(this.info, t(L, 'cityResidents', { n: this.markers.length }));
    setText(this.fitBtn, `⤢ ${t(L, 'fitSite')}`);
    this.map?.setTheme(state.theme);
    this.draw();
  }

  tick(now: number): void {
    this.alerts.update(this.state, now);
  }

  destroy(): void {
    this.destroyed = true;
    this.map?.destroy();
    const { store } = this.host;
    if (this.previousFloor && store.getState().selectedFloorId !== this.previousFloor) store.dispatch({ type: 'floor/selected', floorId: this.previousFloor });
  }

  private async start(): Promise<void> {
    let config: MapConfig = {};
    try {
      config = await this.host.api.getJson<MapConfig>('/api/v1/map/config');
    } catch {
      // no basemap configured or an older server: the offline style needs nothing
    }
    if (this.destroyed) return;
    const data = cityFeatures(this.state.catalog?.sites ?? []);
    this.map = new CityMap(this.mapBox, {
      data,
      config,
      theme: this.state.theme,
      locale: this.state.locale,
      onReady: () => {
        this.mapReady = true;
        this.host.markReady('city');
      },
    });
    this.map.map.on('move', () => this.draw());
    this.map.overlay.setProps({
      onClick: (info: { layer?: { id: string } | null; object?: CityMarker }) => {
        if (info.layer?.id !== CITY_LAYER_IDS.residents || !info.object) return;
        const alert = activeAlerts(this.state).find((a) => a.residentId === info.object!.id);
        if (alert) this.focus(alert.id);
        else this.map?.flyTo(info.object.lngLat);
      },
      getTooltip: (info: { layer?: { id: string } | null; object?: CityMarker }) =>
        info.layer?.id === CITY_LAYER_IDS.residents && info.object ? info.object.name : null,
    } as never);
    this.draw();
  }

  private draw(): void {
    const map = this.map;
    if (!map) return;
    const canvas = map.map.getCanvas();
    const size = { width: canvas.clientWidth, height: canvas.clientHeight };
    const priority = { alert: 3, acknowledged: 2, normal: 0 } as const;
    this.labels = placeLabels(
      this.markers.map((m) => {
        const [x, y] = map.project(m.lngLat);
        return { id: m.id, x, y, width: labelWidthPx(m.name, 13), height: 20, radius: CITY_RADIUS[m.status], priority: priority[m.status] + (m.followed ? 5 : 0) };
      }),
      [],
      size,
    );
    map.setLayers(cityLayers(this.markers, [...this.tracks.values()], this.labels, this.state.theme === 'dark'));
  }

  private cityMarkers(state: ClientState): CityMarker[] {
    const o = this.outdoor;
    if (!o || state.positions.floorId !== o.floorId) return [];
    return residentMarkers(state).map((m) => {
      const r = state.catalog?.residentsById[m.id];
      return {
        id: m.id,
        name: r?.name ?? t(state.locale, 'communityResident'),
        lngLat: o.frame.toLngLat(m.x, m.y) as [number, number],
        status: m.status,
        community: r?.community ?? true,
        wanderRisk: m.wanderRisk,
        followed: state.focus?.alertId ? state.alerts[state.focus.alertId]?.residentId === m.id : false,
      };
    });
  }

  /** Each open outdoor alert's track since it opened: the recorded part once, then every live position. */
  private updateTracks(state: ClientState): void {
    const o = this.outdoor;
    if (!o) return;
    const open = activeAlerts(state).filter((a) => (a.position?.floorId ?? a.floorId) === o.floorId);
    const keep = new Set(open.map((a) => a.id));
    for (const id of this.tracks.keys()) if (!keep.has(id)) this.tracks.delete(id);
    for (const a of open) {
      let track = this.tracks.get(a.id);
      if (!track) {
        track = { alertId: a.id, residentId: a.residentId, path: [o.frame.toLngLat(a.position.x, a.position.y) as [number, number]] };
        this.tracks.set(a.id, track);
        this.seed(a.id, a.residentId, a.fixTs);
      }
      const p = state.positions.floorId === o.floorId ? state.positions.byResident[a.residentId] : undefined;
      if (p && p.ts >= a.fixTs) {
        const ll = o.frame.toLngLat(p.x, p.y) as [number, number];
        const last = track.path[track.path.length - 1];
        if (!last || last[0] !== ll[0] || last[1] !== ll[1]) track.path = [...track.path, ll];
      }
    }
  }

  private seed(alertId: string, residentId: string, since: number): void {
    const o = this.outdoor;
    if (!o || this.seeded.has(alertId) || !canReplay(this.state.user)) return;
    this.seeded.add(alertId);
    const q = new URLSearchParams({ residentIds: residentId, floorId: o.floorId, since: String(since), until: String(this.host.clock() + 1), limit: '5000' });
    this.host.api.getJson<WindowReplayPage>(`/api/v1/replay?${q}`).then(
      (page) => {
        const track = this.tracks.get(alertId);
        if (!track || this.destroyed) return;
        const recorded = page.rows.filter((r) => r.residentId === residentId && r.floorId === o.floorId).sort((a, b) => a.ts - b.ts);
        track.path = [...recorded.map((r) => o.frame.toLngLat(r.x, r.y) as [number, number]), ...track.path];
        this.draw();
      },
      () => undefined, // the live part still draws
    );
  }

  private focus(alertId: string): void {
    const a = this.state.alerts[alertId];
    if (!a || !this.outdoor) return;
    if ((a.position?.floorId ?? a.floorId) !== this.outdoor.floorId) {
      // an indoor alert: the live floor map is where it is
      this.host.go('#/live');
      this.host.store.dispatch({ type: 'alert/focused', alertId });
      return;
    }
    this.host.store.dispatch({ type: 'alert/focused', alertId });
    this.map?.flyTo(this.outdoor.frame.toLngLat(a.position.x, a.position.y) as [number, number]);
  }
}
