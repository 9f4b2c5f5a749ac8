/**
 * The one place the configuration changes: sites, wards, zones, residents and their tags. Every
 * change is checked first, written to the store (records and config-change log, atomically), then
 * applied to the in-memory Registry the hot path reads, then announced to the geo workers, then
 * audited. A change the store refused changed nothing. Changes run one at a time.
 *
 * At start the configuration is read from the store; the site files (SITE_DIR or the sample) seed
 * it on the very first start only, so a restart never overwrites what was changed over the API.
 */
import type { Logger } from 'pino';
import type { Resident, Tag, Ward, Zone } from '../../geo/model';
import type { WorldData } from '../../geo/world';
import { Registry, type SiteBundle } from '../registry';
import { parseSiteFiles, SiteLoadError, zonesToFeatureCollection, type RawSiteFiles } from '../site-loader';
import type { AuditInput, ConfigChangeInput, ConfigKey, ConfigRecord, Store } from '../store';
import {
  checkResidentRefs,
  checkTagFree,
  ConfigError,
  NewResidentSchema,
  parse,
  patchedZone,
  ResidentPatchSchema,
  WardSchema,
  ZonePatchSchema,
} from './site-edits';
import { bundleRecords, KIND, recordsToBundles, residentRecord, SEED_MARKER, tagRecord, wardKey, wardRecord, zoneRecord } from './site-records';

export { ConfigError };

/** What the geo workers must learn of a change before the next fix (GeoPool implements it). */
export interface GeoSink {
  registerTag(tagId: string, residentId: string | null, resident?: Resident): void;
  /** Zones, floors or sites changed: the workers rebuild their zone index. */
  updateWorld(world: WorldData): void;
}

/** Others that keep their own copy of the world (the track recorder) and must follow its changes. */
export type WorldListener = (world: WorldData) => void;

export interface SiteConfigOptions {
  /** The sites of the first start (read only when the store has never been seeded). */
  seed: () => Promise<SiteBundle[]>;
  /** Where the seed came from, for the change log. */
  seedSource: string;
  log?: Logger;
}

type Change = Omit<ConfigChangeInput, 'at' | 'actor'>;

/** The patch that turns `before` into `after` (keys `after` lacks are removed). */
function replacement(before: Zone, after: Zone): Record<string, unknown> {
  const patch: Record<string, unknown> = { ...after };
  for (const k of Object.keys(before)) if (!(k in after)) patch[k] = null;
  delete patch.id;
  delete patch.floorId;
  return patch;
}
type Audit = Omit<AuditInput, 'at' | 'actor'>;
/** How an added site is recorded in the audit trail (an import names its format). */
export type SiteAudit = { action: string; detail?: unknown };

export class SiteConfig {
  private geo: GeoSink | null = null;
  private readonly worldListeners: WorldListener[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    private readonly store: Store,
    readonly registry: Registry,
    private readonly log?: Logger,
  ) {}

  /** Load the configuration from the store, seeding it first when this store has never been seeded. */
  static async open(store: Store, opts: SiteConfigOptions): Promise<SiteConfig> {
    let records = await store.listConfig();
    if (!records.some((r) => r.kind === SEED_MARKER.kind && r.id === SEED_MARKER.id)) {
      const bundles = await opts.seed();
      const at = Date.now();
      const marker: ConfigRecord = { ...SEED_MARKER, siteId: null, body: { at, source: opts.seedSource } };
      const changes = bundles.map((b) => ({
        at,
        actor: 'system',
        entity: KIND.site,
        entityId: b.site.id,
        before: null,
        after: { seededFrom: opts.seedSource, floors: b.site.floors.length, zones: b.zones.length, residents: b.residents.length, tags: b.tags.length },
      }));
      // several nodes starting at once on one database: one seeds, the others read what it wrote
      const seeded = await store.writeConfig({ put: [marker, ...bundles.flatMap(bundleRecords)], changes, ifAbsent: SEED_MARKER });
      if (seeded) opts.log?.info({ source: opts.seedSource, sites: bundles.map((b) => b.site.id) }, 'configuration seeded into the store (first start)');
      records = await store.listConfig();
    }
    return new SiteConfig(store, new Registry(recordsToBundles(records)), opts.log);
  }

  /** The geo workers exist only after the registry they are built from. */
  attachGeo(geo: GeoSink): void {
    this.geo = geo;
  }

  onWorldChange(listener: WorldListener): void {
    this.worldListeners.push(listener);
  }

  private worldChanged(): void {
    const world = this.registry.worldData();
    this.geo?.updateWorld(world);
    for (const l of this.worldListeners) l(world);
  }

  // ---- residents and their tags ----

  /** SPEC §10 `POST /api/v1/residents`: the resident with its tag, which can ingest at once. */
  createResident(actor: string, input: unknown): Promise<Resident> {
    return this.serial(async () => {
      const body = parse(NewResidentSchema, input, 'body');
      const { registry } = this;
      const site = registry.sites.get(body.siteId);
      if (!site) throw new ConfigError(404, `unknown site ${body.siteId}`);
      checkTagFree(registry, site.id, body.tagId);
      let id = `${site.id}-r${registry.residents.size + 1}`;
      while (registry.residents.has(id)) id += 'x';
      const resident: Resident = {
        id,
        siteId: site.id,
        name: body.name,
        wardId: body.wardId ?? body.ward ?? null,
        tagId: body.tagId,
        wanderRisk: body.wanderRisk ?? false,
        fallRisk: body.fallRisk ?? false,
        roomZoneId: body.roomZoneId ?? null,
        bedZoneId: body.bedZoneId ?? null,
        bathroomZoneId: body.bathroomZoneId ?? null,
        safeZoneIds: body.safeZoneIds ?? [],
        forbiddenZoneIds: body.forbiddenZoneIds ?? [],
        homeZoneId: body.homeZoneId ?? null,
        community: body.homeZoneId !== undefined,
      };
      checkResidentRefs(registry, site, resident);
      const old = registry.tags.get(body.tagId);
      const tag: Tag = { ...(old ?? { id: body.tagId, kind: body.tagKind ?? 'hybrid', siteId: site.id }), residentId: id };
      await this.commit(
        actor,
        { put: [tagRecord(tag), residentRecord(resident)] },
        [
          { entity: KIND.resident, entityId: id, before: null, after: resident },
          { entity: KIND.tag, entityId: tag.id, before: old ?? null, after: tag },
        ],
        () => {
          registry.putTag(tag);
          registry.putResident(resident);
          this.geo?.registerTag(tag.id, id, resident);
        },
        { action: 'resident.create', subjectType: 'resident', subjectId: id, siteId: site.id },
      );
      return resident;
    });
  }

  /** Change a resident: fields given are set, null clears; a new tagId moves the resident to that tag (the old one goes). */
  updateResident(actor: string, id: string, input: unknown): Promise<Resident> {
    return this.serial(async () => {
      const patch = parse(ResidentPatchSchema, input, 'body');
      const { registry } = this;
      const before = this.resident(id);
      const site = registry.sites.get(before.siteId)!;
      const { tagKind, rules, ...fields } = patch;
      const next: Resident = { ...before };
      for (const [k, v] of Object.entries(fields)) if (v !== undefined) (next as unknown as Record<string, unknown>)[k] = v;
      if (rules === null) delete next.rules;
      else if (rules !== undefined) next.rules = rules as Resident['rules'];
      if (patch.homeZoneId !== undefined) next.community = patch.homeZoneId !== null;
      checkResidentRefs(registry, site, next);
      const put: ConfigRecord[] = [];
      const del: ConfigKey[] = [];
      const changes: Change[] = [];
      const oldTag = registry.tags.get(before.tagId);
      let tag = oldTag;
      if (next.tagId !== before.tagId || (tagKind && tagKind !== oldTag?.kind)) {
        if (next.tagId !== before.tagId) checkTagFree(registry, site.id, next.tagId, id);
        const existing = registry.tags.get(next.tagId);
        tag = { ...(existing ?? { id: next.tagId, kind: 'hybrid', siteId: site.id }), ...(tagKind ? { kind: tagKind } : {}), residentId: id };
        put.push(tagRecord(tag));
        changes.push({ entity: KIND.tag, entityId: tag.id, before: existing ?? null, after: tag });
        if (next.tagId !== before.tagId && oldTag) {
          del.push({ kind: KIND.tag, id: oldTag.id });
          changes.push({ entity: KIND.tag, entityId: oldTag.id, before: oldTag, after: null });
        }
      }
      put.push(residentRecord(next));
      changes.unshift({ entity: KIND.resident, entityId: id, before, after: next });
      await this.commit(
        actor,
        { put, delete: del },
        changes,
        () => {
          if (next.tagId !== before.tagId) {
            registry.removeTag(before.tagId);
            this.geo?.registerTag(before.tagId, null);
          }
          if (tag) registry.putTag(tag);
          registry.putResident(next);
          this.geo?.registerTag(next.tagId, id, next);
        },
        { action: 'resident.update', subjectType: 'resident', subjectId: id, siteId: site.id, detail: { fields: Object.keys(patch) } },
      );
      return next;
    });
  }

  /** Remove a resident and its tag. Refused while an alert of theirs is open: someone must close it first. */
  deleteResident(actor: string, id: string, openAlerts: number): Promise<void> {
    return this.serial(async () => {
      const before = this.resident(id);
      if (openAlerts > 0) throw new ConfigError(409, `resident ${id} has ${openAlerts} alert(s) not yet resolved; resolve them first`);
      const tag = this.registry.tags.get(before.tagId);
      await this.commit(
        actor,
        { delete: [{ kind: KIND.resident, id }, ...(tag ? [{ kind: KIND.tag, id: tag.id }] : [])] },
        [
          { entity: KIND.resident, entityId: id, before, after: null },
          ...(tag ? [{ entity: KIND.tag, entityId: tag.id, before: tag, after: null }] : []),
        ],
        () => {
          this.registry.removeResident(id);
          this.registry.removeTag(before.tagId);
          this.geo?.registerTag(before.tagId, null);
        },
        { action: 'resident.delete', subjectType: 'resident', subjectId: id, siteId: before.siteId, detail: { name: before.name, tagId: before.tagId } },
      );
    });
  }

  // ---- zones ----

  /** Change a zone's kind, names, ward, exit type, polygon or free-form properties (door, cameras...). */
  updateZone(actor: string, id: string, input: unknown): Promise<Zone> {
    return this.serial(async () => {
      const patch = parse(ZonePatchSchema, input, 'body');
      const before = this.registry.zones.get(id);
      if (!before) throw new ConfigError(404, `no such zone ${id}`);
      return this.storeZone(actor, patchedZone(this.registry, before, patch), { fields: Object.keys(patch) });
    });
  }

  /**
   * Add a zone to a site, or replace one whole (the setup screen builds the zone itself). The zone must
   * lie on a floor of the site and fit its ward and the residents that name it.
   */
  putZone(actor: string, siteId: string, zone: Zone): Promise<Zone> {
    return this.serial(async () => {
      const ref = this.registry.floor(zone.floorId);
      if (ref?.site.id !== siteId) throw new ConfigError(400, `floorId: ${zone.floorId} is not a floor of ${siteId}`);
      const before = this.registry.zones.get(zone.id);
      if (before && before.floorId !== zone.floorId) throw new ConfigError(409, `zone ${zone.id} is on floor ${before.floorId}; a zone does not move between floors`);
      return this.storeZone(actor, before ? patchedZone(this.registry, before, replacement(before, zone)) : zone, null);
    });
  }

  private async storeZone(actor: string, next: Zone, detail: unknown): Promise<Zone> {
    const before = this.registry.zones.get(next.id) ?? null;
    const siteId = this.registry.floor(next.floorId)!.site.id;
    await this.commit(
      actor,
      { put: [zoneRecord(siteId, next)] },
      [{ entity: KIND.zone, entityId: next.id, before, after: next }],
      () => {
        this.registry.putZone(siteId, next);
        this.worldChanged();
      },
      { action: before ? 'zone.update' : 'zone.create', subjectType: 'zone', subjectId: next.id, siteId, ...(detail ? { detail } : {}) },
    );
    return next;
  }

  // ---- wards ----

  /** Create the ward or replace it. */
  putWard(actor: string, siteId: string, wardId: string, input: unknown): Promise<{ ward: Ward; created: boolean }> {
    return this.serial(async () => {
      const body = parse(WardSchema, input, 'body');
      const site = this.registry.sites.get(siteId);
      if (!site) throw new ConfigError(404, `unknown site ${siteId}`);
      for (const f of body.floorIds) if (!site.floors.some((x) => x.id === f)) throw new ConfigError(400, `floorIds: floor ${f} is not a floor of site ${siteId}`);
      const before = site.wards.find((w) => w.id === wardId) ?? null;
      const ward: Ward = { id: wardId, name: body.name, ...(body.nameZh ? { nameZh: body.nameZh } : {}), floorIds: body.floorIds };
      await this.commit(
        actor,
        { put: [wardRecord(siteId, ward)] },
        [{ entity: KIND.ward, entityId: `${siteId}:${wardId}`, before, after: ward }],
        () => this.registry.putWard(siteId, ward),
        { action: before ? 'ward.update' : 'ward.create', subjectType: 'ward', subjectId: wardId, siteId },
      );
      return { ward, created: !before };
    });
  }

  /** Remove a ward nobody is in: no resident and no zone may still name it. */
  deleteWard(actor: string, siteId: string, wardId: string): Promise<void> {
    return this.serial(async () => {
      const site = this.registry.sites.get(siteId);
      const before = site?.wards.find((w) => w.id === wardId);
      if (!site || !before) throw new ConfigError(404, `no such ward ${wardId} in site ${siteId}`);
      const resident = [...this.registry.residents.values()].find((r) => r.siteId === siteId && r.wardId === wardId);
      if (resident) throw new ConfigError(409, `resident ${resident.id} is in ward ${wardId}; move them first`);
      const zone = this.registry.siteZones(siteId).find((z) => z.wardId === wardId);
      if (zone) throw new ConfigError(409, `zone ${zone.id} belongs to ward ${wardId}; change it first`);
      await this.commit(
        actor,
        { delete: [wardKey(siteId, wardId)] },
        [{ entity: KIND.ward, entityId: `${siteId}:${wardId}`, before, after: null }],
        () => this.registry.removeWard(siteId, wardId),
        { action: 'ward.delete', subjectType: 'ward', subjectId: wardId, siteId },
      );
    });
  }

  // ---- whole sites ----

  /**
   * Add a whole site (site with buildings, floors and wards; zones; optionally residents and tags),
   * as an import produces it. Everything is validated first (every problem listed, 400) and checked
   * against the sites already running (ids of sites, floors, zones, residents, tags are global, 409);
   * on any problem nothing is written.
   */
  addSite(actor: string, bundle: SiteBundle, audit?: SiteAudit): Promise<SiteBundle> {
    const raw = { site: bundle.site, zones: zonesToFeatureCollection(bundle.zones ?? []), residents: bundle.residents ?? [], tags: bundle.tags ?? [] };
    return this.addSiteFiles(actor, raw, audit);
  }

  /** addSite from the parsed JSON of a site's files (site.json, zones.geojson, residents.json, tags.json). */
  addSiteFiles(actor: string, raw: RawSiteFiles, audit: SiteAudit = { action: 'site.create' }): Promise<SiteBundle> {
    return this.serial(async () => {
      let checked: SiteBundle;
      try {
        checked = parseSiteFiles(raw, `site ${(raw.site as { id?: unknown } | null)?.id ?? '(no id)'}`);
      } catch (e) {
        if (e instanceof SiteLoadError) throw Object.assign(new ConfigError(400, e.message), { problems: e.problems });
        throw e;
      }
      const clash = this.clashes(checked);
      if (clash.length) throw Object.assign(new ConfigError(409, `site ${checked.site.id}: ${clash.join('; ')}`), { problems: clash });
      const { site } = checked;
      await this.commit(
        actor,
        { put: bundleRecords(checked) },
        [{ entity: KIND.site, entityId: site.id, before: null, after: { floors: site.floors.length, zones: checked.zones.length, residents: checked.residents.length, tags: checked.tags.length } }],
        () => {
          this.registry.addSite(checked);
          this.worldChanged();
          for (const t of checked.tags) this.geo?.registerTag(t.id, t.residentId, checked.residents.find((r) => r.id === t.residentId));
        },
        { subjectType: 'site', subjectId: site.id, siteId: site.id, action: audit.action, detail: audit.detail ?? { floors: site.floors.length, zones: checked.zones.length } },
      );
      return checked;
    });
  }

  private clashes({ site, zones, residents, tags }: SiteBundle): string[] {
    const out: string[] = [];
    const taken = (what: string, ids: string[], has: (id: string) => boolean) => {
      const hit = ids.filter(has);
      if (hit.length) out.push(`${what} ${hit.slice(0, 5).join(', ')}${hit.length > 5 ? ` (+${hit.length - 5})` : ''} already exist${hit.length === 1 ? 's' : ''}`);
    };
    const r = this.registry;
    taken('site', [site.id], (id) => r.sites.has(id));
    taken('floor', site.floors.map((f) => f.id), (id) => r.floor(id) !== undefined);
    taken('zone', zones.map((z) => z.id), (id) => r.zones.has(id));
    taken('resident', residents.map((x) => x.id), (id) => r.residents.has(id));
    taken('tag', tags.map((t) => t.id), (id) => r.tags.has(id));
    return out;
  }

  // ----

  private resident(id: string): Resident {
    const r = this.registry.residents.get(id);
    if (!r) throw new ConfigError(404, 'no such resident');
    return r;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** Store first (records and change log in one write), then memory and workers, then the audit trail. */
  private async commit(actor: string, write: { put?: ConfigRecord[]; delete?: ConfigKey[] }, changes: Change[], apply: () => void, audit: Audit): Promise<void> {
    const at = Date.now();
    await this.store.writeConfig({ ...write, changes: changes.map((c) => ({ at, actor, ...c })) });
    apply();
    try {
      await this.store.appendAudit({ at, actor, ...audit });
    } catch (err) {
      this.log?.error({ err, action: audit.action }, 'audit entry not recorded (the change itself is stored)');
    }
  }
}
