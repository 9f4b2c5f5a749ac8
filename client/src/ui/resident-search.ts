import { t } from '../i18n';
import type { ClientState, ResidentDto } from '../state/types';
import { h, setText } from './dom';

/** Find a resident by name and follow them on the live map; one tap stops following. */
export class ResidentSearch {
  readonly el: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly results = h('ul', { class: 'search-results', testid: 'search-results' });
  private readonly following = h('button', { class: 'btn btn-chip follow-chip', testid: 'follow-stop' });
  private state: ClientState | null = null;

  constructor(
    private readonly pick: (residentId: string) => void,
    stop: () => void,
  ) {
    this.input = h('input', {
      class: 'search-input',
      testid: 'resident-search',
      attrs: { type: 'search', autocomplete: 'off', enterkeyhint: 'search' },
      on: { input: () => this.renderResults(), focus: () => this.renderResults() },
    });
    this.following.addEventListener('click', stop);
    this.el = h('div', { class: 'resident-search' }, this.input, this.results, this.following);
    this.results.hidden = true;
  }

  update(state: ClientState, followId: string | null): void {
    this.state = state;
    this.input.placeholder = t(state.locale, 'searchResident');
    const name = followId ? state.catalog?.residentsById[followId]?.name : null;
    this.following.hidden = !name;
    if (name) setText(this.following, `✕ ${t(state.locale, 'following', { name })}`);
  }

  private renderResults(): void {
    const q = this.input.value.trim().toLowerCase();
    const all = Object.values(this.state?.catalog?.residentsById ?? {});
    const hits: ResidentDto[] = q ? all.filter((r) => r.name.toLowerCase().includes(q) || r.id.toLowerCase() === q).slice(0, 8) : [];
    this.results.hidden = hits.length === 0;
    this.results.replaceChildren(
      ...hits.map((r) =>
        h(
          'li',
          {},
          h('button', {
            class: 'btn search-hit',
            testid: `search-hit-${r.id}`,
            text: r.name,
            on: {
              click: () => {
                this.input.value = '';
                this.results.hidden = true;
                this.pick(r.id);
              },
            },
          }),
        ),
      ),
    );
  }
}
