import { t, type MessageKey } from '../i18n';
import type { Route } from '../replay/route';
import { screensFor } from '../shell/registry';
import { localName } from '../state/selectors';
import type { ClientState, Connection } from '../state/types';
import { h, setAttr, setText } from './dom';

export type SoundDisplay = 'on' | 'off' | 'locked';

export interface TopBarActions {
  /** `shown` is what the button showed when pressed (the press itself may have just unlocked audio). */
  toggleSound: (shown: SoundDisplay) => void;
  toggleLocale: () => void;
  toggleTheme?: () => void;
  signOut: () => void;
  /** Older screens navigate by route object; the tabs use `go` when it is given. */
  navigate?: (route: Route) => void;
  /** Open a screen by its registered id. */
  go?: (screenId: string) => void;
}

export type ScreenName = string;

const CONNECTION_TEXT: Record<Connection, MessageKey> = {
  live: 'connLive',
  connecting: 'connConnecting',
  reconnecting: 'connReconnecting',
  offline: 'connOffline',
};

/**
 * The bar on every screen: brand, one tab per screen the role may open, and the session's controls. On a phone
 * the controls fold into a menu so the bar stays one row; sign-out is always one tap from the menu.
 */
export class TopBar {
  readonly el: HTMLElement;
  private readonly site = h('span', { class: 'site-name' });
  private readonly connection = h('span', { class: 'conn', testid: 'connection', attrs: { role: 'status' } });
  private readonly sound: HTMLButtonElement;
  private readonly lang: HTMLButtonElement;
  private readonly theme: HTMLButtonElement;
  private readonly user = h('span', { class: 'user-name', testid: 'user-name' });
  private readonly signOut: HTMLButtonElement;
  private readonly brand = h('span', { class: 'brand-name' });
  private readonly tabs = h('nav', { class: 'screen-tabs', testid: 'screen-tabs' });
  private readonly menuBtn: HTMLButtonElement;
  private readonly actionsEl: HTMLElement;
  private tabsKey = '';

  constructor(
    private readonly actions: TopBarActions,
    private readonly current: ScreenName = 'live',
  ) {
    this.sound = h('button', {
      class: 'btn btn-chip',
      testid: 'sound-toggle',
      on: { click: () => actions.toggleSound((this.sound.dataset.state as SoundDisplay | undefined) ?? 'locked') },
    });
    this.lang = h('button', { class: 'btn btn-chip', testid: 'lang-toggle', on: { click: actions.toggleLocale } });
    this.theme = h('button', { class: 'btn btn-chip', testid: 'theme-toggle', on: { click: () => actions.toggleTheme?.() } });
    this.theme.hidden = !actions.toggleTheme;
    this.signOut = h('button', { class: 'btn btn-chip btn-signout', testid: 'sign-out', on: { click: actions.signOut } });
    this.menuBtn = h('button', {
      class: 'btn btn-chip menu-btn',
      testid: 'menu-toggle',
      attrs: { 'aria-expanded': 'false' },
      on: { click: () => this.setMenu(!this.el.classList.contains('menu-open')) },
    });
    this.actionsEl = h('div', { class: 'top-actions' }, this.user, this.sound, this.lang, this.theme, this.signOut);
    this.el = h(
      'header',
      { class: 'top-bar' },
      h('div', { class: 'brand' }, h('span', { class: 'logo', text: '◉' }), this.brand, this.site),
      this.tabs,
      this.connection,
      this.menuBtn,
      this.actionsEl,
    );
    // a choice in the menu closes it
    this.actionsEl.addEventListener('click', (ev) => {
      if ((ev.target as HTMLElement).closest('button') && ev.target !== this.sound) this.setMenu(false);
    });
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
    // the family hears nothing from this page: push notifications do that job
    this.sound.hidden = state.user?.role === 'family' || state.user?.role === 'regulator';
    setAttr(this.sound, 'aria-pressed', String(sound === 'on'));
    setText(this.lang, t(locale, 'language'));
    setText(this.theme, t(locale, state.theme === 'dark' ? 'themeLight' : 'themeDark'));
    this.theme.dataset.theme = state.theme;
    setText(this.user, state.user?.displayName ?? state.user?.username ?? '');
    setText(this.signOut, t(locale, 'signOut'));
    setText(this.menuBtn, t(locale, 'menu'));
    this.menuBtn.setAttribute('aria-label', t(locale, 'menu'));
    this.updateTabs(state);
  }

  private updateTabs(state: ClientState): void {
    const mine = screensFor(state.user);
    const key = `${state.locale}|${mine.map((s) => s.id).join(',')}`;
    if (key === this.tabsKey) return;
    this.tabsKey = key;
    this.tabs.hidden = mine.length < 2;
    this.tabs.replaceChildren(
      ...mine.map((s) =>
        h('button', {
          class: `btn btn-chip tab${s.id === this.current ? ' selected' : ''}`,
          testid: `tab-${s.id}`,
          text: t(state.locale, s.title),
          attrs: { 'aria-current': s.id === this.current ? 'page' : 'false' },
          on: { click: () => s.id !== this.current && this.goTo(s.id) },
        }),
      ),
    );
  }

  private goTo(id: string): void {
    if (this.actions.go) this.actions.go(id);
    else if (id === 'live' || id === 'replay') this.actions.navigate?.(id === 'live' ? { screen: 'live' } : { screen: 'replay', source: null });
  }

  private setMenu(open: boolean): void {
    this.el.classList.toggle('menu-open', open);
    this.menuBtn.setAttribute('aria-expanded', String(open));
  }
}

const SVG = 'http://www.w3.org/2000/svg';

/** Drawn, not an emoji: tablets and kiosks do not all ship a colour emoji font. */
export function speakerIcon(on: boolean): SVGSVGElement {
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
