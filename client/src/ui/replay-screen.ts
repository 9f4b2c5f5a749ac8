/**
 * Incident replay (SPEC §6), for the manager the next morning: pick an alert (resolved ones too) or residents and a
 * time window, load every page of track, and play it on the floor plan with fading trails, a timeline with the
 * alerts on it, speeds from 1× to 60×, follow-a-resident, the response times, exports and a printable report.
 * Live alarms keep sounding and showing in the banner while a replay is open.
 *
 * The screen holds the replay's state (replay/screen-state.ts, a reducer) and composes the views: the picker
 * (replay-picker.ts) or the details (replay-details.ts) in the side panel, the map, and the timeline
 * (replay-timeline.ts). Here: loading, the animation clock, drawing the map, exports and the report.
 */
import type { Api } from '../api';
import { ApiError } from '../api';
import { alertKindLabel, alertStateLabel, severityLabel, t } from '../i18n';
import { isAnimated } from '../map/layers';
import { BACKGROUND } from '../map/palette';
import { alertPlace, eventText, notableEvents, replayTime, residentName, responseTimeRows, type ReplayContext } from '../replay/text';
import { REPLAY_LAYER_IDS, replayLayers, type AlertMarker } from '../replay/layers';
import { exportPath, loadReplay } from '../replay/load';
import type { Speed } from '../replay/playback';
import { ReplayMap } from '../replay/replay-map';
import { canReplay, sameSource, type Route } from '../replay/route';
import { initialReplayState, replayReducer, type ReplayAction, type ReplayScreenState } from '../replay/screen-state';
import { tripsOnFloor } from '../replay/tracks';
import type { ReplayData, ReplaySource } from '../replay/types';
import { alertMarkers, markersAt, shownFloor } from '../replay/view';
import { floorName, floorShapes, localName, type ResidentMarker } from '../state/selectors';
import type { ClientState, ZoneShape } from '../state/types';
import { AlarmBanner } from './alarm-banner';
import { h, setText } from './dom';
import { replayDetailsView } from './replay-details';
import { ReplayPicker } from './replay-picker';
import { reportView, type ReportModel } from './replay-report';
import { ReplayTimeline } from './replay-timeline';
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

const DRAW_FPS_PLAYING = 30;
const DRAW_FPS_PULSE = 15;

export class ReplayScreen {
  readonly el: HTMLElement;
  readonly map: ReplayMap;
  private readonly topBar: TopBar;
  private readonly banner: AlarmBanner;
  private readonly picker: ReplayPicker;
  private readonly timeline: ReplayTimeline;
  private readonly side = h('aside', { class: 'replay-side', testid: 'replay-side' });
  private readonly mapTitle = h('span', { class: 'map-title', testid: 'replay-map-title' });
  private readonly mapInfo = h('span', { class: 'map-info' });
  private readonly floorButtons = h('div', { class: 'replay-floors', testid: 'replay-floors' });
  private readonly fitBtn: HTMLButtonElement;
  private readonly mapTools: HTMLElement;
  private readonly overlay = h('div', { class: 'replay-status', testid: 'replay-status', attrs: { role: 'status' } });

  private state: ClientState;
  private replay: ReplayScreenState = initialReplayState;
  private abort: AbortController | null = null;
  /** What the side panel shows, to redraw it only when that changes. */
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
  private destroyed = false;

  constructor(
    private readonly actions: ReplayScreenActions,
    state: ClientState,
    private readonly clock: () => number,
  ) {
    this.state = state;
    this.topBar = new TopBar(actions, 'replay');
    this.banner = new AlarmBanner({ show: actions.showLive, acknowledge: actions.acknowledge });
    this.picker = new ReplayPicker(actions, state, clock);
    this.timeline = new ReplayTimeline((action) => this.dispatch(action));
    const mapContainer = h('div', { class: 'map-canvas', testid: 'replay-map' });
    this.fitBtn = h('button', { class: 'btn btn-chip map-fit', testid: 'replay-fit', on: { click: () => this.map.fit(this.shapes()) } });
    this.mapTools = h('div', { class: 'replay-map-tools' }, this.floorButtons, this.fitBtn);
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
            h('div', { class: 'map-overlay map-overlay-top' }, h('div', { class: 'map-heading' }, this.mapTitle, this.mapInfo), this.mapTools),
            this.overlay,
          ),
          this.timeline.el,
        ),
      ),
    );
    this.map = new ReplayMap(mapContainer, {
      onUserPan: () => this.dispatch({ type: 'userPan' }),
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
    if (this.replay.status !== 'idle' && sameSource(source, this.replay.source)) return;
    this.abort?.abort();
    this.abort = null;
    this.closeReport();
    this.replay = replayReducer(this.replay, { type: 'open', source });
    this.markerCache = null;
    this.isReady = false;
    this.awaitingReady = false;
    delete this.el.dataset.ready;
    this.renderedKey = '';
    if (!source) {
      this.map.setLayers([]);
      void this.picker.load(() => !this.destroyed && !this.replay.source);
      this.renderAll();
      return;
    }
    if (!canReplay(this.state.user)) {
      this.replay = replayReducer(this.replay, { type: 'failed', error: t(this.state.locale, 'replayNotAllowed') });
      this.renderAll();
      return;
    }
    this.renderAll();
    const abort = new AbortController();
    this.abort = abort;
    loadReplay(this.actions.api.getJson, source, {
      signal: abort.signal,
      onProgress: (n) => {
        if (abort.signal.aborted) return;
        this.replay = replayReducer(this.replay, { type: 'progress', rows: n });
        this.renderStatus();
      },
    }).then(
      (data) => {
        if (abort.signal.aborted || this.destroyed) return;
        this.loaded(data);
      },
      (err: unknown) => {
        if (abort.signal.aborted || this.destroyed) return;
        const msg = err instanceof Error ? err.message : String(err);
        const error =
          err instanceof ApiError && err.status === 403
            ? t(this.state.locale, 'replayNotAllowed')
            : t(this.state.locale, 'replayLoadFailed', { message: msg });
        this.replay = replayReducer(this.replay, { type: 'failed', error });
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
    this.replay = replayReducer(this.replay, { type: 'shown', floorId: null }); // re-fit with the catalog's shapes
    this.renderAll();
  }

  tick(now: number): void {
    this.banner.update(this.state, now);
  }

  get hooks(): ReplayHooks {
    const self = this;
    const pb = () => self.replay.playback;
    return {
      get ready() {
        return self.isReady;
      },
      get time() {
        return pb()?.time ?? null;
      },
      get playing() {
        return pb()?.playing ?? false;
      },
      get speed() {
        return pb()?.speed ?? 10;
      },
      get start() {
        return pb()?.start ?? null;
      },
      get end() {
        return pb()?.end ?? null;
      },
      get floorId() {
        return self.replay.shownFloorId;
      },
      get alertId() {
        return self.replay.data?.alert?.id ?? null;
      },
      get deck() {
        return self.map.deck;
      },
      setTime: (ms) => self.dispatch({ type: 'playback', action: { type: 'seek', time: ms } }),
      play: () => self.dispatch({ type: 'playback', action: { type: 'play' } }),
      pause: () => self.dispatch({ type: 'playback', action: { type: 'pause' } }),
      setSpeed: (speed: Speed) => self.dispatch({ type: 'playback', action: { type: 'speed', speed } }),
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

  // --- state ---

  private context(): ReplayContext {
    return { client: this.state, data: this.replay.data, alerts: this.replay.alerts };
  }

  private time(ts: number, withDate = false): string {
    return replayTime(this.context(), ts, withDate);
  }

  private loaded(data: ReplayData): void {
    this.replay = replayReducer(this.replay, { type: 'loaded', data, now: this.clock() });
    this.renderedKey = '';
    this.renderAll();
    this.invalidate();
  }

  /** A user action: the new state, then what it changes on screen. */
  private dispatch(action: ReplayAction): void {
    const before = this.replay;
    const next = replayReducer(before, action);
    if (next === before) return;
    this.replay = next;
    if (next.playback?.playing && !before.playback?.playing) this.lastFrameAt = 0;
    if (next.pickedFloor !== before.pickedFloor) this.renderFloors();
    this.timeline.renderClock(this.state, next);
    this.invalidate();
  }

  /** Something on the map changed: draw at the next frame. */
  private invalidate(): void {
    this.dirty = true;
    if (!this.raf && !this.destroyed) this.raf = requestAnimationFrame(this.frame);
  }

  private readonly frame = (now: number): void => {
    this.raf = 0;
    if (this.destroyed) return;
    const pb = this.replay.playback;
    if (pb?.playing && !this.replay.snapshotting) {
      const dt = this.lastFrameAt ? Math.min(now - this.lastFrameAt, 250) : 0;
      this.lastFrameAt = now;
      if (dt > 0) {
        this.replay = replayReducer(this.replay, { type: 'playback', action: { type: 'advance', dtMs: dt } });
        this.dirty = true;
        this.timeline.renderClock(this.state, this.replay);
      }
    }
    const playing = this.replay.playback?.playing ?? false;
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
    return floorShapes(this.state, this.replay.shownFloorId);
  }

  private draw(now: number): void {
    const { data, index, playback: pb, pickedFloor, followId, follow } = this.replay;
    const catalog = this.state.catalog;
    if (!data || !index || !pb || !catalog) return;
    const floorId = shownFloor({ picked: pickedFloor, index, residentId: followId, time: pb.time, alert: data.alert });
    if (floorId !== this.replay.shownFloorId) {
      this.replay = replayReducer(this.replay, { type: 'shown', floorId });
      this.map.fit(this.shapes());
      this.renderFloors();
      this.renderStatus();
    }
    const markers = markersAt(index, floorId, pb.time, catalog.residentsById, this.replay.alerts);
    this.drawnMarkers = markers;
    if (follow && followId) {
      const m = markers.find((x) => x.id === followId);
      if (m) this.map.centre(m.x, m.y);
    }
    setText(this.mapInfo, t(this.state.locale, 'residentsShown', { n: markers.length }));
    const highlight = new Set<string>(followId ? [followId] : []);
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
    const list = alertMarkers(this.replay.alerts, this.replay.data?.alert?.id ?? null, floorId, (a) => `${alertKindLabel(L, a.kind)} ${this.time(a.fixTs)}`);
    this.markerCache = { key, list };
    return list;
  }

  // --- rendering the DOM ---

  private renderAll(): void {
    this.renderStatus();
    this.renderSide();
    this.timeline.renderClock(this.state, this.replay);
    this.renderFloors();
    this.invalidate();
  }

  private renderStatus(): void {
    const L = this.state.locale;
    const { status, data, error, loadedRows } = this.replay;
    let text = '';
    if (status === 'loading') text = t(L, 'replayLoading', { n: loadedRows });
    else if (status === 'error') text = error;
    else if (status === 'idle') text = t(L, 'replayChoose');
    else if (data && !data.rows.length) text = t(L, 'replayEmpty');
    else if (data?.truncated) text = t(L, 'replayTruncated');
    setText(this.overlay, text);
    this.overlay.hidden = !text;
    this.overlay.dataset.status = status;
    const floorId = this.replay.shownFloorId;
    setText(this.mapTitle, floorId ? floorName(this.state, floorId) : t(L, 'replayTitle'));
    if (!floorId) setText(this.mapInfo, '');
    setText(this.fitBtn, `⤢ ${t(L, 'fitFloor')}`);
    this.mapTools.hidden = !data;
  }

  private renderFloors(): void {
    const L = this.state.locale;
    const { index, pickedFloor, shownFloorId } = this.replay;
    const floors = index?.floors ?? [];
    const key = JSON.stringify([L, floors, pickedFloor, shownFloorId]);
    if (this.floorButtons.dataset.key === key) return;
    this.floorButtons.dataset.key = key;
    this.floorButtons.hidden = floors.length < 2;
    const pick = (floorId: string | null) => this.dispatch({ type: 'pickFloor', floorId });
    this.floorButtons.replaceChildren(
      h('button', {
        class: `btn btn-chip${pickedFloor === null ? ' selected' : ''}`,
        testid: 'replay-floor-auto',
        text: t(L, 'floorAuto'),
        attrs: { 'aria-pressed': String(pickedFloor === null) },
        on: { click: () => pick(null) },
      }),
      ...floors.map((f) =>
        h('button', {
          class: `btn btn-chip${f === shownFloorId ? ' selected' : ''}`,
          testid: `replay-floor-${f}`,
          text: floorName(this.state, f),
          attrs: { 'aria-pressed': String(pickedFloor === f) },
          on: { click: () => pick(f) },
        }),
      ),
    );
  }

  private renderSide(): void {
    const { source, status, data } = this.replay;
    if (!source) {
      const els = this.picker.view(this.state);
      if (this.side.firstElementChild !== els[0]) this.side.replaceChildren(...els);
      return;
    }
    const key = JSON.stringify([this.state.locale, status, source, data?.alert?.updatedAt, !!this.state.catalog]);
    if (key === this.renderedKey) return;
    this.renderedKey = key;
    this.side.replaceChildren(
      ...replayDetailsView(this.context(), source, {
        navigate: this.actions.navigate,
        dispatch: (action) => this.dispatch(action),
        exportAs: (format, button) => void this.exportAs(format, button),
        printReport: () => void this.printReport(),
      }),
    );
    this.timeline.renderReplay(this.context(), this.replay);
  }

  private tooltip(info: { layer?: { id: string } | null; object?: unknown }): string | null {
    if (!info.object || !info.layer) return null;
    const L = this.state.locale;
    if (info.layer.id === 'residents') {
      const m = info.object as ResidentMarker;
      return `${m.name}\n${this.time(m.ts)}`;
    }
    if (info.layer.id === REPLAY_LAYER_IDS.alertMarkers) {
      const a = this.replay.alerts.find((x) => x.id === (info.object as AlertMarker).id);
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
    const source = this.replay.source;
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
    const { data, playback: pb } = this.replay;
    if (!data || !pb || this.replay.snapshotting) return;
    const L = this.state.locale;
    const a = data.alert;
    // the map at the alert moment (or as shown, for a window replay); the replay resumes where it was
    const at = Math.min(pb.end, Math.max(pb.start, a ? a.fixTs : pb.time));
    this.replay = replayReducer(this.replay, { type: 'snapshot', at });
    this.draw(performance.now());
    let snapshot: string | null;
    try {
      snapshot = await this.map.snapshot(`rgb(${BACKGROUND[0]}, ${BACKGROUND[1]}, ${BACKGROUND[2]})`);
    } finally {
      if (this.replay.data === data) this.replay = replayReducer(this.replay, { type: 'snapshotDone' });
    }
    if (this.destroyed || this.replay.data !== data) return;
    this.timeline.renderClock(this.state, this.replay);
    this.invalidate();

    const c = this.context();
    const user = this.state.user;
    const site = (this.state.catalog?.sites ?? []).find((s) => s.id === a?.siteId) ?? this.state.catalog?.sites[0];
    const who = a ? residentName(this.state, a.residentId, a.residentName) : '';
    const span: [string, string] = [t(L, 'replayWindow'), `${this.time(data.since, true)} – ${this.time(data.until, true)}`];
    const facts: [string, string][] = a
      ? [
          [t(L, 'reportAlert'), `${alertKindLabel(L, a.kind)} (${severityLabel(L, a.severity)})`],
          [t(L, 'reportResident'), who],
          [t(L, 'reportWhere'), alertPlace(this.state, a)],
          [t(L, 'reportFixTime'), this.time(a.fixTs, true)],
          [t(L, 'reportState'), alertStateLabel(L, a.state, [...a.history].reverse().find((s) => s.state === 'acknowledged')?.by)],
          ...(a.detail ? ([[t(L, 'reportDetail'), a.detail]] as [string, string][]) : []),
          span,
        ]
      : [span];
    const model: ReportModel = {
      lang: L,
      title: t(L, 'reportTitle'),
      subtitle: [site ? localName(site, L) : '', a ? `${alertKindLabel(L, a.kind)} · ${who}` : ''].filter(Boolean).join(' — '),
      generated: t(L, 'reportGenerated', { time: this.time(this.clock(), true), who: user?.displayName ?? user?.username ?? '' }),
      facts,
      timesTitle: t(L, 'responseTimes'),
      times: responseTimeRows(c).map(([, k, v]) => [k, v]),
      snapshot,
      snapshotCaption: t(L, 'reportMapAt', { time: this.time(at, true) }),
      eventsTitle: t(L, 'reportEvents'),
      eventHeads: [t(L, 'reportTime'), t(L, 'reportEvent')],
      events: notableEvents(c).map((e) => [this.time(e.ts), eventText(c, e)]),
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
