/**
 * The side panel of an open replay: back to the picker, the alert (or the window) replayed, the window chooser,
 * response times, exports and the report, and the events, each a button that moves the replay to its moment.
 */
import { alertKindLabel, severityLabel, t, type MessageKey } from '../i18n';
import { alertPlace, eventText, notableEvents, replayTime, residentName, responseTimeRows, type ReplayContext } from '../replay/text';
import type { Route } from '../replay/route';
import type { ReplayAction } from '../replay/screen-state';
import type { ReplaySource } from '../replay/types';
import { floorName } from '../state/selectors';
import { h } from './dom';

const BEFORE_MIN = [1, 2, 5, 10, 30, 60];
const AFTER_MIN = [2, 5, 10, 30, 60];

export interface ReplayDetailsActions {
  navigate: (route: Route) => void;
  dispatch: (action: ReplayAction) => void;
  exportAs: (format: 'csv' | 'geojson', button: HTMLButtonElement) => void;
  printReport: () => void;
}

export function replayDetailsView(c: ReplayContext, source: ReplaySource | null, actions: ReplayDetailsActions): HTMLElement[] {
  const L = c.client.locale;
  const out: HTMLElement[] = [
    h(
      'header',
      { class: 'panel-header' },
      h('button', { class: 'btn btn-chip', testid: 'replay-back', text: t(L, 'replayBack'), on: { click: () => actions.navigate({ screen: 'replay', source: null }) } }),
    ),
  ];
  const body = h('div', { class: 'replay-side-scroll' });
  out.push(body);
  const data = c.data;
  if (!data || !source) return out;
  const time = (ts: number, withDate = false) => replayTime(c, ts, withDate);
  const printButton = () => h('button', { class: 'btn', testid: 'replay-print', text: t(L, 'printReport'), on: { click: () => actions.printReport() } });
  const a = data.alert;
  if (a) {
    body.append(
      h(
        'section',
        { class: 'replay-alert', testid: 'replay-alert', dataset: { severity: a.severity, state: a.state } },
        h('div', { class: 'row-head' }, h('span', { class: 'sev', text: severityLabel(L, a.severity) }), h('span', { class: 'kind', text: alertKindLabel(L, a.kind) })),
        h('div', { class: 'who', text: residentName(c.client, a.residentId, a.residentName) }),
        h('div', { class: 'where', text: alertPlace(c.client, a) }),
        h('div', { class: 'where', text: time(a.fixTs, true) }),
      ),
    );
    if (source.kind === 'alert') body.append(windowChooser(c, source, actions.navigate));
    body.append(responseTimesView(c));
    const exportButton = (format: 'csv' | 'geojson', label: MessageKey) =>
      h('button', {
        class: 'btn',
        testid: `replay-export-${format}`,
        text: `⇩ ${t(L, label)}`,
        on: { click: (ev) => actions.exportAs(format, ev.currentTarget as HTMLButtonElement) },
      });
    body.append(
      h(
        'div',
        { class: 'replay-actions' },
        exportButton('csv', 'exportCsv'),
        exportButton('geojson', 'exportGeojson'),
        printButton(),
        h('p', { class: 'row-error', testid: 'replay-export-error', attrs: { role: 'alert' } }),
      ),
    );
  } else if (source.kind === 'window') {
    const who = source.residentIds.map((id) => residentName(c.client, id)).join(', ');
    body.append(
      h(
        'section',
        { class: 'replay-alert', testid: 'replay-window' },
        h('div', { class: 'who', text: who || t(L, 'replayEveryone') }),
        source.floorId ? h('div', { class: 'where', text: floorName(c.client, source.floorId) }) : null,
        h('div', { class: 'where', text: `${time(data.since, true)} – ${time(data.until, true)}` }),
      ),
      h('div', { class: 'replay-actions' }, printButton()),
    );
  }
  body.append(h('h3', { class: 'side-heading', text: t(L, 'events') }), eventsView(c, actions.dispatch));
  return out;
}

function windowChooser(c: ReplayContext, source: Extract<ReplaySource, { kind: 'alert' }>, navigate: (route: Route) => void): HTMLElement {
  const L = c.client.locale;
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
    select(BEFORE_MIN, source.beforeMs, 'replayBefore', 'replay-before', (ms) => navigate({ screen: 'replay', source: { ...source, beforeMs: ms } })),
    select(AFTER_MIN, source.afterMs, 'replayAfter', 'replay-after', (ms) => navigate({ screen: 'replay', source: { ...source, afterMs: ms } })),
  );
}

function responseTimesView(c: ReplayContext): HTMLElement {
  const rt = c.data?.responseTimes;
  return h(
    'section',
    { class: 'response-times', testid: 'response-times', dataset: rt ? { acknowledged: String(rt.acknowledgedAt !== null), resolved: String(rt.resolvedAt !== null) } : {} },
    h('h3', { class: 'side-heading', text: t(c.client.locale, 'responseTimes') }),
    h(
      'ol',
      { class: 'rt-steps' },
      ...responseTimeRows(c).map(([id, label, value]) => h('li', { class: `rt-step ${id}`, testid: id }, h('span', { class: 'rt-label', text: label }), h('span', { class: 'rt-value', text: value }))),
    ),
  );
}

function eventsView(c: ReplayContext, dispatch: (action: ReplayAction) => void): HTMLElement {
  const events = notableEvents(c);
  if (!events.length) return h('p', { class: 'empty', text: t(c.client.locale, 'noEvents') });
  return h(
    'ol',
    { class: 'replay-events', testid: 'replay-events' },
    ...events.map((e) =>
      h(
        'li',
        { class: `replay-event event-${e.type}`, dataset: { ts: String(e.ts) } },
        h('button', { class: 'event-time', text: replayTime(c, e.ts), on: { click: () => dispatch({ type: 'jumpTo', time: e.ts }) } }),
        h('span', { class: 'event-text', text: eventText(c, e) }),
      ),
    ),
  );
}
