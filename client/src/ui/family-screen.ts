/**
 * The family page (`#/family`), phone first: their relative only. Name, state in words, open alerts with who
 * acknowledged them and when, earlier alerts, and — only while an alert is open — where the relative is now on
 * a small map. Times are the care home's (its time zone).
 */
import { CityMap } from '../city/city-map';
import { cityLayers, type CityMarker } from '../city/layers';
import { cityFeatures } from '../city/site-geojson';
import type { MapConfig } from '../city/style';
import { alertKindLabel, clockTime, t, type MessageKey } from '../i18n';
import type { ScreenHost } from '../shell/registry';
import type { Alert, ClientState, Locale } from '../state/types';
import { h, setText } from './dom';
import { disablePush, enablePush, pushState, type PushState } from '../push/push';

/** `GET /api/v1/family/relatives` item. */
export interface Relative {
  id: string;
  name: string;
  siteId: string;
  siteName: string;
  siteNameZh?: string;
  timeZone: string;
  community: boolean;
  status: 'in_home' | 'in_grounds' | 'out' | 'at_home' | 'asleep' | 'no_signal';
  lastSeen: number | null;
}

interface LivePosition {
  residentId: string;
  lon: number;
  lat: number;
  ts: number;
}

/** Kinds that open the family's live view (server/auth/scope.ts FAMILY_KINDS). */
const FAMILY_KINDS = new Set(['exit_approach', 'left_safe_zone', 'left_area', 'forbidden_zone', 'fall', 'sos']);
const REFRESH_MS = 30_000;
const POSITION_MS = 5_000;

export interface FamilyHooks {
  readonly ready: boolean;
  readonly relative: Relative | null;
  readonly position: LivePosition | null;
  readonly map: unknown;
}

export class FamilyScreen {
  readonly el: HTMLElement;
  private readonly card = h('section', { class: 'family-card', testid: 'family-relative' });
  private readonly openList = h('ol', { class: 'family-alerts', testid: 'family-open-alerts' });
  private readonly history = h('ol', { class: 'family-alerts family-history', testid: 'family-history' });
  private readonly mapSection = h('section', { class: 'family-map-section', testid: 'family-map-section' });
  private readonly mapBox = h('div', { class: 'family-map', testid: 'family-map' });
  private readonly mapNote = h('p', { class: 'family-note', testid: 'family-map-note' });
  private readonly error = h('p', { class: 'family-error', testid: 'family-error', attrs: { role: 'alert' } });
  private readonly headings = { open: h('h2'), history: h('h2'), map: h('h2') };
  private state: ClientState;
  private relative: Relative | null = null;
  private loaded = false;
  private resolved: Alert[] = [];
  private position: LivePosition | null = null;
  private map: CityMap | null = null;
  private mapConfig: MapConfig | null = null;
  private timers: ReturnType<typeof setInterval>[] = [];
  private renderKey = '';
  private destroyed = false;
  private push: PushState = 'unsupported';
  private readonly pushBtn = h('button', { class: 'btn btn-chip family-push', testid: 'family-push', attrs: { role: 'switch' } });

  constructor(private readonly host: ScreenHost) {
    this.state = host.store.getState();
    this.mapSection.append(this.headings.map, this.mapBox, this.mapNote);
    this.el = h(
      'main',
      { class: 'family-screen' },
      this.error,
      this.card,
      this.mapSection,
      h('section', { class: 'family-section' }, this.headings.open, this.openList),
      h('section', { class: 'family-section' }, this.headings.history, this.history),
      h('div', { class: 'family-push-slot', testid: 'family-push-slot' }),
    );
    this.pushSlot.append(this.pushBtn);
    this.pushBtn.addEventListener('click', () => {
      const next = this.push === 'on' ? disablePush(host.token) : enablePush(host.token);
      next.then((p) => this.showPush(p.state), (err: unknown) => {
        this.error.hidden = false;
        setText(this.error, host.errorText(err));
      });
    });
    void pushState().then((p) => this.showPush(p.state), () => this.showPush('unsupported'));
    void this.refresh();
    this.timers.push(setInterval(() => void this.refresh(), REFRESH_MS));
    this.timers.push(setInterval(() => void this.locate(), POSITION_MS));
  }

  private showPush(state: PushState): void {
    this.push = state;
    this.pushBtn.hidden = state === 'unsupported';
    this.pushBtn.disabled = state === 'blocked';
    this.pushBtn.setAttribute('aria-checked', String(state === 'on'));
    const L = this.state.locale;
    setText(this.pushBtn, `${t(L, 'familyPush')}: ${t(L, state === 'on' ? 'pushOn' : state === 'blocked' ? 'pushBlocked' : 'pushOff')}`);
  }

  /** Where the Web Push switch goes (client/src/push provides it). */
  get pushSlot(): HTMLElement {
    return this.el.querySelector('.family-push-slot') as HTMLElement;
  }

  get hooks(): FamilyHooks {
    const self = this;
    return {
      get ready() {
        return self.loaded;
      },
      get relative() {
        return self.relative;
      },
      get position() {
        return self.position;
      },
      get map() {
        return self.map?.map ?? null;
      },
    };
  }

  update(state: ClientState): void {
    this.state = state;
    this.render();
  }

  tick(): void {
    this.render();
  }

  destroy(): void {
    this.destroyed = true;
    for (const t of this.timers) clearInterval(t);
    this.map?.destroy();
  }

  private mine(): Alert[] {
    const id = this.relative?.id;
    return Object.values(this.state.alerts).filter((a) => a.residentId === id);
  }

  private liveAlert(): Alert | undefined {
    return this.mine().find((a) => a.state !== 'resolved' && FAMILY_KINDS.has(a.kind));
  }

  private async refresh(): Promise<void> {
    try {
      const [relatives, resolved] = await Promise.all([
        this.host.api.getJson<Relative[]>('/api/v1/family/relatives'),
        this.host.api.alerts('resolved'),
      ]);
      if (this.destroyed) return;
      this.relative = relatives[0] ?? null;
      this.resolved = resolved.filter((a) => a.residentId === this.relative?.id).sort((a, b) => b.fixTs - a.fixTs).slice(0, 20);
      this.loaded = true;
      this.error.hidden = true;
      this.renderKey = '';
      this.render();
      this.host.markReady('family');
      void this.locate();
    } catch (err) {
      if (this.destroyed) return;
      this.error.hidden = false;
      setText(this.error, this.host.errorText(err));
    }
  }

  /** The position, asked for only while an alert is open (the server refuses it otherwise). */
  private async locate(): Promise<void> {
    const r = this.relative;
    if (!r || !this.liveAlert()) {
      if (this.position) {
        this.position = null;
        this.render();
      }
      return;
    }
    try {
      const p = await this.host.api.getJson<LivePosition>(`/api/v1/residents/${encodeURIComponent(r.id)}/position`);
      if (this.destroyed) return;
      this.position = p;
      this.render();
    } catch {
      // 403 when the alert was resolved meanwhile, 404 before any fix: the next round tells
    }
  }

  private render(): void {
    const L = this.state.locale;
    const r = this.relative;
    const tz = r?.timeZone;
    const time = (ts: number) => clockTime(L, ts, { timeZone: tz, withDate: true });
    setText(this.headings.open, t(L, 'familyAlertsOpen'));
    setText(this.headings.history, t(L, 'familyHistory'));
    setText(this.headings.map, t(L, 'familyWhereNow'));
    if (!this.loaded) return;
    const mine = this.mine();
    const active = mine.filter((a) => a.state !== 'resolved').sort((a, b) => b.fixTs - a.fixTs);
    const resolvedIds = new Set(active.map((a) => a.id));
    const history = [...this.resolved.filter((a) => !resolvedIds.has(a.id) && this.state.alerts[a.id]?.state !== 'open'), ...mine.filter((a) => a.state === 'resolved' && !this.resolved.some((x) => x.id === a.id))]
      .sort((a, b) => b.fixTs - a.fixTs);
    const key = JSON.stringify([L, r, active.map((a) => [a.id, a.state, a.updatedAt]), history.map((a) => [a.id, a.updatedAt]), this.position?.ts, Math.floor(Date.now() / 30_000)]);
    if (key === this.renderKey) return;
    this.renderKey = key;

    if (!r) {
      this.card.replaceChildren(h('p', { class: 'family-empty', text: t(L, 'familyNoRelative') }));
    } else {
      const status = t(L, `familyStatus_${r.status}` as MessageKey);
      this.card.dataset.status = active.length ? 'alert' : r.status;
      this.card.replaceChildren(
        h('div', { class: 'family-avatar', text: [...r.name][0] ?? '?', attrs: { 'aria-hidden': 'true' } }),
        h(
          'div',
          { class: 'family-who' },
          h('h1', { class: 'family-name', testid: 'family-name', text: r.name }),
          h('p', { class: 'family-status', testid: 'family-status', text: status }),
          h('p', { class: 'family-site', text: `${L === 'zh-CN' && r.siteNameZh ? r.siteNameZh : r.siteName}` }),
          r.lastSeen ? h('p', { class: 'family-seen', text: t(L, 'familyLastHeard', { time: time(r.lastSeen) }) }) : null,
        ),
      );
    }
    this.openList.replaceChildren(...(active.length ? active.map((a) => alertCard(a, L, time)) : [h('li', { class: 'family-empty', text: t(L, 'familyNoOpenAlerts') })]));
    this.history.replaceChildren(...history.map((a) => alertCard(a, L, time)));
    this.history.parentElement!.hidden = history.length === 0;
    this.renderMap();
  }

  private renderMap(): void {
    const L = this.state.locale;
    const live = this.liveAlert();
    this.mapSection.hidden = !live;
    if (!live) {
      this.map?.destroy();
      this.map = null;
      return;
    }
    setText(this.mapNote, this.position ? t(L, 'familyMapNote') : t(L, 'familyNoPosition'));
    if (!this.map) {
      void this.ensureMapConfig().then((cfg) => {
        if (this.map || this.destroyed || !this.liveAlert()) return;
        this.map = new CityMap(this.mapBox, {
          data: cityFeatures(this.state.catalog?.sites ?? []),
          config: cfg,
          theme: this.state.theme,
          locale: L,
          padding: 24,
          onReady: () => this.host.markReady('family-map'),
        });
        this.drawPosition();
      });
      return;
    }
    this.map.setTheme(this.state.theme);
    this.drawPosition();
  }

  private drawPosition(): void {
    const p = this.position;
    const r = this.relative;
    if (!this.map || !r) return;
    const markers: CityMarker[] = p
      ? [{ id: r.id, name: r.name, lngLat: [p.lon, p.lat], status: 'alert', community: r.community, wanderRisk: false, followed: true }]
      : [];
    const labels = new Map(markers.map((m) => [m.id, { offset: [0, 24] as [number, number], anchor: 'below' as const }]));
    this.map.setLayers(cityLayers(markers, [], labels, this.state.theme === 'dark'));
    if (p) this.map.flyTo([p.lon, p.lat], 17);
  }

  private async ensureMapConfig(): Promise<MapConfig> {
    if (!this.mapConfig) this.mapConfig = await this.host.api.getJson<MapConfig>('/api/v1/map/config').catch(() => ({}));
    return this.mapConfig;
  }
}

function alertCard(a: Alert, L: Locale, time: (ts: number) => string): HTMLElement {
  const steps = a.history.filter((s) => s.state === 'acknowledged' || s.state === 'resolved');
  const ack = steps.find((s) => s.state === 'acknowledged');
  const res = steps.find((s) => s.state === 'resolved');
  return h(
    'li',
    { class: 'family-alert', testid: `family-alert-${a.id}`, dataset: { state: a.state, severity: a.severity } },
    h('div', { class: 'family-alert-kind', text: alertKindLabel(L, a.kind) }),
    h('div', { class: 'family-alert-time', text: t(L, 'familyRaisedAt', { time: time(a.fixTs) }) }),
    ack
      ? h('div', { class: 'family-alert-ack', testid: `family-ack-${a.id}`, text: t(L, 'familyAckedBy', { who: ack.by, time: time(ack.at) }) })
      : a.state === 'open'
        ? h('div', { class: 'family-alert-waiting', text: t(L, 'familyWaiting') })
        : null,
    res ? h('div', { class: 'family-alert-resolved', text: t(L, 'familyResolvedBy', { who: res.by, time: time(res.at) }) }) : null,
  );
}
