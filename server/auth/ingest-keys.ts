/**
 * Device and gateway keys: random, shown once, kept as sha256 hashes in the store, rotatable with a
 * grace period, revocable. Lookups are by hash from memory (every fix batch asks); the store is
 * written through, and a change made by another node arrives through `reload`.
 */
import { randomBytes } from 'node:crypto';
import type { AuthRecords } from '../store';
import { hashKey } from './password';
import { DEMO_GATEWAY_KEY, type IngestKey, type IngestKeyView, type KeyRecord } from './records';

export class IngestKeys {
  private readonly keys = new Map<string, KeyRecord>();
  private readonly byHash = new Map<string, { record: KeyRecord; view: IngestKey }>();
  private readonly lastUsed = new Map<string, number>();

  constructor(
    private readonly store: AuthRecords,
    private readonly demo: boolean,
    private readonly now: () => number,
  ) {}

  async load(): Promise<void> {
    for (const r of (await this.store.listIngestKeys()) as KeyRecord[]) if (!r.demo) this.put(r);
  }

  /** Another node created, rotated or revoked this key. */
  async reload(id: string): Promise<void> {
    const r = (await this.store.getIngestKey(id)) as KeyRecord | null;
    this.drop(id);
    if (r && !r.demo) this.put(r);
  }

  /** Seed a key whose plain value is known (demo mode): in memory only. */
  addKnown(id: string, siteId: string, tagId: string | null, key: string, opts: { demo?: boolean; label?: string } = {}): void {
    if ((opts.demo || key === DEMO_GATEWAY_KEY) && !this.demo) throw new Error('the demo gateway key is refused outside demo mode');
    this.put({
      id,
      siteId,
      tagId,
      label: opts.label ?? id,
      hashes: [{ hash: hashKey(key), validUntil: null }],
      createdAt: this.now(),
      createdBy: 'system',
      rotatedAt: null,
      demo: opts.demo,
    });
  }

  /** A new random key; the plain key is returned once and only its hash is kept. */
  async create(spec: { siteId: string; tagId: string | null; label?: string; createdBy: string }): Promise<{ key: string; info: IngestKeyView }> {
    const key = newIngestKey();
    const record: KeyRecord = {
      id: `key_${randomBytes(6).toString('hex')}`,
      siteId: spec.siteId,
      tagId: spec.tagId,
      label: spec.label ?? '',
      hashes: [{ hash: hashKey(key), validUntil: null }],
      createdAt: this.now(),
      createdBy: spec.createdBy,
      rotatedAt: null,
    };
    await this.store.putIngestKey(record);
    this.put(record);
    return { key, info: this.view(record) };
  }

  /** A new key for the same device or gateway; the old one works `graceMs` longer (0: stops at once). */
  async rotate(id: string, graceMs: number): Promise<{ key: string; info: IngestKeyView } | null> {
    const old = this.keys.get(id);
    if (!old) return null;
    const now = this.now();
    const key = newIngestKey();
    const previous = old.hashes.find((h) => h.validUntil === null);
    const record: KeyRecord = { ...old, hashes: [{ hash: hashKey(key), validUntil: null }], rotatedAt: now };
    if (previous && graceMs > 0) record.hashes.push({ hash: previous.hash, validUntil: now + graceMs });
    if (!record.demo) await this.store.putIngestKey(record);
    this.drop(id);
    this.put(record);
    return { key, info: this.view(record) };
  }

  async revoke(id: string): Promise<boolean> {
    const record = this.keys.get(id);
    if (!record) return false;
    if (!record.demo) await this.store.deleteIngestKey(id);
    this.drop(id);
    return true;
  }

  info(id: string): IngestKeyView | null {
    const r = this.keys.get(id);
    return r ? this.view(r) : null;
  }

  list(): IngestKeyView[] {
    return [...this.keys.values()].map((r) => this.view(r));
  }

  /** The key's identity when it may ingest now; null for unknown, revoked or expired keys. */
  identify(key: string): IngestKey | null {
    if (typeof key !== 'string' || key.length === 0 || key.length > 512) return null;
    if (!this.demo && key === DEMO_GATEWAY_KEY) return null;
    const hash = hashKey(key);
    const hit = this.byHash.get(hash);
    if (!hit) return null;
    const h = hit.record.hashes.find((x) => x.hash === hash);
    const now = this.now();
    if (!h || (h.validUntil !== null && h.validUntil <= now)) return null;
    this.lastUsed.set(hit.record.id, now);
    return hit.view;
  }

  private put(record: KeyRecord): void {
    this.keys.set(record.id, record);
    for (const h of record.hashes) {
      this.byHash.set(h.hash, { record, view: { id: record.id, siteId: record.siteId, tagId: record.tagId, keyHash: h.hash } });
    }
  }

  private drop(id: string): void {
    const record = this.keys.get(id);
    if (!record) return;
    this.keys.delete(id);
    for (const h of record.hashes) this.byHash.delete(h.hash);
  }

  private view(r: KeyRecord): IngestKeyView {
    const prev = r.hashes.find((h) => h.validUntil !== null);
    return {
      id: r.id,
      siteId: r.siteId,
      tagId: r.tagId,
      kind: r.tagId === null ? 'gateway' : 'device',
      label: r.label,
      createdAt: r.createdAt,
      createdBy: r.createdBy,
      rotatedAt: r.rotatedAt,
      lastUsedAt: this.lastUsed.get(r.id) ?? null,
      previousValidUntil: prev?.validUntil ?? null,
      demo: r.demo === true,
    };
  }
}

/** `cwk_` marks carewatch keys for secret scanners; 256 random bits. */
function newIngestKey(): string {
  return `cwk_${randomBytes(32).toString('base64url')}`;
}
