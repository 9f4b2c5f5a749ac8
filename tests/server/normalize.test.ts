import { describe, expect, it } from 'vitest';
import type { IngestKey } from '../../server/auth/accounts';
import { DEFAULT_NORMALIZE, FixNormalizer } from '../../server/ingest/normalize';
import { Registry } from '../../server/registry';
import { tinySite } from '../fixtures/tiny-site';

const NOW = Date.UTC(2026, 2, 1, 10, 0, 0);
const gateway: IngestKey = { id: 'gw', siteId: 'tiny', tagId: null, keyHash: '' };
const at = (dtMs: number, x = 5, y = 1, more: object = {}) => ({ tagId: 'T1', ts: NOW + dtMs, floorId: 'f1', x, y, ...more });

function registry(opts: { withoutOutdoor?: boolean } = {}): Registry {
  const site = tinySite();
  site.tags.push({ id: 'T9', kind: 'indoor', residentId: null, siteId: 'tiny' });
  if (opts.withoutOutdoor) {
    site.site.floors = site.site.floors.filter((f) => !f.outdoor);
    site.zones = site.zones.filter((z) => z.floorId !== 'out');
    site.residents = site.residents.filter((r) => !r.community);
    site.tags = site.tags.filter((t) => t.id !== 'T3');
  }
  return new Registry([site]);
}

/** The codes a batch was refused with, in batch order. */
const codes = (n: FixNormalizer, raw: unknown[], key = gateway) => n.normalize(raw, key, NOW).rejected.map((r) => r.code);

describe('the fix normaliser', () => {
  it('accepts a well-formed indoor fix as it is, with the indoor default accuracy', () => {
    const out = new FixNormalizer(registry()).normalize([at(0, 5, 1, { battery: 80, z: 0.4 })], gateway, NOW);
    expect(out.rejected).toEqual([]);
    expect(out.fixes).toEqual([{ tagId: 'T1', ts: NOW, floorId: 'f1', x: 5, y: 1, z: 0.4, battery: 80, accuracy: 0.5 }]);
  });

  it('places a lat/lon fix on the outdoor level in site metres, with the outdoor default accuracy', () => {
    const out = new FixNormalizer(registry()).normalize([{ tagId: 'T3', ts: NOW, lat: 32.63, lon: 117.0 }], gateway, NOW);
    expect(out.fixes).toHaveLength(1);
    expect(out.fixes[0].floorId).toBe('out');
    expect(Math.abs(out.fixes[0].x)).toBeLessThan(0.01);
    expect(Math.abs(out.fixes[0].y)).toBeLessThan(0.01);
    expect(out.fixes[0].accuracy).toBe(15);
  });

  it('refuses what is not a fix as invalid, naming the field, and keeps the tag id when it could read one', () => {
    const out = new FixNormalizer(registry()).normalize([{ tagId: 'T1', ts: NOW, floorId: 'f1', x: 'five', y: 1 }, 42], gateway, NOW);
    expect(out.rejected.map((r) => [r.index, r.code, r.tagId])).toEqual([
      [0, 'invalid', 'T1'],
      [1, 'invalid', undefined],
    ]);
    expect(out.rejected[0].reason).toMatch(/^x: /);
  });

  it('refuses half an indoor fix, or indoor and outdoor at once, as invalid', () => {
    const n = new FixNormalizer(registry());
    expect(codes(n, [{ tagId: 'T1', ts: NOW, floorId: 'f1', x: 1 }, { tagId: 'T1', ts: NOW, floorId: 'f1', x: 1, y: 1, lat: 32.6, lon: 117 }])).toEqual(['invalid', 'invalid']);
  });

  it('refuses a position more than 100 km from the site as invalid', () => {
    const n = new FixNormalizer(registry());
    expect(codes(n, [at(0, 200_000, 1), { tagId: 'T3', ts: NOW, lat: 40, lon: 117 }])).toEqual(['invalid', 'invalid']);
  });

  it('refuses a tag nobody registered as unknown_tag, and counts it', () => {
    const out = new FixNormalizer(registry()).normalize([{ ...at(0), tagId: 'NOPE' }], gateway, NOW);
    expect(out.rejected.map((r) => r.code)).toEqual(['unknown_tag']);
    expect(out.unknownTags).toBe(1);
  });

  it('refuses a tag of another site, or another tag than a device key’s own, as forbidden_tag', () => {
    const n = new FixNormalizer(registry());
    expect(codes(n, [at(0)], { ...gateway, siteId: 'elsewhere' })).toEqual(['forbidden_tag']);
    expect(codes(n, [at(0)], { ...gateway, tagId: 'T2' })).toEqual(['forbidden_tag']);
    expect(codes(n, [at(0)], { ...gateway, tagId: 'T1' })).toEqual([]);
  });

  it('refuses a tag worn by nobody as unassigned_tag, but takes a staff tag', () => {
    const n = new FixNormalizer(registry());
    expect(codes(n, [{ ...at(0), tagId: 'T9' }, { ...at(0), tagId: 'S1' }])).toEqual(['unassigned_tag']);
  });

  it('refuses a floor the site does not have, and lat/lon at a site without an outdoor level, as unknown_floor', () => {
    expect(codes(new FixNormalizer(registry()), [at(0, 5, 1, { floorId: 'f9' })])).toEqual(['unknown_floor']);
    expect(codes(new FixNormalizer(registry({ withoutOutdoor: true })), [{ tagId: 'T1', ts: NOW, lat: 32.63, lon: 117 }])).toEqual(['unknown_floor']);
  });

  it('refuses an unreadable time, one too far ahead, or one too old as bad_time', () => {
    const n = new FixNormalizer(registry());
    const raw = [at(0, 5, 1, { ts: 'yesterday' }), at(DEFAULT_NORMALIZE.maxFutureSkewMs + 5_000), at(-DEFAULT_NORMALIZE.maxAgeMs - 5_000)];
    expect(codes(n, raw)).toEqual(['bad_time', 'bad_time', 'bad_time']);
    expect(codes(n, [at(DEFAULT_NORMALIZE.maxFutureSkewMs - 5_000)])).toEqual([]);
  });

  it('reads ISO 8601 and epoch seconds as well as epoch ms', () => {
    const out = new FixNormalizer(registry()).normalize([at(0, 5, 1, { ts: new Date(NOW).toISOString() }), { ...at(0), tagId: 'T2', ts: NOW / 1000 }], gateway, NOW);
    expect(out.fixes.map((f) => f.ts)).toEqual([NOW, NOW]);
  });

  it('refuses a second fix at the same time as duplicate, and an older one as out_of_order', () => {
    const n = new FixNormalizer(registry());
    expect(codes(n, [at(1000)])).toEqual([]);
    expect(codes(n, [at(1000), at(500)])).toEqual(['duplicate', 'out_of_order']);
  });

  it('restores each tag’s time order inside a batch instead of refusing it', () => {
    const out = new FixNormalizer(registry()).normalize([at(2000, 6), { ...at(500), tagId: 'T2' }, at(1000, 5.5)], gateway, NOW);
    expect(out.rejected).toEqual([]);
    expect(out.fixes.map((f) => `${f.tagId}@${f.ts - NOW}`)).toEqual(['T1@1000', 'T1@2000', 'T2@500']);
  });

  it('refuses a teleport on one floor as impossible_jump, until the jumps keep coming', () => {
    const n = new FixNormalizer(registry());
    expect(codes(n, [at(0, 1, 1)])).toEqual([]);
    // 25 m in 1 s indoors, twice refused; the third in a row means the tag really is there
    expect(codes(n, [at(1000, 26, 1), at(2000, 26.5, 1), at(3000, 27, 1)])).toEqual(['impossible_jump', 'impossible_jump']);
    expect(n.normalize([at(4000, 27.5, 1)], gateway, NOW).fixes).toHaveLength(1);
  });

  it('allows for the fix’s own accuracy before calling it a jump', () => {
    const n = new FixNormalizer(registry());
    codes(n, [at(0, 1, 1)]);
    expect(codes(n, [at(1000, 20, 1, { accuracy: 12 })])).toEqual([]);
  });

  it('forgets the order guard of fixes that could not be made durable, so their retry is accepted', () => {
    const n = new FixNormalizer(registry());
    const first = n.normalize([at(1000)], gateway, NOW);
    n.forget(first.fixes);
    expect(codes(n, [at(1000)])).toEqual([]);
  });

  it('reports refusals in batch order, beside the fixes it accepted', () => {
    const out = new FixNormalizer(registry()).normalize([at(1000), { ...at(0), tagId: 'NOPE' }, at(1000), at(2000, 5.2)], gateway, NOW);
    expect(out.rejected.map((r) => `${r.index}:${r.code}`)).toEqual(['1:unknown_tag', '2:duplicate']);
    expect(out.fixes).toHaveLength(2);
  });
});
