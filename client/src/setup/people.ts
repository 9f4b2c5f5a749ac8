/**
 * The setup screen's forms for people and devices on a site: residents with their tag (risks, room, bed,
 * bathroom, home area), wards, gateway keys (shown once) and staff accounts.
 */
import type { ZoneKind } from '../../../geo/model';
import type { Api } from '../api';
import type { Locale, SiteDto } from '../state/types';
import { h } from '../ui/dom';
import { ot, type OfficeKey } from '../strings/office';

export interface PeopleDeps {
  api: Api;
  errorText: (err: unknown) => string;
  /** Something changed on the server (a ward): reload the sites. */
  changed: () => void;
}

const ROLES = ['nurse', 'charge_nurse', 'manager', 'admin', 'regulator'] as const;

function field(label: string, input: HTMLElement): HTMLElement {
  return h('label', {}, label, input);
}

function input(testid: string, attrs: Record<string, string> = {}): HTMLInputElement {
  return h('input', { testid, attrs: { type: 'text', ...attrs } });
}

function zoneSelect(L: Locale, site: SiteDto, kind: ZoneKind, testid: string): HTMLSelectElement {
  const zones = site.zones.features.filter((f) => f.properties.kind === kind).map((f) => f.properties);
  const floorName = (id: string) => site.floors.find((f) => f.id === id)?.name ?? '';
  return h(
    'select',
    { testid },
    h('option', { attrs: { value: '' }, text: ot(L, 'none') }),
    ...zones.map((z) => h('option', { attrs: { value: z.id }, text: `${z.name} · ${floorName(z.floorId)}` })),
  );
}

export function peopleCards(L: Locale, site: SiteDto, deps: PeopleDeps): HTMLElement[] {
  return [residentCard(L, site, deps), wardCard(L, site, deps), keyCard(L, site, deps), userCard(L, site, deps)];
}

function status(): HTMLElement {
  return h('p', { class: 'muted', testid: 'form-status' });
}

async function attempt(out: HTMLElement, deps: PeopleDeps, L: Locale, fn: () => Promise<string | Node>): Promise<void> {
  out.className = 'muted';
  try {
    const r = await fn();
    out.replaceChildren(r);
  } catch (err) {
    out.className = 'office-error';
    out.textContent = ot(L, 'failed', { message: deps.errorText(err) });
  }
}

function residentCard(L: Locale, site: SiteDto, deps: PeopleDeps): HTMLElement {
  const name = input('resident-name');
  const tag = input('resident-tag');
  const ward = h('select', { testid: 'resident-ward' }, h('option', { attrs: { value: '' }, text: ot(L, 'none') }), ...site.wards.map((w) => h('option', { attrs: { value: w.id }, text: L === 'zh-CN' ? (w.nameZh ?? w.name) : w.name })));
  const room = zoneSelect(L, site, 'room', 'resident-room');
  const bed = zoneSelect(L, site, 'bed', 'resident-bed');
  const bath = zoneSelect(L, site, 'bathroom', 'resident-bathroom');
  const home = zoneSelect(L, site, 'home', 'resident-home');
  const wander = h('input', { testid: 'resident-wander', attrs: { type: 'checkbox' } });
  const fall = h('input', { testid: 'resident-fall', attrs: { type: 'checkbox' } });
  const out = status();
  const create = async () => {
    const body: Record<string, unknown> = { name: name.value.trim(), siteId: site.id, tagId: tag.value.trim(), wanderRisk: wander.checked, fallRisk: fall.checked };
    for (const [k, sel] of [['wardId', ward], ['roomZoneId', room], ['bedZoneId', bed], ['bathroomZoneId', bath], ['homeZoneId', home]] as const) if (sel.value) body[k] = sel.value;
    await attempt(out, deps, L, async () => {
      const r = await deps.api.send<{ id: string; name: string; tagId: string }>('POST', '/api/v1/residents', body);
      name.value = tag.value = '';
      return ot(L, 'residentCreated', { name: r.name, tag: r.tagId });
    });
  };
  return h(
    'section',
    { class: 'card', testid: 'resident-form' },
    h('h3', { text: ot(L, 'newResident') }),
    h(
      'div',
      { class: 'form' },
      field(ot(L, 'residentName'), name),
      field(ot(L, 'tagId'), tag),
      field(ot(L, 'ward'), ward),
      field(ot(L, 'room'), room),
      field(ot(L, 'bed'), bed),
      field(ot(L, 'bathroom'), bath),
      field(ot(L, 'homeArea'), home),
      h('label', { class: 'check' }, wander, ot(L, 'wanderRisk')),
      h('label', { class: 'check' }, fall, ot(L, 'fallRisk')),
      h('button', { class: 'btn primary', testid: 'resident-create', text: ot(L, 'create'), on: { click: () => void create() } }),
    ),
    out,
  );
}

function wardCard(L: Locale, site: SiteDto, deps: PeopleDeps): HTMLElement {
  const name = input('ward-name');
  const floors = site.floors.map((f) => ({ f, box: h('input', { attrs: { type: 'checkbox', value: f.id } }) }));
  const out = status();
  const create = () =>
    attempt(out, deps, L, async () => {
      const w = await deps.api.send<{ name: string }>('POST', `/api/v1/sites/${encodeURIComponent(site.id)}/wards`, { name: name.value.trim(), floorIds: floors.filter((x) => x.box.checked).map((x) => x.f.id) });
      deps.changed();
      return `${ot(L, 'saved')} ${w.name}`;
    });
  return h(
    'section',
    { class: 'card', testid: 'ward-form' },
    h('h3', { text: `${ot(L, 'wards')}: ${site.wards.map((w) => (L === 'zh-CN' ? (w.nameZh ?? w.name) : w.name)).join('、') || ot(L, 'none')}` }),
    h('div', { class: 'form' }, field(ot(L, 'newWard'), name), ...floors.map(({ f, box }) => h('label', { class: 'check' }, box, L === 'zh-CN' ? (f.nameZh ?? f.name) : f.name)), h('button', { class: 'btn', text: ot(L, 'create'), on: { click: () => void create() } })),
    out,
  );
}

function keyCard(L: Locale, site: SiteDto, deps: PeopleDeps): HTMLElement {
  const out = status();
  const create = () =>
    attempt(out, deps, L, async () => {
      const k = await deps.api.send<{ key: string }>('POST', '/api/v1/keys', { siteId: site.id, label: 'setup screen' });
      return h('span', {}, h('strong', { text: ot(L, 'keyShownOnce') }), h('div', { class: 'secret', testid: 'new-key', text: k.key }));
    });
  return h('section', { class: 'card', testid: 'key-form' }, h('h3', { text: ot(L, 'keys') }), h('button', { class: 'btn', testid: 'key-create', text: ot(L, 'newKey'), on: { click: () => void create() } }), out);
}

function userCard(L: Locale, site: SiteDto, deps: PeopleDeps): HTMLElement {
  const username = input('user-name', { autocomplete: 'off' });
  const password = h('input', { testid: 'user-password', attrs: { type: 'password', autocomplete: 'new-password' } });
  const role = h('select', { testid: 'user-role' }, ...ROLES.map((r) => h('option', { attrs: { value: r }, text: r })));
  const ward = h('select', { testid: 'user-ward' }, h('option', { attrs: { value: '' }, text: ot(L, 'none') }), ...site.wards.map((w) => h('option', { attrs: { value: w.id }, text: w.name })));
  const out = status();
  const create = () =>
    attempt(out, deps, L, async () => {
      const body: Record<string, unknown> = { username: username.value.trim(), password: password.value, role: role.value, siteIds: [site.id] };
      if (ward.value) body.wardIds = [ward.value];
      const a = await deps.api.send<{ username: string }>('POST', '/api/v1/users', body);
      password.value = '';
      return `${ot(L, 'saved')} ${a.username}`;
    });
  const label = (k: OfficeKey) => ot(L, k);
  return h(
    'section',
    { class: 'card', testid: 'user-form' },
    h('h3', { text: label('users') }),
    h('div', { class: 'form' }, field(label('username'), username), field(label('password'), password), field(label('role'), role), field(label('ward'), ward), h('button', { class: 'btn', text: label('create'), on: { click: () => void create() } })),
    out,
  );
}
