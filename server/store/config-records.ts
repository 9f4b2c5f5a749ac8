/**
 * Configuration records: sites, floors, zones, wards, residents and tags (and, for later features,
 * rosters, webhooks, escalation rules) kept in the store as JSON documents keyed by (kind, id).
 * The store does not interpret them; server/sites/ gives them their types and rules.
 *
 * A write is one atomic batch: the puts, the deletes and the config-change log lines that describe
 * them are all stored, or none is. `listConfig` returns records in the order they were first
 * written (an update keeps its place), so zones keep the order their site was drawn in.
 */
import type { ConfigChangeInput } from './types';

export interface ConfigKey {
  /** e.g. `site`, `zone`, `resident`, `tag`, `meta`. */
  kind: string;
  id: string;
}

export interface ConfigRecord extends ConfigKey {
  /** The site the record belongs to; null for records above sites. */
  siteId: string | null;
  /** Any JSON value except undefined. */
  body: unknown;
}

export interface ConfigWrite {
  put?: ConfigRecord[];
  delete?: ConfigKey[];
  /** The config-change log lines of this write (who, what, before, after). */
  changes: ConfigChangeInput[];
  /** Write only when no record has this key yet: several nodes seeding at once, one wins. */
  ifAbsent?: ConfigKey;
}

export interface ConfigQuery {
  kind?: string;
  siteId?: string;
}

export interface ConfigRecordStore {
  /** Atomic; resolves false (and writes nothing) when `ifAbsent` names an existing record. */
  writeConfig(write: ConfigWrite): Promise<boolean>;
  /** In the order records were first written. */
  listConfig(query?: ConfigQuery): Promise<ConfigRecord[]>;
}

export const configKey = (k: ConfigKey) => `${k.kind}\u0000${k.id}`;

/** Refuse a malformed write whole before anything is stored, saying what is wrong. */
export function checkConfigWrite(w: ConfigWrite): void {
  const seen = new Set<string>();
  const key = (k: ConfigKey, where: string) => {
    for (const f of ['kind', 'id'] as const) if (typeof k[f] !== 'string' || k[f] === '') throw new TypeError(`${where}: ${f} must be a non-empty string`);
    const s = configKey(k);
    if (seen.has(s)) throw new TypeError(`${where}: ${k.kind} ${k.id} appears twice in one write`);
    seen.add(s);
  };
  (w.put ?? []).forEach((r, i) => {
    key(r, `config put ${i}`);
    if (r.siteId !== null && (typeof r.siteId !== 'string' || r.siteId === '')) throw new TypeError(`config put ${i}: siteId must be a non-empty string or null`);
    if (r.body === undefined) throw new TypeError(`config put ${i}: body is missing`);
  });
  (w.delete ?? []).forEach((k, i) => key(k, `config delete ${i}`));
  w.changes.forEach((c, i) => {
    if (!Number.isSafeInteger(c.at) || typeof c.actor !== 'string' || typeof c.entity !== 'string' || typeof c.entityId !== 'string')
      throw new TypeError(`config change ${i}: at, actor, entity and entityId are required`);
  });
}
