/**
 * The regulator's supervision overview (四级监管): province -> city -> county -> institution, each level a table
 * of counts and response times with a drill-down into the next. Only numbers: the API sends no person, no ward
 * and no position, and this view shows nothing else.
 */
import type { Api } from '../api';
import { alertKindLabel, duration } from '../i18n';
import type { Locale } from '../state/types';
import { h } from '../ui/dom';
import { present } from './present';
import { ot, type OfficeKey } from '../strings/office';
import type { RegionNode } from './types';
import { readyAfterFirstLoad } from './first-load';

const DAY = 86_400_000;
const LEVEL_KEY: Record<RegionNode['level'], OfficeKey> = { province: 'province', city: 'city', county: 'county', institution: 'institution' };

export interface RegulatorViewDeps {
  api: Api;
  clock: () => number;
  errorText: (err: unknown) => string;
  onReady: () => void;
}

export class RegulatorView {
  readonly el = h('div', { class: 'office', testid: 'overview-regulator' });
  private locale: Locale = 'en';
  private days = 30;
  private roots: RegionNode[] = [];
  /** Codes from the top down to the node whose children are shown. */
  private path: string[] = [];
  private error = '';
  private loaded = false;
  private readonly reportLoad = readyAfterFirstLoad(() => this.deps.onReady());

  constructor(private readonly deps: RegulatorViewDeps) {}

  update(locale: Locale): void {
    const changed = locale !== this.locale;
    this.locale = locale;
    if (!this.loaded) {
      this.loaded = true;
      void this.load();
    } else if (changed) this.render();
  }

  private async load(): Promise<void> {
    const until = this.deps.clock() + 1;
    try {
      const body = await this.deps.api.getJson<{ regions: RegionNode[] }>(`/api/v1/overview/regions?since=${Math.round(until - this.days * DAY)}&until=${Math.round(until)}`);
      this.roots = body.regions;
      this.error = '';
    } catch (err) {
      this.error = this.deps.errorText(err);
    }
    this.render();
    this.reportLoad(!this.error);
  }

  private trail(): RegionNode[] {
    const out: RegionNode[] = [];
    let level = this.roots;
    for (const code of this.path) {
      const n = level.find((x) => x.code === code);
      if (!n) break;
      out.push(n);
      level = n.children;
    }
    return out;
  }

  private name(n: RegionNode): string {
    return this.locale === 'zh-CN' || !n.nameEn ? n.name : n.nameEn;
  }

  private render(): void {
    const L = this.locale;
    const trail = this.trail();
    const shown = trail.length ? trail[trail.length - 1].children : this.roots;
    const crumbs = [
      h('button', { class: 'crumb', testid: 'crumb-root', text: ot(L, 'allRegions'), on: { click: () => ((this.path = []), this.render()) } }),
      ...trail.map((n, i) => h('button', { class: 'crumb', testid: `crumb-${n.level}`, text: this.name(n), on: { click: () => ((this.path = this.path.slice(0, i + 1)), this.render()) } })),
    ];
    const periods = ([7, 30, 90] as const).map((d) =>
      h('button', { class: `chip${this.days === d ? ' chip-on' : ''}`, text: `${d} d`, on: { click: () => ((this.days = d), void this.load()) } }),
    );
    const level = shown[0]?.level;
    this.el.replaceChildren(
      ...present(
      h('div', { class: 'office-head' }, h('h2', { text: ot(L, 'regions') }), h('div', { class: 'chips' }, ...periods)),
      h('p', { class: 'muted', text: ot(L, 'regionsHint') }),
      this.error ? h('p', { class: 'office-error', text: this.error }) : null,
      h('nav', { class: 'crumbs', testid: 'crumbs' }, ...crumbs),
      trail.length ? this.summary(trail[trail.length - 1]) : null,
      h(
        'section',
        { class: 'card', testid: `level-${level ?? 'none'}` },
        h(
          'div',
          { class: 'table-wrap' },
          h(
            'table',
            { class: 'grid' },
            h(
              'thead',
              {},
              h('tr', {}, h('th', { text: level ? ot(L, LEVEL_KEY[level]) : '' }), ...(['institutions', 'residents', 'kpiAlerts', 'kpiOpen', 'median', 'worst'] as const).map((k) => h('th', { text: ot(L, k) })), h('th', {})),
            ),
            h(
              'tbody',
              {},
              ...shown.map((n) =>
                h(
                  'tr',
                  { dataset: { code: n.code, level: n.level } },
                  h('th', { text: this.name(n) }),
                  h('td', { class: 'num', text: String(n.institutions) }),
                  h('td', { class: 'num', text: String(n.residents) }),
                  h('td', { class: 'num strong', dataset: { field: 'alerts' }, text: String(n.alerts) }),
                  h('td', { class: `num${n.open ? ' alarm' : ''}`, text: String(n.open + n.acknowledged) }),
                  h('td', { class: 'num', text: n.responseMs.median === null ? '—' : duration(L, n.responseMs.median) }),
                  h('td', { class: 'num', text: n.responseMs.worst === null ? '—' : duration(L, n.responseMs.worst) }),
                  h('td', {}, n.children.length ? h('button', { class: 'btn small', testid: 'drill', text: ot(L, 'drill'), on: { click: () => ((this.path = [...trail.map((x) => x.code), n.code]), this.render()) } }) : null),
                ),
              ),
            ),
          ),
        ),
      ),
      ),
    );
  }

  private summary(n: RegionNode): HTMLElement {
    const L = this.locale;
    const kinds = Object.entries(n.byKind).sort((a, b) => (b[1] ?? 0) - (a[1] ?? 0));
    return h(
      'section',
      { class: 'card', testid: 'region-summary' },
      h('h3', { text: `${ot(L, LEVEL_KEY[n.level])} · ${this.name(n)}` }),
      h('div', { class: 'kinds' }, ...kinds.map(([k, c]) => h('span', { class: 'chip' }, `${alertKindLabel(L, k as never)} ${c}`))),
    );
  }
}
