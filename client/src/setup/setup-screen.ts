/**
 * Site setup (admin): import a floor plan from an IMDF archive, see on the plan what each unit became and change
 * zone kinds, draw zones, put door controllers and cameras on exits, then the people and devices of the site.
 */
import { ZONE_KINDS, type ZoneKind } from '../../../geo/model';
import type { Api } from '../api';
import type { Locale, SiteDto, ZoneFeature } from '../state/types';
import { h } from '../ui/dom';
import { ot } from '../strings/office';
import { present } from '../overview/present';
import { peopleCards } from './people';
import { kindFill, PlanSvg } from './plan-svg';

export interface SetupDeps {
  api: Api;
  errorText: (err: unknown) => string;
  onReady: () => void;
}

interface ImportAnswer {
  siteId: string;
  floors: number;
  zones: number;
  warnings: string[];
}

const KIND_ZH: Record<ZoneKind, string> = { room: '房间', bed: '床位', bathroom: '卫生间', corridor: '走廊', ward: '病区', safe: '安全区', forbidden: '禁入区', exit: '出口', campus: '院区', home: '居家范围' };
const kindLabel = (L: Locale, k: ZoneKind) => (L === 'zh-CN' ? KIND_ZH[k] : k);

export class SetupScreen {
  readonly el = h('div', { class: 'office', testid: 'setup' });
  private locale: Locale = 'en';
  private sites: SiteDto[] = [];
  private siteId: string | null = null;
  private floorId: string | null = null;
  private zoneId: string | null = null;
  private draft: [number, number][] | null = null;
  private lastImport: ImportAnswer | null = null;
  private message = '';
  private error = '';
  private started = false;
  private readonly plan = new PlanSvg({
    onSelect: (id) => ((this.zoneId = id), (this.draft = null), this.render()),
    onDraw: (ring) => ((this.draft = ring), (this.zoneId = null), (this.plan.drawing = false), this.render()),
  });
  /** Kept across renders so a chosen file and typed values survive a re-render. */
  private readonly importForm = this.buildImportForm();

  constructor(private readonly deps: SetupDeps) {}

  update(locale: Locale): void {
    const changed = locale !== this.locale;
    this.locale = locale;
    if (!this.started) {
      this.started = true;
      void this.reload().then(() => this.deps.onReady());
    } else if (changed) this.render();
  }

  private site(): SiteDto | undefined {
    return this.sites.find((s) => s.id === this.siteId);
  }

  async reload(selectSite?: string): Promise<void> {
    try {
      this.sites = await this.deps.api.sites();
      this.error = '';
    } catch (err) {
      this.error = this.deps.errorText(err);
    }
    if (selectSite) this.siteId = selectSite;
    if (!this.site()) this.siteId = this.sites[0]?.id ?? null;
    const site = this.site();
    if (site && !site.floors.some((f) => f.id === this.floorId)) this.floorId = [...site.floors].sort((a, b) => a.ordinal - b.ordinal)[0]?.id ?? null;
    this.render();
  }

  private buildImportForm() {
    const name = h('input', { testid: 'import-name', attrs: { type: 'text' } });
    const tz = h('input', { testid: 'import-timezone', attrs: { type: 'text', value: 'Asia/Shanghai' } });
    const region = h('input', { testid: 'import-region', attrs: { type: 'text', inputmode: 'numeric', maxlength: '6' } });
    const file = h('input', { testid: 'import-file', attrs: { type: 'file', accept: '.zip,application/zip' } });
    const button = h('button', { class: 'btn primary', testid: 'import-button', on: { click: () => void this.importArchive(name.value.trim(), tz.value.trim(), region.value.trim(), file.files?.[0]) } });
    return { name, tz, region, file, button, labels: [] as HTMLElement[] };
  }

  private async importArchive(name: string, timezone: string, regionCode: string, file: File | undefined): Promise<void> {
    if (!file) return;
    const q = new URLSearchParams();
    if (name) q.set('name', name);
    if (timezone) q.set('timezone', timezone);
    if (regionCode) q.set('regionCode', regionCode);
    this.message = ot(this.locale, 'loading');
    this.error = '';
    this.render();
    try {
      this.lastImport = await this.deps.api.upload<ImportAnswer>(`/api/v1/sites/imdf?${q}`, file, 'application/zip');
      this.message = ot(this.locale, 'imported', { floors: this.lastImport.floors, zones: this.lastImport.zones });
      this.floorId = null;
      this.zoneId = null;
      await this.reload(this.lastImport.siteId);
    } catch (err) {
      this.message = '';
      this.error = ot(this.locale, 'failed', { message: this.deps.errorText(err) });
      this.render();
    }
  }

  private render(): void {
    const L = this.locale;
    const site = this.site();
    const f = this.importForm;
    f.button.textContent = ot(L, 'importButton');
    const importCard = h(
      'section',
      { class: 'card', testid: 'import-form' },
      h('h3', { text: ot(L, 'importTitle') }),
      h('p', { class: 'muted', text: ot(L, 'importHint') }),
      h('div', { class: 'form' }, h('label', {}, ot(L, 'siteName'), f.name), h('label', {}, ot(L, 'timezone'), f.tz), h('label', {}, ot(L, 'regionCode'), f.region), h('label', {}, ot(L, 'chooseFile'), f.file), f.button),
      ...present(
        this.message ? h('p', { testid: 'import-result', text: this.message }) : null,
        this.lastImport?.warnings.length ? h('div', {}, h('strong', { text: ot(L, 'warnings') }), h('ul', { class: 'warnings', testid: 'import-warnings' }, ...this.lastImport.warnings.map((w) => h('li', { text: w })))) : null,
      ),
    );
    this.el.replaceChildren(
      ...present(
        h('div', { class: 'office-head' }, h('h2', { text: ot(L, 'setupTitle') })),
        this.error ? h('p', { class: 'office-error', testid: 'setup-error', text: this.error }) : null,
        importCard,
        site ? this.siteCard(site) : null,
        ...(site ? peopleCards(L, site, { api: this.deps.api, errorText: this.deps.errorText, changed: () => void this.reload() }) : []),
      ),
    );
  }

  private siteCard(site: SiteDto): HTMLElement {
    const L = this.locale;
    const floors = [...site.floors].sort((a, b) => a.ordinal - b.ordinal);
    const zones = site.zones.features;
    const rooms = (floorId?: string) => zones.filter((z) => z.properties.kind === 'room' && (!floorId || z.properties.floorId === floorId)).length;
    const siteSelect = h(
      'select',
      { testid: 'site-select', on: { change: (e) => ((this.siteId = (e.target as HTMLSelectElement).value), (this.floorId = null), (this.zoneId = null), void this.reload()) } },
      ...this.sites.map((s) => {
        const o = h('option', { attrs: { value: s.id }, text: L === 'zh-CN' ? (s.nameZh ?? s.name) : s.name });
        o.selected = s.id === site.id;
        return o;
      }),
    );
    const onFloor = zones.filter((z) => z.properties.floorId === this.floorId);
    this.plan.show(onFloor, this.zoneId);
    const counts = new Map<ZoneKind, number>();
    for (const z of onFloor) counts.set(z.properties.kind, (counts.get(z.properties.kind) ?? 0) + 1);
    const floorName = (fl: (typeof floors)[number]) => (L === 'zh-CN' ? (fl.nameZh ?? fl.name) : fl.name);
    return h(
      'section',
      { class: 'card', testid: 'site-card' },
      h('div', { class: 'office-head' }, h('label', {}, ot(L, 'site'), siteSelect), h('span', { testid: 'site-summary', dataset: { floors: String(floors.length), rooms: String(rooms()), zones: String(zones.length) }, text: `${floors.length} ${ot(L, 'floorsWord')} · ${rooms()} ${ot(L, 'rooms')} · ${zones.length} ${ot(L, 'zonesWord')}` })),
      h(
        'div',
        { class: 'floor-tabs' },
        ...floors.map((fl) => h('button', { class: `chip${fl.id === this.floorId ? ' chip-on' : ''}`, testid: 'floor-tab', dataset: { floor: fl.id, rooms: String(rooms(fl.id)) }, text: `${floorName(fl)} (${rooms(fl.id)})`, on: { click: () => ((this.floorId = fl.id), (this.zoneId = null), this.render()) } })),
      ),
      h(
        'div',
        { class: 'setup-grid' },
        h(
          'div',
          {},
          this.plan.el as unknown as HTMLElement,
          h('div', { class: 'plan-legend', testid: 'legend' }, ...[...counts].map(([k, n]) => h('span', { dataset: { kind: k, count: String(n) } }, h('i', { attrs: { style: `background:${kindFill(k)}` } }), `${kindLabel(L, k)} ${n}`))),
          h('button', { class: `btn${this.plan.drawing ? ' primary' : ''}`, testid: 'draw-zone', text: ot(L, 'drawZone'), on: { click: () => ((this.plan.drawing = !this.plan.drawing), this.render()) } }),
          this.plan.drawing ? h('p', { class: 'muted', text: ot(L, 'drawHint') }) : h('p', { class: 'muted', text: ot(L, 'clickZone') }),
        ),
        this.editor(site),
      ),
    );
  }

  private editor(site: SiteDto): HTMLElement {
    const L = this.locale;
    const zone = site.zones.features.find((z) => z.properties.id === this.zoneId)?.properties as (ZoneFeature['properties'] & { controller?: { id: string; kind: string }; cameras?: { id: string; snapshotUrl: string; streamUrl: string }[] }) | undefined;
    if (!zone && !this.draft) return h('div', { class: 'card', testid: 'zone-editor' }, h('p', { class: 'muted', text: ot(L, 'clickZone') }));
    const name = h('input', { testid: 'zone-name', attrs: { type: 'text', value: zone?.name ?? '' } });
    const kind = h('select', { testid: 'zone-kind' }, ...ZONE_KINDS.map((k) => {
      const o = h('option', { attrs: { value: k }, text: kindLabel(L, k) });
      o.selected = k === (zone?.kind ?? 'room');
      return o;
    }));
    const cam = zone?.cameras?.[0];
    const ctrl = h('input', { testid: 'door-controller', attrs: { type: 'text', value: zone?.controller?.id ?? '' } });
    const camId = h('input', { testid: 'camera-id', attrs: { type: 'text', value: cam?.id ?? '' } });
    const snap = h('input', { testid: 'camera-snapshot', attrs: { type: 'text', value: cam?.snapshotUrl ?? '' } });
    const stream = h('input', { testid: 'camera-stream', attrs: { type: 'text', value: cam?.streamUrl ?? '' } });
    const out = h('p', { class: 'muted', testid: 'zone-status' });
    const save = async () => {
      try {
        if (zone) {
          const body: Record<string, unknown> = { name: name.value.trim(), kind: kind.value };
          if (kind.value === 'exit') {
            body.controller = ctrl.value.trim() ? { id: ctrl.value.trim(), kind: zone.exitType === 'lift' ? 'elevator' : 'door' } : null;
            body.cameras = camId.value.trim() ? [{ id: camId.value.trim(), snapshotUrl: snap.value.trim(), streamUrl: stream.value.trim() }] : [];
          }
          await this.deps.api.send('PUT', `/api/v1/sites/${encodeURIComponent(site.id)}/zones/${encodeURIComponent(zone.id)}`, body);
        } else if (this.draft && this.floorId) {
          const z = await this.deps.api.send<{ id: string }>('POST', `/api/v1/sites/${encodeURIComponent(site.id)}/zones`, { name: name.value.trim() || 'Zone', kind: kind.value, floorId: this.floorId, ring: this.draft });
          this.draft = null;
          this.zoneId = z.id;
        }
        await this.reload();
        this.el.querySelector('[data-testid="zone-status"]')!.textContent = ot(L, 'saved');
      } catch (err) {
        out.className = 'office-error';
        out.textContent = ot(L, 'failed', { message: this.deps.errorText(err) });
      }
    };
    const isExit = (zone?.kind ?? '') === 'exit';
    return h(
      'div',
      { class: 'card', testid: 'zone-editor' },
      h('h3', { text: zone ? `${zone.name}` : ot(L, 'drawZone') }),
      zone?.use ? h('p', { class: 'muted', text: `IMDF: ${zone.use}` }) : h('span', {}),
      h(
        'div',
        { class: 'form col' },
        h('label', {}, ot(L, 'zoneName'), name),
        h('label', {}, ot(L, 'zoneKind'), kind),
        ...(isExit
          ? [
              h('strong', { text: ot(L, 'doorController') }),
              h('label', {}, 'ID', ctrl),
              h('strong', { text: ot(L, 'camera') }),
              h('label', {}, ot(L, 'cameraId'), camId),
              h('label', {}, ot(L, 'snapshotUrl'), snap),
              h('label', {}, ot(L, 'streamUrl'), stream),
            ]
          : []),
        h('button', { class: 'btn primary', testid: 'zone-save', text: zone ? ot(L, 'save') : ot(L, 'create'), on: { click: () => void save() } }),
      ),
      out,
    );
  }
}
