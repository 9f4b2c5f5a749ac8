import { t } from '../i18n';
import { floorGroups, floorShortName, openAlertCountByFloor } from '../state/selectors';
import type { ClientState } from '../state/types';
import { h } from './dom';

/** One button per floor, grouped by building, each with a badge counting its open alerts. */
export class FloorSwitcher {
  readonly el = h('nav', { class: 'floor-switcher', testid: 'floor-switcher', attrs: { 'aria-label': 'floors' } });
  private key = '';

  constructor(private readonly select: (floorId: string) => void) {}

  update(state: ClientState): void {
    const groups = floorGroups(state);
    const counts = openAlertCountByFloor(state);
    const key = JSON.stringify([state.locale, state.selectedFloorId, counts, groups.map((g) => [g.name, g.floors.map((f) => f.id)])]);
    if (key === this.key) return;
    this.key = key;
    this.el.replaceChildren(
      h('span', { class: 'floor-switcher-title', text: t(state.locale, 'floors') }),
      ...groups.map((g) =>
        h(
          'div',
          { class: 'floor-group', dataset: { buildingId: g.buildingId ?? 'outdoor' } },
          h('span', { class: 'floor-group-name', text: g.name.replace(/\s*[（(].*[)）]\s*$/, '') }),
          h(
            'div',
            { class: 'floor-buttons' },
            ...g.floors.map((f) => {
              const n = counts[f.id] ?? 0;
              const selected = f.id === state.selectedFloorId;
              return h(
                'button',
                {
                  class: `btn floor-btn${selected ? ' selected' : ''}${n ? ' has-alerts' : ''}`,
                  testid: `floor-btn-${f.id}`,
                  dataset: { floorId: f.id },
                  attrs: { 'aria-pressed': String(selected) },
                  on: { click: () => this.select(f.id) },
                },
                h('span', { text: floorShortName(state, f.id) }),
                n ? h('span', { class: 'badge', testid: `floor-badge-${f.id}`, text: String(n) }) : null,
              );
            }),
          ),
        ),
      ),
    );
    // on a phone the row scrolls: keep the chosen floor in sight
    this.el.querySelector<HTMLElement>('.floor-btn.selected')?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }
}
