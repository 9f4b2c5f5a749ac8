/**
 * The manager's morning review: the period's alerts per ward and kind, response times (median, worst, by
 * shift), what is still open, device health, and the alert list (filters, older pages by cursor, CSV) with a
 * link from each alert into its replay.
 */
import { ALERT_KINDS, type AlertKind } from '../../../geo/model';
import type { Api } from '../api';
import { alertKindLabel, alertStateLabel, clockTime, duration } from '../i18n';
import type { ClientState, Locale } from '../state/types';
import { h } from '../ui/dom';
import { present } from './present';
import { ot } from '../strings/office';
import type { AlertPage, DevicesAnswer, OverviewAnswer, ResponseTimes, Stats } from './types';
import { readyAfterFirstLoad } from './first-load';

const DAY = 86_400_000;

export interface ManagerViewDeps {
  api: Api;
  clock: () => number;
  go: (hash: string) => void;
  errorText: (err: unknown) => string;
  onReady: () => void;
}

export class ManagerView {
  readonly el = h('div', { class: 'office', testid: 'overview-manager' });
  private days = 7;
  private filters = { kind: '', residentId: '', state: '' };
  private page: AlertPage | null = null;
  private locale: Locale = 'en';
  private state: ClientState | null = null;
  private overview: OverviewAnswer | null = null;
  private devices: DevicesAnswer | null = null;
  private error = '';
  private readonly reportLoad = readyAfterFirstLoad(() => this.deps.onReady());

  constructor(private readonly deps: ManagerViewDeps) {}

  update(state: ClientState): void {
    const first = this.state === null;
    const relocalised = this.locale !== state.locale;
    this.state = state;
    this.locale = state.locale;
    if (first) void this.load();
    else if (relocalised) this.render();
  }

  private range() {
    const until = this.deps.clock() + 1;
    return { since: until - this.days * DAY, until };
  }

  private query(extra: Record<string, string> = {}): string {
    const { since, until } = this.range();
    const q = new URLSearchParams({ since: String(Math.round(since)), until: String(Math.round(until)) });
    for (const [k, v] of Object.entries({ ...this.filters, ...extra })) if (v) q.set(k, v);
    return q.toString();
  }

  async load(): Promise<void> {
    const { api } = this.deps;
    try {
      const { since, until } = this.range();
      [this.overview, this.devices, this.page] = await Promise.all([
        api.getJson<OverviewAnswer>(`/api/v1/overview?since=${Math.round(since)}&until=${Math.round(until)}`),
        api.getJson<DevicesAnswer>('/api/v1/overview/devices'),
        api.getJson<AlertPage>(`/api/v1/overview/alerts?${this.query({ limit: '50' })}`),
      ]);
      this.error = '';
    } catch (err) {
      this.error = this.deps.errorText(err);
    }
    this.render();
    this.reportLoad(!this.error);
  }

  private async more(): Promise<void> {
    if (!this.page?.next) return;
    try {
      const next = await this.deps.api.getJson<AlertPage>(`/api/v1/overview/alerts?${this.query({ limit: '50', cursor: this.page.next })}`);
      this.page = { ...next, alerts: [...this.page.alerts, ...next.alerts] };
    } catch (err) {
      this.error = this.deps.errorText(err);
    }
    this.render();
  }

  private async exportCsv(): Promise<void> {
    try {
      const { blob, filename } = await this.deps.api.download(`/api/v1/overview/alerts.csv?${this.query()}`);
      const url = URL.createObjectURL(blob);
      const a = h('a', { attrs: { href: url, download: filename ?? 'alerts.csv' } });
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (err) {
      this.error = this.deps.errorText(err);
      this.render();
    }
  }

  private render(): void {
    const L = this.locale;
    const o = this.overview;
    const site = o?.sites[0];
    const total = o ? sumStats(o.sites) : null;
    const periods = ([1, 7, 30] as const).map((d) =>
      h('button', {
        class: `chip${this.days === d ? ' chip-on' : ''}`,
        text: ot(L, d === 1 ? 'period1' : d === 7 ? 'period7' : 'period30'),
        on: { click: () => ((this.days = d), void this.load()) },
      }),
    );
    this.el.replaceChildren(
      ...present(
      h('div', { class: 'office-head' }, h('h2', { text: o && o.sites.length === 1 ? (L === 'zh-CN' ? (site?.nameZh ?? site?.name ?? '') : (site?.name ?? '')) : ot(L, 'kpiAlerts') }), h('div', { class: 'chips', testid: 'period' }, ...periods)),
      this.error ? h('p', { class: 'office-error', text: this.error }) : null,
      total ? this.kpis(total) : h('p', { class: 'muted', text: ot(L, 'loading') }),
      o ? this.wardTable(o) : null,
      total?.responseMs.byShift ? this.shiftTable(total.responseMs.byShift) : null,
      this.devices ? this.deviceCard(this.devices) : null,
      this.alertList(),
      ),
    );
  }

  private kpis(s: Stats): HTMLElement {
    const L = this.locale;
    const card = (key: Parameters<typeof ot>[1], value: string, id: string, tone = '') => h('div', { class: `kpi ${tone}`, testid: `kpi-${id}` }, h('div', { class: 'kpi-value', text: value }), h('div', { class: 'kpi-label', text: ot(L, key) }));
    const d = (ms: number | null) => (ms === null ? '—' : duration(L, ms));
    return h(
      'div',
      { class: 'kpis' },
      card('kpiAlerts', String(s.alerts), 'alerts'),
      card('kpiOpen', String(s.open + s.acknowledged), 'open', s.open > 0 ? 'kpi-alarm' : ''),
      card('kpiMedian', d(s.responseMs.median), 'median'),
      card('kpiWorst', d(s.responseMs.worst), 'worst'),
      card('kpiSelfCleared', String(s.selfCleared), 'self-cleared'),
    );
  }

  private wardTable(o: OverviewAnswer): HTMLElement {
    const L = this.locale;
    const wards = o.sites.flatMap((s) => s.wards);
    const kinds = ALERT_KINDS.filter((k) => wards.some((w) => (w.byKind[k] ?? 0) > 0));
    const name = (w: (typeof wards)[number]) => (w.wardId === null ? ot(L, 'community') : L === 'zh-CN' ? (w.nameZh ?? w.name) : w.name);
    return h(
      'section',
      { class: 'card', testid: 'ward-kind' },
      h('h3', { text: ot(L, 'byWardKind') }),
      h(
        'div',
        { class: 'table-wrap' },
        h(
          'table',
          { class: 'grid' },
          h('thead', {}, h('tr', {}, h('th', { text: ot(L, 'ward') }), ...kinds.map((k) => h('th', { text: alertKindLabel(L, k) })), h('th', { text: ot(L, 'total') }), h('th', { text: ot(L, 'kpiOpen') }), h('th', { text: ot(L, 'median') }))),
          h(
            'tbody',
            {},
            ...wards.map((w) =>
              h(
                'tr',
                { dataset: { ward: w.wardId ?? 'community' } },
                h('th', { text: name(w) }),
                ...kinds.map((k) => h('td', { class: 'num', text: String(w.byKind[k] ?? 0) })),
                h('td', { class: 'num strong', text: String(w.alerts) }),
                h('td', { class: `num${w.open ? ' alarm' : ''}`, text: String(w.open + w.acknowledged) }),
                h('td', { class: 'num', text: w.responseMs.median === null ? '—' : duration(L, w.responseMs.median) }),
              ),
            ),
          ),
        ),
      ),
    );
  }

  private shiftTable(byShift: Record<'early' | 'late' | 'night', ResponseTimes>): HTMLElement {
    const L = this.locale;
    const d = (ms: number | null) => (ms === null ? '—' : duration(L, ms));
    const rows = (['early', 'late', 'night'] as const).map((s) =>
      h('tr', {}, h('th', { text: ot(L, s === 'early' ? 'shiftEarly' : s === 'late' ? 'shiftLate' : 'shiftNight') }), h('td', { class: 'num', text: String(byShift[s].answered) }), h('td', { class: 'num', text: d(byShift[s].median) }), h('td', { class: 'num', text: d(byShift[s].p90) }), h('td', { class: 'num', text: d(byShift[s].worst) })),
    );
    return h(
      'section',
      { class: 'card', testid: 'by-shift' },
      h('h3', { text: ot(L, 'byShift') }),
      h('div', { class: 'table-wrap' }, h('table', { class: 'grid' }, h('thead', {}, h('tr', {}, ...(['shift', 'answered', 'median', 'p90', 'worst'] as const).map((k) => h('th', { text: ot(L, k) })))), h('tbody', {}, ...rows))),
    );
  }

  private deviceCard(d: DevicesAnswer): HTMLElement {
    const L = this.locale;
    const s = d.sites[0];
    if (!s) return h('section', { class: 'card' });
    const stat = (key: Parameters<typeof ot>[1], n: number, tone: string, id: string) => h('div', { class: `kpi small ${n > 0 ? tone : ''}`, testid: `dev-${id}` }, h('div', { class: 'kpi-value', text: String(n) }), h('div', { class: 'kpi-label', text: ot(L, key) }));
    const stateKey = (st: string) => (st === 'low_battery' ? 'devLow' : st === 'silent' ? 'devSilent' : 'devNever') as Parameters<typeof ot>[1];
    return h(
      'section',
      { class: 'card', testid: 'devices' },
      h('h3', { text: ot(L, 'devices') }),
      h('div', { class: 'kpis' }, stat('tags', s.tags, '', 'tags'), stat('devOk', s.ok, '', 'ok'), stat('devLow', s.lowBattery, 'kpi-warn', 'low'), stat('devSilent', s.silent, 'kpi-alarm', 'silent'), stat('devNever', s.neverSeen, 'kpi-warn', 'never')),
      s.attention.length
        ? h(
            'ul',
            { class: 'attention' },
            ...s.attention.slice(0, 12).map((a) =>
              h('li', {}, h('span', { class: `dev-badge ${a.state}`, text: ot(L, stateKey(a.state)) }), ` ${a.residentName ?? a.tagId} · ${a.tagId}`, a.battery !== null ? ` · ${ot(L, 'battery')} ${Math.round(a.battery)}%` : '', a.lastSeen ? ` · ${ot(L, 'lastSeen')} ${clockTime(L, a.lastSeen, { withDate: true })}` : ''),
            ),
          )
        : null,
    );
  }

  private alertList(): HTMLElement {
    const L = this.locale;
    const residents = Object.values(this.state?.catalog?.residentsById ?? {}).sort((a, b) => a.name.localeCompare(b.name));
    const select = (name: 'kind' | 'residentId' | 'state', options: [string, string][]) =>
      h(
        'select',
        { testid: `filter-${name}`, on: { change: (e) => ((this.filters[name] = (e.target as HTMLSelectElement).value), void this.reloadList()) } },
        h('option', { attrs: { value: '' }, text: ot(L, 'any') }),
        ...options.map(([v, label]) => {
          const o = h('option', { attrs: { value: v }, text: label });
          if (this.filters[name] === v) o.selected = true;
          return o;
        }),
      );
    const rows = this.page?.alerts ?? [];
    return h(
      'section',
      { class: 'card', testid: 'alert-list' },
      h('div', { class: 'office-head' }, h('h3', { text: `${ot(L, 'alertList')} (${this.page?.total ?? 0})` }), h('button', { class: 'btn', testid: 'export-csv', text: ot(L, 'exportCsv'), on: { click: () => void this.exportCsv() } })),
      h(
        'div',
        { class: 'filters' },
        h('label', {}, ot(L, 'filterKind'), select('kind', ALERT_KINDS.map((k: AlertKind) => [k, alertKindLabel(L, k)]))),
        h('label', {}, ot(L, 'filterResident'), select('residentId', residents.map((r) => [r.id, r.name]))),
        h('label', {}, ot(L, 'filterState'), select('state', (['open', 'acknowledged', 'resolved'] as const).map((s) => [s, alertStateLabel(L, s)]))),
      ),
      rows.length === 0
        ? h('p', { class: 'muted', text: ot(L, 'noAlerts') })
        : h(
            'div',
            { class: 'table-wrap' },
            h(
              'table',
              { class: 'grid alerts' },
              h('thead', {}, h('tr', {}, ...(['when', 'kind', 'resident', 'state', 'response'] as const).map((k) => h('th', { text: ot(L, k) })), h('th', {}))),
              h(
                'tbody',
                {},
                ...rows.map((a) =>
                  h(
                    'tr',
                    { dataset: { alert: a.id } },
                    h('td', { text: clockTime(L, a.detectedAt, { withDate: true }) }),
                    h('td', { text: alertKindLabel(L, a.kind) }),
                    h('td', { text: a.residentName }),
                    h('td', { class: `state-${a.state}`, text: alertStateLabel(L, a.state, a.history.find((x) => x.state === 'acknowledged')?.by) }),
                    h('td', { class: 'num', text: a.responseMs === null ? '—' : duration(L, a.responseMs) }),
                    h('td', {}, h('a', { class: 'btn small', testid: 'open-replay', attrs: { href: `#/replay/${encodeURIComponent(a.id)}` }, text: ot(L, 'replay') })),
                  ),
                ),
              ),
            ),
          ),
      this.page?.next ? h('button', { class: 'btn', testid: 'more-alerts', text: ot(L, 'more'), on: { click: () => void this.more() } }) : null,
    );
  }

  private async reloadList(): Promise<void> {
    try {
      this.page = await this.deps.api.getJson<AlertPage>(`/api/v1/overview/alerts?${this.query({ limit: '50' })}`);
    } catch (err) {
      this.error = this.deps.errorText(err);
    }
    this.render();
  }
}

/** Totals across sites (a manager of several homes): counts add, the response times are the first site's. */
function sumStats(sites: Stats[]): Stats | null {
  if (sites.length === 0) return null;
  if (sites.length === 1) return sites[0];
  const out: Stats = { ...sites[0], byKind: { ...sites[0].byKind } };
  for (const s of sites.slice(1)) {
    out.alerts += s.alerts;
    out.open += s.open;
    out.acknowledged += s.acknowledged;
    out.resolved += s.resolved;
    out.selfCleared += s.selfCleared;
    out.responseMs = { ...out.responseMs, worst: Math.max(out.responseMs.worst ?? 0, s.responseMs.worst ?? 0) || null };
  }
  return out;
}
