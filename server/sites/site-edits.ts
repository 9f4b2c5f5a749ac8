/**
 * What an edit of the configuration may contain and how it must fit what exists: the schemas and
 * checks SiteConfig runs before it writes anything. Callers (REST, the IMDF import) get one
 * ConfigError with a status and a sentence naming the field.
 */
import { z } from 'zod';
import { ZONE_KINDS, type Resident, type Site, type Zone } from '../../geo/model';
import type { Registry } from '../registry';
import { RequestError } from '../request-error';
import { RESIDENT_ZONE_KINDS, ringProblem, Rules } from '../site-loader';

/** A change refused before anything was written: 400 invalid, 404 unknown, 409 conflicts with what exists. */
export class ConfigError extends RequestError<400 | 404 | 409> {}

const Id = z.string().min(1, 'must not be empty').max(64, 'at most 64 characters');
const Name = z.string().trim().min(1, 'must not be empty').max(100, 'at most 100 characters');
const ZoneRef = z.string().max(64, 'at most 64 characters');
const OptionalText = z.string().max(100, 'at most 100 characters').nullable().optional();

export const NewResidentSchema = z
  .object({
    name: z.string().min(1, 'must not be empty').max(100, 'at most 100 characters'),
    siteId: Id,
    ward: ZoneRef.optional(),
    wardId: ZoneRef.optional(),
    roomZoneId: ZoneRef.optional(),
    bedZoneId: ZoneRef.optional(),
    bathroomZoneId: ZoneRef.optional(),
    safeZoneIds: z.array(ZoneRef).max(50).optional(),
    forbiddenZoneIds: z.array(ZoneRef).max(50).optional(),
    homeZoneId: ZoneRef.optional(),
    wanderRisk: z.boolean().optional(),
    fallRisk: z.boolean().optional(),
    tagId: Id,
    tagKind: z.enum(['indoor', 'outdoor', 'hybrid']).optional(),
  })
  .strict();
export type NewResident = z.infer<typeof NewResidentSchema>;

/** Absent: unchanged; null: cleared. */
export const ResidentPatchSchema = z
  .object({
    name: Name.optional(),
    wardId: ZoneRef.nullable().optional(),
    roomZoneId: ZoneRef.nullable().optional(),
    bedZoneId: ZoneRef.nullable().optional(),
    bathroomZoneId: ZoneRef.nullable().optional(),
    homeZoneId: ZoneRef.nullable().optional(),
    safeZoneIds: z.array(ZoneRef).max(50).optional(),
    forbiddenZoneIds: z.array(ZoneRef).max(50).optional(),
    wanderRisk: z.boolean().optional(),
    fallRisk: z.boolean().optional(),
    tagId: Id.optional(),
    tagKind: z.enum(['indoor', 'outdoor', 'hybrid']).optional(),
    /** Per-resident overrides of rule parameters (geo/rules.ts); null removes them. */
    rules: Rules.nullable().optional(),
  })
  .strict();
export type ResidentPatch = z.infer<typeof ResidentPatchSchema>;

const Ring = z.array(z.tuple([z.number(), z.number()])).min(4, 'a closed ring needs at least 4 positions');
/** Field names the zone itself is made of: a patch cannot set them as free-form properties. */
const FIXED_ZONE_FIELDS = new Set(['id', 'floorId', 'type', 'geometry', 'properties']);
const PropertyName = /^[A-Za-z][A-Za-z0-9_]{0,63}$/;

export const ZonePatchSchema = z
  .looseObject({
    kind: z.enum(ZONE_KINDS).optional(),
    name: Name.optional(),
    nameZh: OptionalText,
    wardId: ZoneRef.nullable().optional(),
    exitType: z.enum(['door', 'gate', 'lift', 'stairwell']).nullable().optional(),
    use: OptionalText,
    polygon: z.array(Ring).min(1, 'a polygon needs an outer ring').max(20, 'at most 20 rings').optional(),
  })
  .superRefine((patch, ctx) => {
    for (const key of Object.keys(patch)) {
      if (FIXED_ZONE_FIELDS.has(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'cannot be changed' });
      else if (!PropertyName.test(key)) ctx.addIssue({ code: 'custom', path: [key], message: 'a property name is a letter then up to 63 letters, digits or _' });
    }
    patch.polygon?.forEach((ring, i) => {
      const problem = ringProblem(ring);
      if (problem) ctx.addIssue({ code: 'custom', path: ['polygon', i], message: `ring ${problem}` });
    });
  });
/**
 * Known fields are checked here; any other key is a free-form property of the zone (door or camera
 * linkage, ...) kept as given, or removed when null. Features that give such a property a meaning
 * register its schema in ZONE_PROPERTIES.
 */
export type ZonePatch = z.infer<typeof ZonePatchSchema>;

/** Schemas of free-form zone properties that some feature reads (e.g. `door`, `cameras`). */
export const ZONE_PROPERTIES = new Map<string, z.ZodType>();

export const WardSchema = z
  .object({
    name: Name,
    nameZh: z.string().max(100, 'at most 100 characters').optional(),
    floorIds: z.array(Id).max(100, 'at most 100 floors'),
  })
  .strict();
export type WardInput = z.infer<typeof WardSchema>;

/** Parse with a schema; the first problem becomes a 400 naming its field. */
export function parse<T>(schema: z.ZodType<T>, input: unknown, what: string): T {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  const i = r.error.issues[0];
  const path = i?.path.map(String).join('.');
  throw new ConfigError(400, `${path || what}: ${i?.message ?? 'invalid'}`);
}

/** The zone references of a resident must be zones of its site, of the kind each field expects. */
export function checkResidentRefs(registry: Registry, site: Site, r: Resident): void {
  if (r.wardId !== null && !site.wards.some((w) => w.id === r.wardId)) throw new ConfigError(400, `ward: unknown ward ${r.wardId}`);
  const zones = new Map(registry.siteZones(site.id).map((z) => [z.id, z]));
  for (const zid of [...Object.keys(RESIDENT_ZONE_KINDS).map((f) => r[f as keyof typeof RESIDENT_ZONE_KINDS]), ...r.safeZoneIds, ...r.forbiddenZoneIds]) {
    if (zid && !zones.has(zid)) throw new ConfigError(400, `unknown zone ${zid} for site ${site.id}`);
  }
  for (const [field, kind] of Object.entries(RESIDENT_ZONE_KINDS)) {
    const zone = zones.get(r[field as keyof typeof RESIDENT_ZONE_KINDS] ?? '');
    if (zone && zone.kind !== kind) throw new ConfigError(400, `${field}: ${zone.id} is a ${zone.kind} zone, expected ${kind}`);
  }
}

/** A tag may be worn by this resident: not by another resident, not of another site. */
export function checkTagFree(registry: Registry, siteId: string, tagId: string, residentId?: string): void {
  const wearer = registry.residentOfTag(tagId);
  if (wearer && wearer.id !== residentId) throw new ConfigError(409, `tag ${tagId} already belongs to a resident`);
  const tag = registry.tags.get(tagId);
  if (tag && tag.siteId !== siteId) throw new ConfigError(409, `tag ${tagId} belongs to another site`);
  if (tag?.staffId) throw new ConfigError(409, `tag ${tagId} is worn by staff member ${tag.staffId}`);
}

/** Apply a zone patch (null removes an optional field or a property) and check the result fits. */
export function patchedZone(registry: Registry, zone: Zone, patch: ZonePatch): Zone {
  const next: Record<string, unknown> = { ...zone };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    const schema = ZONE_PROPERTIES.get(key);
    if (schema && value !== null) next[key] = parse(schema, value, key);
    else if (value === null) delete next[key];
    else next[key] = value;
  }
  const z = next as unknown as Zone;
  const site = registry.floor(zone.floorId)!.site;
  if (z.exitType !== undefined && z.kind !== 'exit') throw new ConfigError(400, `exitType: only an exit zone has one (this zone is ${z.kind})`);
  if (z.wardId !== undefined && !site.wards.some((w) => w.id === z.wardId)) throw new ConfigError(400, `wardId: unknown ward ${z.wardId}`);
  if (z.kind !== zone.kind) {
    for (const r of registry.residents.values()) {
      for (const [field, kind] of Object.entries(RESIDENT_ZONE_KINDS)) {
        if (r[field as keyof typeof RESIDENT_ZONE_KINDS] === zone.id && kind !== z.kind)
          throw new ConfigError(409, `kind: zone ${zone.id} is the ${field.replace('ZoneId', '')} of resident ${r.id}; it must stay ${kind}`);
      }
    }
  }
  return z;
}
