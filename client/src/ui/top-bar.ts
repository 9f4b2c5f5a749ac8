import { t, type MessageKey } from '../i18n';
import { canReplay, type Route } from '../replay/route';
import { localName } from '../state/selectors';
import type { ClientState, Connection } from '../state/types';
import { h, setAttr, setText } from './dom';

export type SoundDisplay = 'on' | 'off' | 'locked';

export interface TopBarActions {
  /** `shown` is what the button showed when pressed (the press itself may have just unlocked audio). */
  toggleSound: (shown: SoundDisplay) => void;
  toggleLocale: () => void;
  signOut: () => void;
  /** Switch between the live map and the replay (the tabs show only for roles that may replay). */
  navigate?: (route: Route) => void;
}

export type ScreenName = 'live' | 'replay';

const CONNECTION_TEXT: Record<Connection, MessageKey> = {
  live: 'connLive',
  connecting: 'connConnecting',
  reconnecting: 'connReconnecting',
  offline: 'connOffline',
};

export class TopBar {
  readonly el: HTMLElement;
  private readonly site = h('span', { class: 'site-name' });
  private readonly connection = h('span', { class: 'conn', testid: 'connection', attrs: { role: 'status' } });
  private readonly sound: HTMLButtonElement;
  private readonly lang: HTMLButtonElement;
  private readonly user = h('span', { class: 'user-name' });
  private readonly signOut: HTMLButtonElement;
  private readonly brand = h('span', { class: 'brand-name' });
  private readonly tabs = h('nav', { class: 'screen-tabs', testid: 'screen-tabs' });
  private readonly liveTab: HTMLButtonElement;
  private readonly replayTab: HTMLButtonElement;

  constructor(actions: TopBarActions, current: ScreenName = 'live') {
    const tab = (name: ScreenName) =>
      h('button', {
        class: `btn btn-chip tab${name === current ? ' selected' : ''}`,
        testid: `tab-${name}`,
        attrs: { 'aria-current': name === current ? 'page' : 'false' },
        on: { click: () => name !== current && actions.navigate?.(name === 'live' ? { screen: 'live' } : { screen: 'replay', source: null }) },
      });
    this.liveTab = tab('live');
    this.replayTab = tab('replay');
    this.tabs.append(this.liveTab, this.replayTab);
    this.tabs.hidden = true;
    this.sound = h('button', {
      class: 'btn btn-chip',
      testid: 'sound-toggle',
      on: { click: () => actions.toggleSound((this.sound.dataset.state as SoundDisplay | undefined) ?? 'locked') },
    });
    this.lang = h('button', { class: 'btn btn-chip', testid: 'lang-toggle', on: { click: actions.toggleLocale } });
    this.signOut = h('button', { class: 'btn btn-chip', testid: 'sign-out', on: { click: actions.signOut } });
    this.el = h(
      'header',
      { class: 'top-bar' },
      h('div', { class: 'brand' }, h('span', { class: 'logo', text: '◉' }), this.brand, this.site),
      this.tabs,
      h('div', { class: 'top-actions' }, this.connection, this.sound, this.lang, this.user, this.signOut),
    );
  }

  update(state: ClientState): void {
    const { locale } = state;
    setText(this.brand, t(locale, 'appName'));
    setText(this.site, (state.catalog?.sites ?? []).map((s) => localName(s, locale)).join(' · '));
    setText(this.connection, t(locale, CONNECTION_TEXT[state.connection]));
    this.connection.dataset.status = state.connection;
    const sound: SoundDisplay = !state.soundOn ? 'off' : state.audioUnlocked ? 'on' : 'locked';
    this.sound.dataset.state = sound;
    const label = t(locale, sound === 'on' ? 'soundOn' : sound === 'off' ? 'soundOff' : 'soundLocked');
    if (this.sound.dataset.label !== label) {
      this.sound.dataset.label = label;
      this.sound.replaceChildren(speakerIcon(sound === 'on'), label);
    }
    setAttr(this.sound, 'aria-pressed', String(sound === 'on'));
    setText(this.lang, t(locale, 'language'));
    setText(this.user, state.user?.displayName ?? state.user?.username ?? '');
    setText(this.signOut, t(locale, 'signOut'));
    this.tabs.hidden = !canReplay(state.user);
    setText(this.liveTab, t(locale, 'navLive'));
    setText(this.replayTab, t(locale, 'navReplay'));
  }
}

const SVG = 'http://www.w3.org/2000/svg';

/** Drawn, not an emoji: tablets and kiosks do not all ship a colour emoji font. */
function speakerIcon(on: boolean): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('class', 'icon');
  svg.setAttribute('aria-hidden', 'true');
  const path = (d: string, fill: boolean) => {
    const p = document.createElementNS(SVG, 'path');
    p.setAttribute('d', d);
    p.setAttribute('fill', fill ? 'currentColor' : 'none');
    p.setAttribute('stroke', 'currentColor');
    p.setAttribute('stroke-width', '2');
    p.setAttribute('stroke-linecap', 'round');
    svg.append(p);
  };
  path('M4 9h4l5-4v14l-5-4H4z', true);
  if (on) path('M16.5 8.5a5 5 0 0 1 0 7M19 6a8.5 8.5 0 0 1 0 12', false);
  else path('M17 9l5 6M22 9l-5 6', false);
  return svg;
}
