/**
 * The replay picker in the side panel: every alert (open, acknowledged, resolved) newest first with a filter by
 * resident, and a form for a window of time by resident and/or floor.
 */
import type { AlertState } from '../../../geo/model';
import type { Api } from '../api';
import { alertKindLabel, alertStateLabel, severityLabel, t, type MessageKey } from '../i18n';
import { replayTime, siteTimeZone } from '../replay/text';
import { DEFAULT_AFTER_MS, DEFAULT_BEFORE_MS, type Route } from '../replay/route';
import type { Alert } from '../replay/types';
import { fromLocalInput, toLocalInput } from '../replay/zone-time';
import { floorName } from '../state/selectors';
import type { ClientState } from '../state/types';
import { h } from './dom';

const WINDOW_LENGTHS_MIN = [10, 30, 60, 120, 480, 1440];

export interface ReplayPickerActions {
  api: Pick<Api, 'alerts'>;
  navigate: (route: Route) => void;
}

export class ReplayPicker {
  private alerts: Alert[] | null = null;
  private error = '';
  private filter = '';
  private built: { key: string; els: HTMLElement[]; list: HTMLElement } | null = null;
  private client: ClientState;

  constructor(
    private readonly actions: ReplayPickerActions,
    client: ClientState,
    private readonly clock: () => number,
  ) {
    this.client = client;
  }

  /** Fetches the alert lists again; `stillWanted` says whether the picker is still on screen when they arrive. */
  async load(stillWanted: () => boolean): Promise<void> {
    this.alerts = null;
    this.error = '';
    try {
      const lists = await Promise.all((['open', 'acknowledged', 'resolved'] as AlertState[]).map((s) => this.actions.api.alerts(s)));
      const byId = new Map<string, Alert>();
      for (const a of lists.flat()) byId.set(a.id, a);
      this.alerts = [...byId.values()].sort((a, b) => b.fixTs - a.fixTs);
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
      this.alerts = [];
    }
    if (stillWanted()) this.renderList();
  }

  /**
   * The picker's elements, built once per language and catalog, so the window form keeps what the user typed
   * while the alert list arrives; only the list is redrawn (on arrival and as the filter is typed).
   */
  view(client: ClientState): HTMLElement[] {
    this.client = client;
    const L = client.locale;
    const key = `${L}|${client.catalog ? Object.keys(client.catalog.residentsById).length : 0}`;
    if (!this.built || this.built.key !== key) {
      const list = h('div', { class: 'replay-picker-list' });
      const filterInput = h('input', {
        class: 'replay-filter',
        testid: 'replay-filter',
        attrs: { type: 'search', placeholder: t(L, 'replayFilter'), 'aria-label': t(L, 'replayFilter'), value: this.filter },
        on: {
          input: () => {
            this.filter = filterInput.value;
            this.renderList();
          },
        },
      });
      this.built = {
        key,
        list,
        els: [
          h('header', { class: 'panel-header' }, h('h2', { class: 'panel-title', text: t(L, 'replayTitle') })),
          h('div', { class: 'replay-side-scroll' }, h('h3', { class: 'side-heading', text: t(L, 'replayAlerts') }), filterInput, list, this.windowForm()),
        ],
      };
    }
    this.renderList();
    return this.built.els;
  }

  private time(ts: number, withDate = false): string {
    return replayTime({ client: this.client, data: null }, ts, withDate);
  }

  private renderList(): void {
    if (!this.built) return;
    const L = this.client.locale;
    const names = this.client.catalog?.residentsById ?? {};
    const filter = this.filter.trim().toLowerCase();
    const list = (this.alerts ?? []).filter((a) => !filter || (a.residentName || names[a.residentId]?.name || '').toLowerCase().includes(filter));
    const empty = (text: string) => h('p', { class: 'empty', text });
    this.built.list.replaceChildren(
      this.alerts === null
        ? empty(t(L, 'loading'))
        : list.length === 0
          ? empty(this.error ? t(L, 'replayLoadFailed', { message: this.error }) : t(L, 'replayNoAlerts'))
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
    const client = this.client;
    const L = client.locale;
    const catalog = client.catalog;
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
      ...floors.map((f) => h('option', { text: floorName(client, f.id), attrs: { value: f.id } })),
    );
    // typed and shown on the site's clock, like every time on this screen
    const zone = siteTimeZone({ client, data: null });
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
}
