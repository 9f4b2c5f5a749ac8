/**
 * The printable incident report: a white page laid over the app (print CSS prints only this), with the alert,
 * the response times, a snapshot of the map at the alert moment and the events in order. Text is formatted by
 * the caller; this only lays it out.
 */
import { h } from './dom';

export interface ReportModel {
  lang: string;
  title: string;
  subtitle: string;
  generated: string;
  facts: [string, string][];
  timesTitle: string;
  times: [string, string][];
  snapshot: string | null;
  snapshotCaption: string;
  eventsTitle: string;
  eventHeads: [string, string];
  events: [string, string][];
  emptyEvents: string;
  printLabel: string;
  closeLabel: string;
}

const table = (rows: [string, string][], testid: string) =>
  h('table', { class: 'report-facts', testid }, h('tbody', {}, ...rows.map(([k, v]) => h('tr', {}, h('th', { text: k }), h('td', { text: v })))));

export function reportView(m: ReportModel, actions: { print: () => void; close: () => void }): HTMLElement {
  return h(
    'section',
    { class: 'print-report', testid: 'print-report', attrs: { lang: m.lang, role: 'dialog', 'aria-label': m.title } },
    h(
      'div',
      { class: 'report-actions no-print' },
      h('button', { class: 'btn btn-primary', testid: 'report-print', text: m.printLabel, on: { click: actions.print } }),
      h('button', { class: 'btn', testid: 'report-close', text: m.closeLabel, on: { click: actions.close } }),
    ),
    h('header', { class: 'report-header' }, h('h1', { text: m.title }), h('p', { class: 'report-subtitle', text: m.subtitle }), h('p', { class: 'report-generated', text: m.generated })),
    table(m.facts, 'report-facts'),
    h('h2', { text: m.timesTitle }),
    table(m.times, 'report-times'),
    m.snapshot
      ? h('figure', { class: 'report-map' }, h('img', { testid: 'report-map', attrs: { src: m.snapshot, alt: m.snapshotCaption } }), h('figcaption', { text: m.snapshotCaption }))
      : null,
    h('h2', { text: m.eventsTitle }),
    m.events.length
      ? h(
          'table',
          { class: 'report-events', testid: 'report-events' },
          h('thead', {}, h('tr', {}, h('th', { text: m.eventHeads[0] }), h('th', { text: m.eventHeads[1] }))),
          h('tbody', {}, ...m.events.map(([time, text]) => h('tr', {}, h('td', { class: 'report-time', text: time }), h('td', { text })))),
        )
      : h('p', { text: m.emptyEvents }),
  );
}
