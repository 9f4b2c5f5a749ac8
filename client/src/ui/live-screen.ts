/** The nurse's live floor map: floor switcher, the map and the alert list (the shell adds bar and banner). */
import { t, timeAgo } from '../i18n';
import { FloorMap } from '../map/floor-map';
import { ZONE_FILL, RESIDENT, type RGBA } from '../map/palette';
import { DEFAULT_AFTER_MS, DEFAULT_BEFORE_MS, type Route } from '../replay/route';
import { activeAlerts, floorName, floorShapes, localName, residentMarkers } from '../state/selectors';
import type { AlertAction, ClientState } from '../state/types';
import { AlertList } from './alert-list';
import { h, setText } from './dom';
import { FloorSwitcher } from './floor-switcher';
import { ResidentSearch } from './resident-search';
import { loadPrefs, savePrefs } from '../session';

export interface LiveScreenActions {
  selectFloor: (floorId: string) => void;
  focusAlert: (alertId: string) => void;
  act: (alertId: string, action: AlertAction, note: string) => void;
  onMapReady: (floorId: string) => void;
  /** Screen navigation (top-bar tabs, an alert row's "Replay"). */
  navigate?: (route: Route) => void;
}

const css = (c: RGBA) => `rgba(${c[0]}, ${c[1]}, ${c[2]}, ${c[3] / 255})`;

export class LiveScreen {
  readonly el: HTMLElement;
  readonly map: FloorMap;
  private readonly floors: FloorSwitcher;
  private readonly alerts: AlertList;
  private readonly mapTitle = h('span', { class: 'map-title', testid: 'map-title' });
  private readonly mapInfo = h('span', { class: 'map-info', testid: 'map-info' });
  private readonly fitBtn: HTMLButtonElement;
  private readonly legend = h('div', { class: 'legend' });
  private legendLocale = '';
  private mapPanel!: HTMLElement;
  private readonly search: ResidentSearch;
  private followId: string | null = loadPrefs().followId ?? null;
  private followedAt: string | null = null;
  private state: ClientState | null = null;

  constructor(actions: LiveScreenActions, clock: () => number) {
    this.floors = new FloorSwitcher(actions.selectFloor);
    const navigate = actions.navigate;
    this.alerts = new AlertList({
      focus: (id) => {
        this.el.classList.remove('sheet-open');
        actions.focusAlert(id);
      },
      act: actions.act,
      replay: navigate && ((alertId) => navigate({ screen: 'replay', source: { kind: 'alert', alertId, beforeMs: DEFAULT_BEFORE_MS, afterMs: DEFAULT_AFTER_MS } })),
    });
    const mapContainer = h('div', { class: 'map-canvas', testid: 'floor-map' });
    this.search = new ResidentSearch(
      (id) => this.follow(id, actions.selectFloor),
      () => this.follow(null, actions.selectFloor),
    );
    this.fitBtn = h('button', { class: 'btn btn-chip map-fit', testid: 'map-fit', on: { click: () => this.map.refit() } });
    this.el = h(
      'div',
      { class: 'live-screen' },
      this.floors.el,
      h(
        'main',
        { class: 'live-main' },
        (this.mapPanel = h(
          'section',
          { class: 'map-panel' },
          mapContainer,
          h('div', { class: 'map-overlay map-overlay-top' }, h('div', { class: 'map-heading' }, this.mapTitle, this.mapInfo), this.search.el, this.fitBtn),
          this.legend,
        )),
        this.alerts.el,
      ),
    );
    // on a phone the alert list is a bottom sheet: its header pulls it up and down
    this.alerts.el.querySelector('.panel-header')?.addEventListener('click', () => this.el.classList.toggle('sheet-open'));
    this.alerts.el.classList.add('sheet');
    performance.mark('carewatch:map-created');
    this.map = new FloorMap(mapContainer, {
      onReady: actions.onMapReady,
      // tapping a resident with an alert is the quickest way to its alert
      onResidentClick: (residentId) => {
        const s = this.state;
        const alert = s && activeAlerts(s).find((a) => a.residentId === residentId);
        if (alert) actions.focusAlert(alert.id);
      },
      tooltip: ({ resident, zone }) => {
        const s = this.state;
        if (!s) return null;
        if (resident) {
          const flags = [resident.wanderRisk && t(s.locale, 'wanderRisk'), resident.fallRisk && t(s.locale, 'fallRisk')].filter(Boolean);
          const ago = t(s.locale, 'lastFix', { ago: timeAgo(s.locale, clock() - resident.ts) });
          return [resident.name, flags.join(' · '), ago].filter(Boolean).join('\n');
        }
        if (zone && zone.kind !== 'ward' && zone.kind !== 'corridor') return localName(zone, s.locale);
        return null;
      },
    });
  }

  update(state: ClientState, now: number): void {
    this.state = state;
    this.floors.update(state);
    this.alerts.update(state, now);
    const floorId = state.selectedFloorId;
    const markers = residentMarkers(state);
    setText(this.mapTitle, floorId ? floorName(state, floorId) : t(state.locale, 'noFloor'));
    setText(this.mapInfo, floorId ? t(state.locale, 'residentsOnFloor', { n: markers.length }) : '');
    setText(this.fitBtn, `⤢ ${t(state.locale, 'fitFloor')}`);
    this.updateLegend(state);
    // positions stop being live while the socket is down: say so by dimming them
    this.mapPanel.dataset.connection = state.connection;
    this.search.update(state, this.followId);
    const followed = this.followId ? state.positions.byResident[this.followId] : undefined;
    if (followed && state.positions.floorId === floorId) {
      const at = `${floorId}:${followed.x.toFixed(1)}:${followed.y.toFixed(1)}`;
      if (at !== this.followedAt) {
        this.followedAt = at;
        this.map.centreOn(followed.x, followed.y);
      }
    }
    this.map.update({
      followId: this.followId,
      floorId,
      complete: state.positions.complete && state.positions.floorId === floorId,
      shapes: floorShapes(state, floorId),
      markers,
      focus: state.focus && state.focus.floorId === floorId ? state.focus : null,
      locale: state.locale,
    });
  }

  /** Follow a resident (null: stop); a resident on another floor brings their room's floor up first. */
  private follow(id: string | null, selectFloor: (floorId: string) => void): void {
    this.followId = id;
    this.followedAt = null;
    savePrefs({ followId: id });
    const s = this.state;
    if (id && s && !s.positions.byResident[id]) {
      const room = s.catalog?.residentsById[id]?.roomZoneId;
      const floorId = room ? s.catalog?.zonesById[room]?.floorId : undefined;
      if (floorId && floorId !== s.selectedFloorId) selectFloor(floorId);
    }
    if (s) this.update(s, Date.now());
  }

  /** Refresh what depends only on the clock ("time since fix"). */
  tick(now: number): void {
    if (!this.state) return;
    this.alerts.update(this.state, now);
  }

  destroy(): void {
    this.map.destroy();
    this.el.remove();
  }

  private updateLegend(state: ClientState): void {
    if (this.legendLocale === state.locale) return;
    this.legendLocale = state.locale;
    const L = state.locale;
    const swatch = (label: string, cls: string, style: string) =>
      h('span', { class: 'legend-item' }, h('span', { class: `swatch ${cls}`, attrs: { style } }), label);
    this.legend.replaceChildren(
      swatch(t(L, 'legendRoom'), '', `background:${css(ZONE_FILL.room)}`),
      swatch(t(L, 'legendExit'), '', `background:${css(ZONE_FILL.exit)}`),
      swatch(t(L, 'legendForbidden'), 'hatched', `background-color:${css(ZONE_FILL.forbidden)}`),
      swatch(t(L, 'legendWander'), 'dot', `background:${css(RESIDENT.normal)};border-color:${css(RESIDENT.wander)}`),
      swatch(t(L, 'legendAlert'), 'dot', `background:${css(RESIDENT.alert)};border-color:${css(RESIDENT.alert)}`),
    );
  }
}
