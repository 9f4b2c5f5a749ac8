/**
 * The embedded store's configuration records: a map in first-written order, rebuilt from the
 * journal. One write is one journal line (a `config-batch`), so a crash keeps all of it or none:
 * a torn last line is dropped whole by its checksum.
 */
import { configKey, type ConfigKey, type ConfigQuery, type ConfigRecord } from '../config-records';
import type { ConfigChange } from '../types';

export interface ConfigBatch {
  put: ConfigRecord[];
  del: ConfigKey[];
  changes: ConfigChange[];
}

export class ConfigTable {
  private readonly byKey = new Map<string, ConfigRecord>();

  get size(): number {
    return this.byKey.size;
  }

  has(k: ConfigKey): boolean {
    return this.byKey.has(configKey(k));
  }

  apply(b: ConfigBatch): void {
    for (const k of b.del) this.byKey.delete(configKey(k));
    // Map.set on an existing key keeps its place: an update does not move a record to the end
    for (const r of b.put) this.byKey.set(configKey(r), r);
  }

  list(q: ConfigQuery): ConfigRecord[] {
    const out: ConfigRecord[] = [];
    for (const r of this.byKey.values()) if ((q.kind === undefined || r.kind === q.kind) && (q.siteId === undefined || r.siteId === q.siteId)) out.push(r);
    return out;
  }

  /** Every record as one batch (compaction); the change log is kept by the caller. */
  snapshot(): ConfigBatch[] {
    return this.byKey.size ? [{ put: [...this.byKey.values()], del: [], changes: [] }] : [];
  }
}
