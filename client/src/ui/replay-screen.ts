/**
 * Incident replay (SPEC §6), for the manager the next morning: pick an alert (resolved ones too) or residents and a
 * time window, load every page of track, and play it on the floor plan with fading trails, a timeline with the
 * alerts on it, speeds from 1× to 60×, follow-a-resident, the response times, exports and a printable report.
 * Live alarms keep sounding and showing in the banner while a replay is open.
 */
import type { Api } from '../api';
import { ApiError } from '../api';
import { alertKindLabel, alertStateLabel, clockTime, duration, severityLabel, t, type MessageKey } from '../i18n';
import { isAnimated } from '../map/layers';
import { BACKGROUND } from '../map/palette';
import { allAlerts, involvedResidents, replayEvents, type ReplayEvent } from '../replay/events';
import { REPLAY_LAYER_IDS, replayLayers, type AlertMarker } from '../replay/layers';
import { exportPath, loadReplay } from '../replay/load';
import { fraction, initialPlayback, playback, SPEEDS, type Playback, type PlaybackAction, type Speed } from '../replay/playback';
import { ReplayMap } from '../replay/replay-map';
import { canReplay, DEFAULT_AFTER_MS, DEFAULT_BEFORE_MS, sameSource, type Route } from '../replay/route';
import { buildTracks, tripsOnFloor, type TrackIndex } from '../replay/tracks';
import type { Alert, ReplayData, ReplaySource } from '../replay/types';
import { alertMarkers, markersAt, shownFloor } from '../replay/view';
import { fromLocalInput, toLocalInput } from '../replay/zone-time';
import { floorName, floorShapes, localName, zoneName, type ResidentMarker } from '../state/selectors';
import type { AlertState } from '../../../geo/model';
import type { ClientState, ZoneShape } from '../state/types';
import { AlarmBanner } from './alarm-banner';
import { h, setAttr, setText } from './dom';
import { reportView, type ReportModel } from './replay-report';
import { TopBar, type TopBarActions } from './top-bar';

export interface ReplayScreenActions extends TopBarActions {
  api: Pick<Api, 'getJson' | 'download' | 'alerts'>;
  navigate: (route: Route) => void;
  /** The alarm banner's "show": back to the live map, focused on that alert. */
  showLive: (alertId: string) => void;
  acknowledge: (alertId: string) => void;
}

/** What tests (and a curious engineer in the console) can read and drive. */
export interface ReplayHooks {
  readonly ready: boolean;
  readonly time: number | null;
  readonly playing: boolean;
  readonly speed: Speed;
  readonly start: number | null;
  readonly end: number | null;
  readonly floorId: string | null;
  readonly alertId: string | null;
  readonly deck: unknown;
  setTime(ms: number): void;
  play(): void;
  pause(): void;
  setSpeed(speed: Speed): void;
  project(x: number, y: number): [number, number] | null;
}

type Status = 'idle' | 'loading' | 'ready' | 'error';

const BEFORE_MIN = [1, 2, 5, 10, 30, 60];
const AFTER_MIN = [2, 5, 10, 30, 60];
const WINDOW_LENGTHS_MIN = [10, 30, 60, 120, 480, 1440];
const DRAW_FPS_PLAYING = 30;
const DRAW_FPS_PULSE = 15;

export class ReplayScreen {
  readonly el: HTMLElement;
  readonly map: ReplayMap;
  private readonly topBar: TopBar;
  private readonly banner: AlarmBanner;
  private readonly side = h('aside', { class: 'replay-side', testid: 'replay-side' });
  private readonly mapTitle = h('span', { class: 'map-title', testid: 'replay-map-title' });
  private readonly mapInfo = h('span', { class: 'map-info' });
  private readonly floorButtons = h('div', { class: 'replay-floors', testid: 'replay-floors' });
  private readonly fitBtn: HTMLButtonElement;
  private readonly overlay = h('div', { class: 'replay-status', testid: 'replay-status', attrs: { role: 'status' } });
  // timeline
  private readonly playBtn: HTMLButtonElement;
  private readonly timeLabel = h('span', { class: 'timeline-time', testid: 'replay-time' });
  private readonly slider: HTMLInputElement;
  private readonly marks = h('div', { class: 'timeline-marks', testid: 'timeline-marks' });
  private readonly startLabel = h('span', { class: 'timeline-edge' });
  private readonly endLabel = h('span', { class: 'timeline-edge' });
  private readonly speedSelect: HTMLSelectElement;
  private readonly speedLabel = h('span', { class: 'timeline-label' });
  private readonly jumpBtn: HTMLButtonElement;
  private readonly followBox: HTMLInputElement;
  private readonly followLabel = h('span', {});
  private readonly followSelect: HTMLSelectElement;
  private readonly timeline: HTMLElement;
  private mapTools!: HTMLElement;

  private state: ClientState;
  private source: ReplaySource | null = null;
  private status: Status = 'idle';
  private error = '';
  private loadedRows = 0;
  private data: ReplayData | null = null;
  private index: TrackIndex | null = null;
  private alerts: Alert[] = [];
  private pb: Playback | null = null;
  private follow = false;
  private followId: string | null = null;
  private pickedFloor: string | null = null;
  private shownFloorId: string | null = null;
  private abort: AbortController | null = null;
  private pickerAlerts: Alert[] | null = null;
  private pickerError = '';
  private pickerFilter = '';
  private picker: { key: string; els: HTMLElement[]; list: HTMLElement } | null = null;
  private renderedKey = '';
  private raf = 0;
  private lastFrameAt = 0;
  private lastDrawAt = 0;
  private dirty = false;
  private drawnMarkers: ResidentMarker[] = [];
  private markerCache: { key: string; list: AlertMarker[] } | null = null;
  private awaitingReady = false;
  private isReady = false;
  private report: HTMLElement | null = null;
  /** The playback to return to while the report's snapshot is being drawn (the clock is held meanwhile). */
  private snapshotting: Playback | null = null;
  private destroyed = false;

  constructor(
    private readonly actions: ReplayScreenActions,
    state: ClientState,
    private readonly clock: () => number,
  ) {
    this.state = state;
    this.topBar = new TopBar(actions, 'replay');
    this.banner = new AlarmBanner({ show: actions.showLive, acknowledge: actions.acknowledge });
    const mapContainer = h('div', { class: 'map-canvas', testid: 'replay-map' });
    this.fitBtn = h('button', { class: 'btn btn-chip map-fit', testid: 'replay-fit', on: { click: () => this.map.fit(this.shapes()) } });
    this.playBtn = h('button', { class: 'btn btn-primary timeline-play', testid: 'replay-play', on: { click: () => this.dispatch({ type: 'toggle' }) } });
    this.slider = h('input', {
      class: 'timeline-slider',
      testid: 'replay-slider',
      attrs: { type: 'range', min: '0', max: '0', step: '1000', value: '0' },
      on: { input: () => this.pb && this.dispatch({ type: 'seek', time: this.pb.start + Number(this.slider.value) }) },
    });
    this.speedSelect = h(
      'select',
      { class: 'timeline-speed', testid: 'replay-speed', on: { change: () => this.dispatch({ type: 'speed', speed: Number(this.speedSelect.value) as Speed }) } },
      ...SPEEDS.map((s) => h('option', { text: `${s}×`, attrs: { value: String(s) } })),
    );
    this.jumpBtn = h('button', { class: 'btn timeline-jump', testid: 'replay-jump', on: { click: () => this.jumpToAlert() } });
    this.followBox = h('input', {
      testid: 'replay-follow',
      attrs: { type: 'checkbox' },
      on: {
        change: () => {
          this.follow = this.followBox.checked;
          if (this.follow) this.pickedFloor = null;
          this.invalidate();
        },
      },
    });
    this.followSelect = h('select', {
      class: 'timeline-follow-who',
      testid: 'replay-follow-who',
      on: {
        change: () => {
          this.followId = this.followSelect.value || null;
          this.pickedFloor = null;
          this.invalidate();
        },
      },
    });
    this.timeline = h(
      'div',
      { class: 'timeline', testid: 'replay-timeline' },
      this.playBtn,
      this.timeLabel,
      h('div', { class: 'timeline-track' }, this.marks, this.slider, h('div', { class: 'timeline-edges' }, this.startLabel, this.endLabel)),
      h('label', { class: 'timeline-field' }, this.speedLabel, this.speedSelect),
      this.jumpBtn,
      h('label', { class: 'timeline-field timeline-follow' }, this.followBox, this.followLabel, this.followSelect),
    );
    this.el = h(
      'div',
      { class: 'replay-screen live-screen', testid: 'replay-screen' },
      this.topBar.el,
      this.banner.el,
      h(
        'main',
        { class: 'replay-main' },
        this.side,
        h(
          'section',
          { class: 'replay-stage' },
          h(
            'div',
            { class: 'map-panel' },
            mapContainer,
            h(
              'div',
              { class: 'map-overlay map-overlay-top' },
              h('div', { class: 'map-heading' }, this.mapTitle, this.mapInfo),
              (this.mapTools = h('div', { class: 'replay-map-tools' }, this.floorButtons, this.fitBtn)),
            ),
            this.overlay,
          ),
          this.timeline,
        ),
      ),
    );
    this.map = new ReplayMap(mapContainer, {
      onUserPan: () => {
        if (!this.follow) return;
        this.follow = false;
        this.followBox.checked = false;
      },
      onAfterRender: () => {
        if (this.awaitingReady) {
          this.awaitingReady = false;
          this.isReady = true;
          this.el.dataset.ready = 'true';
        }
      },
      tooltip: (info) => this.tooltip(info),
    });
  }

  // --- public ---

  /** Show `source` (null: the picker). Loads every page; a newer call cancels an older load. */
  open(source: ReplaySource | null): void {
    if (this.status !== 'idle' && sameSource(source, this.source)) return;
    this.abort?.abort();
    this.abort = null;
    this.closeReport();
    this.source = source;
    this.data = null;
    this.index = null;
    this.alerts = [];
    this.pb = null;
    this.snapshotting = null;
    this.pickedFloor = null;
    this.shownFloorId = null;
    this.follow = false;
    this.followBox.checked = false;
    this.markerCache = null;
    this.isReady = false;
    this.awaitingReady = false;
    delete this.el.dataset.ready;
    this.error = '';
    this.loadedRows = 0;
    this.renderedKey = '';
    if (!source) {
      this.status = 'idle';
      this.map.setLayers([]);
      void this.loadPicker();
      this.renderAll();
      return;
    }
    if (!canReplay(this.state.user)) {
      this.status = 'error';
      this.error = t(this.state.locale, 'replayNotAllowed');
      this.renderAll();
      return;
    }
    this.status = 'loading';
    this.renderAll();
    const abort = new AbortController();
    this.abort = abort;
    loadReplay(this.actions.api.getJson, source, {
      signal: abort.signal,
      onProgress: (n) => {
        if (abort.signal.aborted) return;
        this.loadedRows = n;
        this.renderStatus();
      },
    }).then(
      (data) => {
        if (abort.signal.aborted || this.destroyed) return;
        this.loaded(data);
      },
      (err: unknown) => {
        if (abort.signal.aborted || this.destroyed) return;
        this.status = 'error';
        const msg = err instanceof Error ? err.message : String(err);
        this.error =
          err instanceof ApiError && err.status === 403
            ? t(this.state.locale, 'replayNotAllowed')
            : t(this.state.locale, 'replayLoadFailed', { message: msg });
        this.renderAll();
      },
    );
  }

  update(state: ClientState, now: number): void {
    const localeChanged = state.locale !== this.state.locale || state.catalog !== this.state.catalog;
    this.state = state;
    this.topBar.update(state);
    this.banner.update(state, now);
    if (!localeChanged) return; // live frames and alerts arrive all the time; the replay does not depend on them
    this.markerCache = null;
    this.renderedKey = '';
    this.shownFloorId = null; // re-fit with the catalog's shapes
    this.renderAll();
  }

  tick(now: number): void {
    this.banner.update(this.state, now);
  }

  get hooks(): ReplayHooks {
    const self = this;
    return {
      get ready() {
        return self.isReady;
      },
      get time() {
        return self.pb?.time ?? null;
      },
      get playing() {
        return self.pb?.playing ?? false;
      },
      get speed() {
        return self.pb?.speed ?? 10;
      },
      get start() {
        return self.pb?.start ?? null;
      },
      get end() {
        return self.pb?.end ?? null;
      },
      get floorId() {
        return self.shownFloorId;
      },
      get alertId() {
        return self.data?.alert?.id ?? null;
      },
      get deck() {
        return self.map.deck;
      },
      setTime: (ms) => self.dispatch({ type: 'seek', time: ms }),
      play: () => self.dispatch({ type: 'play' }),
      pause: () => self.dispatch({ type: 'pause' }),
      setSpeed: (speed) => self.dispatch({ type: 'speed', speed }),
      project: (x, y) => self.map.project(x, y),
    };
  }

  destroy(): void {
    this.destroyed = true;
    this.abort?.abort();
    cancelAnimationFrame(this.raf);
    this.closeReport();
    this.map.destroy();
    this.el.remove();
  }

  // --- loading ---

  private loaded(data: ReplayData): void {
    const index = buildTracks(data.rows);
    this.data = data;
    this.index = index;
    this.alerts = allAlerts(data);
    const alert = data.alert;
    // A recent alert's window reaches into the future: play up to now (or the last row, if the clocks differ).
    const end = Math.min(data.until - 1, Math.max(index.lastTs ?? data.since, this.clock()));
    const first = index.firstTs ?? data.since;
    this.pb = initialPlayback(data.since, Math.max(end, data.since + 1000), Math.max(data.since, first));
    const involved = [...involvedResidents(data)];
    this.followId = involved.find((id) => index.byId[id]) ?? involved[0] ?? index.residents[0]?.residentId ?? null;
    if (!alert && data.source.kind === 'window' && data.source.residentIds.length === 1) this.follow = false;
    this.status = 'ready';
    this.renderedKey = '';
    this.renderAll();
    this.invalidate();
  }

  private async loadPicker(): Promise<void> {
    this.pickerAlerts = null;
    this.pickerError = '';
    try {
      const lists = await Promise.all((['open', 'acknowledged', 'resolved'] as AlertState[]).map((s) => this.actions.api.alerts(s)));
      const byId = new Map<string, Alert>();
      for (const a of lists.flat()) byId.set(a.id, a);
      this.pickerAlerts = [...byId.values()].sort((a, b) => b.fixTs - a.fixTs);
    } catch (err) {
      this.pickerError = err instanceof Error ? err.message : String(err);
      this.pickerAlerts = [];
    }
    if (this.destroyed || this.source) return;
    this.renderPickerList();
  }

  // --- playback ---

  private dispatch(action: PlaybackAction): void {
    if (!this.pb || this.snapshotting) return;
    const next = playback(this.pb, action);
    if (next === this.pb) return;
    const wasPlaying = this.pb.playing;
    this.pb = next;
    if (next.playing && !wasPlaying) this.lastFrameAt = 0;
    this.renderTimeline();
    this.invalidate();
  }

  private jumpToAlert(): void {
    const a = this.data?.alert;
    if (!a || !this.pb) return;
    this.pickedFloor = null;
    this.dispatch({ type: 'pause' });
    this.dispatch({ type: 'seek', time: a.fixTs });
  }

  /** Something on the map changed: draw at the next frame. */
  private invalidate(): void {
    this.dirty = true;
    if (!this.raf && !this.destroyed) this.raf = requestAnimationFrame(this.frame);
  }

  private readonly frame = (now: number): void => {
    this.raf = 0;
    if (this.destroyed) return;
    const pb = this.pb;
    if (pb?.playing && !this.snapshotting) {
      const dt = this.lastFrameAt ? Math.min(now - this.lastFrameAt, 250) : 0;
      this.lastFrameAt = now;
      if (dt > 0) {
        this.pb = playback(pb, { type: 'advance', dtMs: dt });
        this.dirty = true;
        this.renderTimeline();
      }
    }
    const playing = this.pb?.playing ?? false;
    const pulsing = isAnimated({ markers: this.drawnMarkers, focus: null });
    const since = now - this.lastDrawAt;
    if ((this.dirty && (since >= 1000 / DRAW_FPS_PLAYING || !playing)) || (pulsing && since >= 1000 / DRAW_FPS_PULSE)) {
      this.dirty = false;
      this.lastDrawAt = now;
      this.draw(now);
    }
    if (playing || pulsing || this.dirty) this.raf = requestAnimationFrame(this.frame);
  };

  private shapes(): readonly ZoneShape[] {
    return floorShapes(this.state, this.shownFloorId);
  }

  private draw(now: number): void {
    const { data, index, pb } = this;
    const catalog = this.state.catalog;
    if (!data || !index || !pb || !catalog) return;
    const floorId = shownFloor({ picked: this.pickedFloor, index, residentId: this.followId, time: pb.time, alert: data.alert });
    if (floorId !== this.shownFloorId) {
      this.shownFloorId = floorId;
      this.map.fit(this.shapes());
      this.renderFloors();
      this.renderStatus();
    }
    const markers = markersAt(index, floorId, pb.time, catalog.residentsById, this.alerts);
    this.drawnMarkers = markers;
    if (this.follow && this.followId) {
      const m = markers.find((x) => x.id === this.followId);
      if (m) this.map.centre(m.x, m.y);
    }
    setText(this.mapInfo, t(this.state.locale, 'residentsShown', { n: markers.length }));
    const highlight = new Set<string>(this.followId ? [this.followId] : []);
    if (data.alert) highlight.add(data.alert.residentId);
    this.map.setLayers(
      replayLayers({
        shapes: this.shapes(),
        locale: this.state.locale,
        markers,
        trips: floorId ? tripsOnFloor(index, floorId, data.since) : [],
        highlight,
        currentTime: pb.time - data.since,
        alerts: this.alertMarkersOn(floorId),
        now,
      }),
    );
    if (!this.isReady) this.awaitingReady = true;
  }

  private alertMarkersOn(floorId: string | null): AlertMarker[] {
    const L = this.state.locale;
    const key = `${floorId}|${L}`;
    if (this.markerCache?.key === key) return this.markerCache.list;
    const list = alertMarkers(this.alerts, this.data?.alert?.id ?? null, floorId, (a) => `${alertKindLabel(L, a.kind)} ${this.time(a.fixTs)}`);
    this.markerCache = { key, list };
    return list;
  }

  // --- rendering the DOM ---

  private renderAll(): void {
    this.renderStatus();
    this.renderSide();
    this.renderTimeline();
    this.renderFloors();
    this.invalidate();
  }

  private renderStatus(): void {
    const L = this.state.locale;
    let text = '';
    if (this.status === 'loading') text = t(L, 'replayLoading', { n: this.loadedRows });
    else if (this.status === 'error') text = this.error;
    else if (this.status === 'idle') text = t(L, 'replayChoose');
    else if (this.data && !this.data.rows.length) text = t(L, 'replayEmpty');
    else if (this.data?.truncated) text = t(L, 'replayTruncated');
    setText(this.overlay, text);
    this.overlay.hidden = !text;
    this.overlay.dataset.status = this.status;
    const floorId = this.shownFloorId;
    setText(this.mapTitle, floorId ? floorName(this.state, floorId) : t(L, 'replayTitle'));
    if (!floorId) setText(this.mapInfo, '');
    setText(this.fitBtn, `⤢ ${t(L, 'fitFloor')}`);
    this.mapTools.hidden = !this.data;
  }

  private renderTimeline(): void {
    const L = this.state.locale;
    const pb = this.pb;
    this.timeline.hidden = !pb;
    if (!pb) return;
    setText(this.playBtn, pb.playing ? `❚❚ ${t(L, 'pause')}` : `▶ ${t(L, 'play')}`);
    this.playBtn.dataset.playing = String(pb.playing);
    setText(this.timeLabel, this.time(pb.time));
    const span = String(Math.max(0, pb.end - pb.start));
    if (this.slider.max !== span) this.slider.max = span;
    const v = String(Math.round(pb.time - pb.start));
    if (this.slider.value !== v) this.slider.value = v;
    setAttr(this.slider, 'aria-valuetext', this.time(pb.time));
    this.speedSelect.value = String(pb.speed);
  }

  private time(ts: number, withDate = false): string {
    return clockTime(this.state.locale, ts, { timeZone: this.timeZone(), withDate });
  }

  private timeZone(): string | undefined {
    const sites = this.state.catalog?.sites ?? [];
    const siteId = this.data?.alert?.siteId;
    return (sites.find((s) => s.id === siteId) ?? sites[0])?.timeZone;
  }

  private renderFloors(): void {
    const L = this.state.locale;
    const floors = this.index?.floors ?? [];
    const key = JSON.stringify([L, floors, this.pickedFloor, this.shownFloorId]);
    if (this.floorButtons.dataset.key === key) return;
    this.floorButtons.dataset.key = key;
    this.floorButtons.hidden = floors.length < 2;
    this.floorButtons.replaceChildren(
      h('button', {
        class: `btn btn-chip${this.pickedFloor === null ? ' selected' : ''}`,
        testid: 'replay-floor-auto',
        text: t(L, 'floorAuto'),
        attrs: { 'aria-pressed': String(this.pickedFloor === null) },
        on: { click: () => this.pickFloor(null) },
      }),
      ...floors.map((f) =>
        h('button', {
          class: `btn btn-chip${f === this.shownFloorId ? ' selected' : ''}`,
          testid: `replay-floor-${f}`,
          text: floorName(this.state, f),
          attrs: { 'aria-pressed': String(this.pickedFloor === f) },
          on: { click: () => this.pickFloor(f) },
        }),
      ),
    );
  }

  private pickFloor(floorId: string | null): void {
    this.pickedFloor = floorId;
    if (floorId) {
      this.follow = false;
      this.followBox.checked = false;
    }
    this.renderFloors();
    this.invalidate();
  }

  private renderSide(): void {
    const L = this.state.locale;
    if (!this.source) {
      const els = this.pickerView();
      if (this.side.firstElementChild !== els[0]) this.side.replaceChildren(...els);
      return;
    }
    const key = JSON.stringify([L, this.status, this.source, this.data?.alert?.updatedAt, !!this.state.catalog]);
    if (key === this.renderedKey) return;
    this.renderedKey = key;
    this.side.replaceChildren(...this.detailsView());
    // timeline labels that depend on the data
    setText(this.speedLabel, t(L, 'speed'));
    setText(this.jumpBtn, `⚑ ${t(L, 'jumpToAlert')}`);
    this.jumpBtn.hidden = !this.data?.alert;
    setText(this.followLabel, t(L, 'follow'));
    const pb = this.pb;
    setText(this.startLabel, pb ? this.time(pb.start) : '');
    setText(this.endLabel, pb ? this.time(pb.end) : '');
    this.renderFollowOptions();
    this.renderMarks();
  }

  private renderFollowOptions(): void {
    const ids = this.index?.residents.map((r) => r.residentId) ?? [];
    const names = this.state.catalog?.residentsById ?? {};
    const name = (id: string) => names[id]?.name ?? (this.data?.alert?.residentId === id ? this.data.alert.residentName : id);
    const involved = this.data ? involvedResidents(this.data) : new Set<string>();
    const sorted = [...ids].sort((a, b) => Number(involved.has(b)) - Number(involved.has(a)) || name(a).localeCompare(name(b), this.state.locale));
    this.followSelect.replaceChildren(...sorted.map((id) => h('option', { text: name(id), attrs: { value: id } })));
    if (this.followId) this.followSelect.value = this.followId;
    this.followSelect.disabled = ids.length === 0;
  }

  /** Alert markers on the timeline: where each alert was raised, and when the replayed one was handled. */
  private renderMarks(): void {
    const pb = this.pb;
    const L = this.state.locale;
    if (!pb || !this.data) {
      this.marks.replaceChildren();
      return;
    }
    const mainId = this.data.alert?.id;
    const mark = (ts: number, cls: string, title: string, testid: string) => {
      const el = h('button', {
        class: `timeline-mark ${cls}`,
        testid,
        attrs: { title, 'aria-label': title, style: `left:${(fraction(pb, ts) * 100).toFixed(3)}%` },
        on: { click: () => this.dispatch({ type: 'seek', time: ts }) },
      });
      return el;
    };
    const out: HTMLElement[] = [];
    for (const a of this.alerts) {
      const main = a.id === mainId;
      out.push(mark(a.fixTs, main ? 'mark-alert mark-main' : 'mark-alert', `${this.time(a.fixTs)} ${alertKindLabel(L, a.kind)} · ${a.residentName}`, `timeline-alert-${a.id}`));
      if (!main) continue;
      for (const step of a.history) {
        if (step.state === 'acknowledged' || step.state === 'resolved') {
          const label = t(L, step.state === 'acknowledged' ? 'eventAcknowledged' : 'eventResolved', { who: step.by });
          out.push(mark(step.at, `mark-${step.state}`, `${this.time(step.at)} ${label}`, `timeline-${step.state}`));
        }
      }
    }
    this.marks.replaceChildren(...out);
  }

  /**
   * The picker is built once per language and catalog, so the window form keeps what the user typed while the
   * alert list arrives; only the list is redrawn (on arrival and as the filter is typed).
   */
  private pickerView(): HTMLElement[] {
    const L = this.state.locale;
    const key = `${L}|${this.state.catalog ? Object.keys(this.state.catalog.residentsById).length : 0}`;
    if (!this.picker || this.picker.key !== key) {
      const list = h('div', { class: 'replay-picker-list' });
      const filterInput = h('input', {
        class: 'replay-filter',
        testid: 'replay-filter',
        attrs: { type: 'search', placeholder: t(L, 'replayFilter'), 'aria-label': t(L, 'replayFilter'), value: this.pickerFilter },
        on: {
          input: () => {
            this.pickerFilter = filterInput.value;
            this.renderPickerList();
          },
        },
      });
      this.picker = {
        key,
        list,
        els: [
          h('header', { class: 'panel-header' }, h('h2', { class: 'panel-title', text: t(L, 'replayTitle') })),
          h('div', { class: 'replay-side-scroll' }, h('h3', { class: 'side-heading', text: t(L, 'replayAlerts') }), filterInput, list, this.windowForm()),
        ],
      };
    }
    this.renderPickerList();
    return this.picker.els;
  }

  private renderPickerList(): void {
    if (!this.picker) return;
    const L = this.state.locale;
    const names = this.state.catalog?.residentsById ?? {};
    const filter = this.pickerFilter.trim().toLowerCase();
    const list = (this.pickerAlerts ?? []).filter((a) => !filter || (a.residentName || names[a.residentId]?.name || '').toLowerCase().includes(filter));
    const empty = (text: string) => h('p', { class: 'empty', text });
    this.picker.list.replaceChildren(
      this.pickerAlerts === null
        ? empty(t(L, 'loading'))
        : list.length === 0
          ? empty(this.pickerError ? t(L, 'replayLoadFailed', { message: this.pickerError }) : t(L, 'replayNoAlerts'))
          : h(
              'ol',
              { class: 'alert-list replay-alert-list', testid: 'replay-alert-list' },
              ...list.map((a) => {
                const open = () => this.actions.navigate({ screen: 'replay', source: { kind: 'alert', alertId: a.id, beforeMs: DEFAULT_BEFORE_MS, afterMs: DEFAULT_AFTER_MS } });
                return h(
                  'li',
                  { class: 'alert-row replay-alert-row', testid: `replay-alert-${a.id}`, dataset: { severity: a.severity, state: a.state, kind: a.kind, alertId: a.id }, on: { click: open } },
                  h('div', { class: 'row-head' }, h('span', { class: 'sev', text: severityLabel(L, a.severity) }), h('span', { class: 'kind', text: alertKindLabel(L, a.kind) })),
                  h('div', { class: 'row-body' }, h('span', { class: 'who', text: a.residentName || names[a.residentId]?.name || a.residentId }), h('span', { class: 'where', text: this.time(a.fixTs, true) })),
                  h('div', { class: 'row-state', text: alertStateLabel(L, a.state, [...a.history].reverse().find((s) => s.state === 'acknowledged')?.by) }),
                  h('div', { class: 'row-actions' }, h('button', { class: 'btn btn-primary', testid: `replay-open-${a.id}`, text: `▶ ${t(L, 'replay')}`, on: { click: (ev) => (ev.stopPropagation(), open()) } })),
                );
              }),
            ),
    );
  }

  private windowForm(): HTMLElement {
    const L = this.state.locale;
    const catalog = this.state.catalog;
    const residents = Object.values(catalog?.residentsById ?? {}).sort((a, b) => a.name.localeCompare(b.name, L));
    const floors = Object.values(catalog?.floorsById ?? {});
    const who = h(
      'select',
      { testid: 'replay-window-resident' },
      h('option', { text: t(L, 'replayEveryone'), attrs: { value: '' } }),
      ...residents.map((r) => h('option', { text: r.name, attrs: { value: r.id } })),
    );
    const floor = h(
      'select',
      { testid: 'replay-window-floor' },
      h('option', { text: t(L, 'replayAnyFloor'), attrs: { value: '' } }),
      ...floors.map((f) => h('option', { text: floorName(this.state, f.id), attrs: { value: f.id } })),
    );
    // typed and shown on the site's clock, like every time on this screen
    const zone = this.timeZone();
    const from = h('input', { testid: 'replay-window-from', attrs: { type: 'datetime-local', step: '60', value: toLocalInput(this.clock() - 30 * 60_000, zone) } });
    const length = h(
      'select',
      { testid: 'replay-window-length' },
      ...WINDOW_LENGTHS_MIN.map((m) => h('option', { text: m < 60 ? `${m} min` : `${m / 60} h`, attrs: { value: String(m) } })),
    );
    length.value = '30';
    const error = h('p', { class: 'row-error', attrs: { role: 'alert' } });
    const field = (label: MessageKey, control: HTMLElement) => h('label', { class: 'form-field' }, h('span', { text: t(L, label) }), control);
    return h(
      'form',
      {
        class: 'replay-window-form',
        testid: 'replay-window-form',
        on: {
          submit: (ev) => {
            ev.preventDefault();
            const since = fromLocalInput(from.value, zone);
            if (!who.value && !floor.value) {
              error.textContent = t(L, 'replayNeedsWho');
              return;
            }
            if (!Number.isFinite(since)) return;
            this.actions.navigate({
              screen: 'replay',
              source: { kind: 'window', residentIds: who.value ? [who.value] : [], floorId: floor.value || null, since, until: since + Number(length.value) * 60_000 },
            });
          },
        },
      },
      h('h3', { class: 'side-heading', text: t(L, 'replayWindowTitle') }),
      field('replayResident', who),
      field('replayFloor', floor),
      field('replayFrom', from),
      field('replayDuration', length),
      error,
      h('button', { class: 'btn btn-primary', testid: 'replay-window-submit', text: t(L, 'replayShow'), attrs: { type: 'submit' } }),
    );
  }

  private detailsView(): HTMLElement[] {
    const L = this.state.locale;
    const out: HTMLElement[] = [
      h(
        'header',
        { class: 'panel-header' },
        h('button', { class: 'btn btn-chip', testid: 'replay-back', text: t(L, 'replayBack'), on: { click: () => this.actions.navigate({ screen: 'replay', source: null }) } }),
      ),
    ];
    const body = h('div', { class: 'replay-side-scroll' });
    out.push(body);
    const data = this.data;
    const source = this.source;
    if (!data || !source) return out;
    const a = data.alert;
    if (a) {
      body.append(
        h(
          'section',
          { class: 'replay-alert', testid: 'replay-alert', dataset: { severity: a.severity, state: a.state } },
          h('div', { class: 'row-head' }, h('span', { class: 'sev', text: severityLabel(L, a.severity) }), h('span', { class: 'kind', text: alertKindLabel(L, a.kind) })),
          h('div', { class: 'who', text: this.residentName(a.residentId, a.residentName) }),
          h('div', { class: 'where', text: this.where(a) }),
          h('div', { class: 'where', text: this.time(a.fixTs, true) }),
        ),
      );
      if (source.kind === 'alert') body.append(this.windowChooser(source));
      body.append(this.responseTimesView());
      body.append(
        h(
          'div',
          { class: 'replay-actions' },
          h('button', { class: 'btn', testid: 'replay-export-csv', text: `⇩ ${t(L, 'exportCsv')}`, on: { click: (ev) => void this.exportAs('csv', ev.currentTarget as HTMLButtonElement) } }),
          h('button', { class: 'btn', testid: 'replay-export-geojson', text: `⇩ ${t(L, 'exportGeojson')}`, on: { click: (ev) => void this.exportAs('geojson', ev.currentTarget as HTMLButtonElement) } }),
          h('button', { class: 'btn', testid: 'replay-print', text: t(L, 'printReport'), on: { click: () => void this.printReport() } }),
          h('p', { class: 'row-error', testid: 'replay-export-error', attrs: { role: 'alert' } }),
        ),
      );
    } else if (source.kind === 'window') {
      const who = source.residentIds.map((id) => this.residentName(id)).join(', ');
      body.append(
        h(
          'section',
          { class: 'replay-alert', testid: 'replay-window' },
          h('div', { class: 'who', text: who || t(L, 'replayEveryone') }),
          source.floorId ? h('div', { class: 'where', text: floorName(this.state, source.floorId) }) : null,
          h('div', { class: 'where', text: `${this.time(data.since, true)} – ${this.time(data.until, true)}` }),
        ),
        h('div', { class: 'replay-actions' }, h('button', { class: 'btn', testid: 'replay-print', text: t(L, 'printReport'), on: { click: () => void this.printReport() } })),
      );
    }
    body.append(h('h3', { class: 'side-heading', text: t(L, 'events') }), this.eventsView());
    return out;
  }

  private windowChooser(source: Extract<ReplaySource, { kind: 'alert' }>): HTMLElement {
    const L = this.state.locale;
    const select = (values: number[], current: number, key: MessageKey, testid: string, set: (ms: number) => void) => {
      const el = h(
        'select',
        { testid, on: { change: () => set(Number(el.value) * 60_000) } },
        ...values.map((m) => h('option', { text: t(L, key, { n: m }), attrs: { value: String(m) } })),
      );
      const mins = Math.round(current / 60_000);
      if (!values.includes(mins)) el.prepend(h('option', { text: t(L, key, { n: mins }), attrs: { value: String(mins) } }));
      el.value = String(mins);
      return el;
    };
    return h(
      'div',
      { class: 'replay-window-chooser' },
      h('span', { class: 'timeline-label', text: t(L, 'replayWindow') }),
      select(BEFORE_MIN, source.beforeMs, 'replayBefore', 'replay-before', (ms) => this.actions.navigate({ screen: 'replay', source: { ...source, beforeMs: ms } })),
      select(AFTER_MIN, source.afterMs, 'replayAfter', 'replay-after', (ms) => this.actions.navigate({ screen: 'replay', source: { ...source, afterMs: ms } })),
    );
  }

  private responseTimeRows(): [string, string, string][] {
    const L = this.state.locale;
    const rt = this.data?.responseTimes;
    if (!rt) return [];
    const step = (at: number | null, by: string | null, after: number | null) =>
      at === null ? t(L, 'rtNotYet') : `${this.time(at)} · ${t(L, 'rtByAfter', { who: by ?? '?', after: duration(L, after ?? 0) })}`;
    return [
      ['rt-raised', t(L, 'rtRaised'), this.time(rt.raisedAt)],
      ['rt-acknowledged', t(L, 'rtAcknowledged'), step(rt.acknowledgedAt, rt.acknowledgedBy, rt.toAcknowledgeMs)],
      ['rt-resolved', t(L, 'rtResolved'), step(rt.resolvedAt, rt.resolvedBy, rt.toResolveMs)],
      ['rt-detection', t(L, 'rtDetection'), duration(L, rt.detectionMs)],
    ];
  }

  private responseTimesView(): HTMLElement {
    const L = this.state.locale;
    const rt = this.data?.responseTimes;
    return h(
      'section',
      { class: 'response-times', testid: 'response-times', dataset: rt ? { acknowledged: String(rt.acknowledgedAt !== null), resolved: String(rt.resolvedAt !== null) } : {} },
      h('h3', { class: 'side-heading', text: t(L, 'responseTimes') }),
      h(
        'ol',
        { class: 'rt-steps' },
        ...this.responseTimeRows().map(([id, label, value]) => h('li', { class: `rt-step ${id}`, testid: id }, h('span', { class: 'rt-label', text: label }), h('span', { class: 'rt-value', text: value }))),
      ),
    );
  }

  private eventText(e: ReplayEvent): string {
    const L = this.state.locale;
    const name = this.residentName(e.residentId);
    switch (e.type) {
      case 'alert': {
        const a = this.alerts.find((x) => x.id === e.alertId);
        return t(L, 'eventAlert', { kind: a ? alertKindLabel(L, a.kind) : e.alertId, name });
      }
      case 'acknowledged':
      case 'resolved': {
        const text = t(L, e.type === 'acknowledged' ? 'eventAcknowledged' : 'eventResolved', { who: e.by });
        return e.note ? `${text}: ${e.note}` : text;
      }
      case 'enter':
      case 'exit':
        return t(L, e.type === 'enter' ? 'eventEnter' : 'eventExit', { name, zone: zoneName(this.state, e.zoneId) ?? e.zoneId });
      case 'floor':
        return t(L, 'eventFloor', { name, from: floorName(this.state, e.fromFloorId), to: floorName(this.state, e.floorId) });
    }
  }

  private events(): ReplayEvent[] {
    const data = this.data;
    if (!data) return [];
    const involved = involvedResidents(data);
    // zone changes inside big outlines (the ward, the campus) say nothing a reader needs
    const quiet = new Set(['ward', 'campus', 'safe', 'home']);
    return replayEvents(data, involved.size ? involved : undefined).filter(
      (e) => !((e.type === 'enter' || e.type === 'exit') && quiet.has(this.state.catalog?.zonesById[e.zoneId]?.kind ?? '')),
    );
  }

  private eventsView(): HTMLElement {
    const L = this.state.locale;
    const events = this.events();
    if (!events.length) return h('p', { class: 'empty', text: t(L, 'noEvents') });
    return h(
      'ol',
      { class: 'replay-events', testid: 'replay-events' },
      ...events.map((e) =>
        h(
          'li',
          { class: `replay-event event-${e.type}`, dataset: { ts: String(e.ts) } },
          h('button', {
            class: 'event-time',
            text: this.time(e.ts),
            on: {
              click: () => {
                this.dispatch({ type: 'pause' });
                this.dispatch({ type: 'seek', time: e.ts });
              },
            },
          }),
          h('span', { class: 'event-text', text: this.eventText(e) }),
        ),
      ),
    );
  }

  private residentName(id: string, fallback?: string): string {
    return this.state.catalog?.residentsById[id]?.name ?? fallback ?? id;
  }

  private where(a: Alert): string {
    const floorId = a.position?.floorId ?? a.floorId;
    return [zoneName(this.state, a.zoneId) ?? t(this.state.locale, 'unknownZone'), floorName(this.state, floorId)].join(' · ');
  }

  private tooltip(info: { layer?: { id: string } | null; object?: unknown }): string | null {
    if (!info.object || !info.layer) return null;
    const L = this.state.locale;
    if (info.layer.id === 'residents') {
      const m = info.object as ResidentMarker;
      return `${m.name}\n${this.time(m.ts)}`;
    }
    if (info.layer.id === REPLAY_LAYER_IDS.alertMarkers) {
      const a = this.alerts.find((x) => x.id === (info.object as AlertMarker).id);
      return a ? `${alertKindLabel(L, a.kind)} — ${a.residentName}\n${this.time(a.fixTs)}` : null;
    }
    if (info.layer.id === 'zones') {
      const z = info.object as ZoneShape;
      return z.kind !== 'ward' && z.kind !== 'corridor' ? localName(z, L) : null;
    }
    return null;
  }

  // --- exports and the report ---

  private async exportAs(format: 'csv' | 'geojson', btn: HTMLButtonElement): Promise<void> {
    const source = this.source;
    if (source?.kind !== 'alert') return;
    const error = this.side.querySelector<HTMLElement>('[data-testid="replay-export-error"]');
    if (error) error.textContent = '';
    btn.disabled = true;
    try {
      const { blob, filename } = await this.actions.api.download(exportPath(source, format));
      const url = URL.createObjectURL(blob);
      const a = h('a', { attrs: { href: url, download: filename ?? `alert-${source.alertId}.${format}` } });
      a.hidden = true;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
    } catch (err) {
      if (error) error.textContent = t(this.state.locale, 'exportFailed', { message: err instanceof Error ? err.message : String(err) });
    } finally {
      btn.disabled = false;
    }
  }

  /** Lay the report over the screen and open the print dialog. */
  private async printReport(): Promise<void> {
    const data = this.data;
    const pb = this.pb;
    if (!data || !pb || this.snapshotting) return;
    const L = this.state.locale;
    const a = data.alert;
    // the map at the alert moment (or as shown, for a window replay); the replay resumes where it was
    const at = Math.min(pb.end, Math.max(pb.start, a ? a.fixTs : pb.time));
    this.snapshotting = { ...pb, playing: false };
    this.pb = { ...pb, time: at, playing: false };
    this.draw(performance.now());
    let snapshot: string | null;
    try {
      snapshot = await this.map.snapshot(`rgb(${BACKGROUND[0]}, ${BACKGROUND[1]}, ${BACKGROUND[2]})`);
    } finally {
      if (this.data === data && this.snapshotting) this.pb = this.snapshotting;
      this.snapshotting = null;
    }
    if (this.destroyed || this.data !== data) return;
    this.renderTimeline();
    this.invalidate();

    const user = this.state.user;
    const site = (this.state.catalog?.sites ?? []).find((s) => s.id === a?.siteId) ?? this.state.catalog?.sites[0];
    const facts: [string, string][] = a
      ? [
          [t(L, 'reportAlert'), `${alertKindLabel(L, a.kind)} (${severityLabel(L, a.severity)})`],
          [t(L, 'reportResident'), this.residentName(a.residentId, a.residentName)],
          [t(L, 'reportWhere'), this.where(a)],
          [t(L, 'reportFixTime'), this.time(a.fixTs, true)],
          [t(L, 'reportState'), alertStateLabel(L, a.state, [...a.history].reverse().find((s) => s.state === 'acknowledged')?.by)],
          ...(a.detail ? ([[t(L, 'reportDetail'), a.detail]] as [string, string][]) : []),
          [t(L, 'replayWindow'), `${this.time(data.since, true)} – ${this.time(data.until, true)}`],
        ]
      : [[t(L, 'replayWindow'), `${this.time(data.since, true)} – ${this.time(data.until, true)}`]];
    const model: ReportModel = {
      lang: L,
      title: t(L, 'reportTitle'),
      subtitle: [site ? localName(site, L) : '', a ? `${alertKindLabel(L, a.kind)} · ${this.residentName(a.residentId, a.residentName)}` : ''].filter(Boolean).join(' — '),
      generated: t(L, 'reportGenerated', { time: this.time(this.clock(), true), who: user?.displayName ?? user?.username ?? '' }),
      facts,
      timesTitle: t(L, 'responseTimes'),
      times: this.responseTimeRows().map(([, k, v]) => [k, v]),
      snapshot,
      snapshotCaption: t(L, 'reportMapAt', { time: this.time(at, true) }),
      eventsTitle: t(L, 'reportEvents'),
      eventHeads: [t(L, 'reportTime'), t(L, 'reportEvent')],
      events: this.events().map((e) => [this.time(e.ts), this.eventText(e)]),
      emptyEvents: t(L, 'noEvents'),
      printLabel: t(L, 'print'),
      closeLabel: t(L, 'close'),
    };
    this.closeReport();
    this.report = reportView(model, { print: () => window.print(), close: () => this.closeReport() });
    document.body.append(this.report);
    document.body.classList.add('printing-report');
    window.print();
  }

  private closeReport(): void {
    this.report?.remove();
    this.report = null;
    document.body.classList.remove('printing-report');
  }
}
