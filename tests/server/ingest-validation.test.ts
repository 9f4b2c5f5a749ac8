import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningServer } from '../../server/app';
import { postFixes, startTiny } from '../helpers/server';

let server: RunningServer;
let clock = Date.now() - 600_000;
const tick = (ms = 1000) => (clock += ms);
const good = (tagId = 'T2', x = 5) => ({ tagId, ts: tick(), floorId: 'f1', x, y: 1.5, accuracy: 0.4 });

beforeAll(async () => {
  server = await startTiny();
});
afterAll(async () => {
  await server?.close();
});

describe('ingest answers bad input with clear reasons and keeps the good fixes of the same batch', () => {
  it('rejects each malformed fix with its index and reason and accepts the rest', async () => {
    const batch = [
      good(),
      { tagId: 'T2', ts: tick(), floorId: 'f1', x: 'five', y: 1 },
      { tagId: 'T2', ts: tick(), floorId: 'f1', y: 1 },
      { tagId: 'T2', ts: tick(), lat: 95, lon: 117 },
      { tagId: 'T2', ts: 'yesterday-ish', floorId: 'f1', x: 1, y: 1 },
      { tagId: 'NOPE', ts: tick(), floorId: 'f1', x: 1, y: 1 },
      { tagId: 'T2', ts: tick(), floorId: 'f9', x: 1, y: 1 },
      { tagId: 'T2', ts: Date.now() + 3600_000, floorId: 'f1', x: 1, y: 1 },
      { tagId: 'T2', ts: tick(), floorId: 'f1', x: 1, y: 1, lat: 32, lon: 117 },
      { tagId: 'T2', ts: tick(), floorId: 'f1', x: 1, y: 1, event: 'party' },
      null,
      good('T2', 6),
    ];
    const res = await postFixes(server.url, batch);
    expect(res.status).toBe(202);
    const body = (await res.json()) as { accepted: number; rejected: { index: number; code: string; reason: string }[]; unknownTags: number };
    expect(body.accepted).toBe(2);
    expect(body.unknownTags).toBe(1);
    const byIndex = Object.fromEntries(body.rejected.map((r) => [r.index, r]));
    expect(Object.keys(byIndex).map(Number)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(byIndex[1].reason).toMatch(/^x: /);
    expect(byIndex[2].reason).toMatch(/needs floorId, x and y/);
    expect(byIndex[3].reason).toMatch(/^lat: /);
    expect(byIndex[4]).toMatchObject({ code: 'bad_time' });
    expect(byIndex[5]).toMatchObject({ code: 'unknown_tag', reason: 'unknown tag NOPE' });
    expect(byIndex[6]).toMatchObject({ code: 'unknown_floor' });
    expect(byIndex[7].reason).toMatch(/in the future/);
    expect(byIndex[8].reason).toMatch(/not both/);
    expect(byIndex[9].reason).toMatch(/^event: /);
    expect(byIndex[10]).toMatchObject({ code: 'invalid' });
  });

  it('puts a gateway batch back into time order and refuses duplicates and stale fixes with reasons', async () => {
    const t = tick(10_000);
    tick(10_000);
    const batch = [
      { tagId: 'T2', ts: t + 3000, floorId: 'f1', x: 8, y: 1.5 },
      { tagId: 'T2', ts: t + 1000, floorId: 'f1', x: 6, y: 1.5 },
      { tagId: 'T2', ts: t + 2000, floorId: 'f1', x: 7, y: 1.5 },
      { tagId: 'T2', ts: t + 2000, floorId: 'f1', x: 7, y: 1.5 },
    ];
    const first = (await (await postFixes(server.url, batch)).json()) as { accepted: number; rejected: { index: number; code: string }[] };
    expect(first.accepted).toBe(3);
    expect(first.rejected).toEqual([expect.objectContaining({ index: 3, code: 'duplicate' })]);
    const stale = (await (await postFixes(server.url, [{ tagId: 'T2', ts: t + 500, floorId: 'f1', x: 6, y: 1.5 }])).json()) as {
      rejected: { code: string; reason: string }[];
    };
    expect(stale.rejected[0]).toMatchObject({ code: 'out_of_order' });
    expect(stale.rejected[0].reason).toMatch(/older than the tag's last fix/);
  });

  it('refuses a single positioning glitch (an impossible jump) but follows a tag that really moved', async () => {
    const t = tick(5000);
    tick(10_000);
    const res = await postFixes(server.url, [
      { tagId: 'T2', ts: t, floorId: 'f1', x: 5, y: 1.5, accuracy: 0.3 },
      { tagId: 'T2', ts: t + 1000, floorId: 'f1', x: 29, y: 12, accuracy: 0.3 },
      { tagId: 'T2', ts: t + 2000, floorId: 'f1', x: 5.5, y: 1.5, accuracy: 0.3 },
    ]);
    const body = (await res.json()) as { accepted: number; rejected: { index: number; code: string }[] };
    expect(body.accepted).toBe(2);
    expect(body.rejected).toEqual([expect.objectContaining({ index: 1, code: 'impossible_jump' })]);
  });

  it('answers transport-level problems with a 4xx and a JSON reason, and keeps serving', async () => {
    expect((await postFixes(server.url, '{"tagId": ')).status).toBe(400);
    expect(await (await postFixes(server.url, '{"tagId": ')).json()).toEqual({ error: 'body is not valid JSON' });
    expect((await postFixes(server.url, { tagId: 'T2' })).status).toBe(400);
    expect((await postFixes(server.url, [])).status).toBe(400);
    const huge = Array.from({ length: 5001 }, () => ({ tagId: 'T2', ts: clock, floorId: 'f1', x: 1, y: 1 }));
    expect((await postFixes(server.url, huge)).status).toBe(413);
    const bigBody = JSON.stringify([{ tagId: 'T2', ts: tick(), floorId: 'f1', x: 1, y: 1, pad: 'x'.repeat(9 * 1024 * 1024) }]);
    expect((await postFixes(server.url, bigBody)).status).toBe(413);
    expect((await postFixes(server.url, [good()], 'wrong-key')).status).toBe(401);
    const allBad = await postFixes(server.url, [{ tagId: 'T2' }]);
    expect(allBad.status).toBe(422);
    const ok = await postFixes(server.url, [good()]);
    expect(ok.status).toBe(202);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });

  it('takes OsmAnd reports by GET and POST, with seconds or ISO timestamps and alarms, and explains refusals', async () => {
    const frame = server.registry.frame('tiny')!;
    const [lon, lat] = frame.toLngLat(510, 510);
    const sec = Math.floor(tick(20_000) / 1000);
    const q = (o: Record<string, string>) => new URLSearchParams({ key: 'demo-gateway-key', ...o }).toString();
    expect((await fetch(`${server.url}/osmand?${q({ id: 'T3', lat: `${lat}`, lon: `${lon}`, timestamp: `${sec}` })}`)).status).toBe(200);
    const iso = new Date(tick(20_000)).toISOString();
    const post = await fetch(`${server.url}/osmand?key=demo-gateway-key`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: q({ id: 'T3', lat: `${lat}`, lon: `${lon}`, timestamp: iso, batt: '80', alarm: 'sos' }).replace('key=demo-gateway-key&', ''),
    });
    expect(post.status).toBe(200);
    const bad = await fetch(`${server.url}/osmand?${q({ id: 'T3', lat: 'abc', lon: `${lon}`, timestamp: `${sec + 60}` })}`);
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: string }).error).toMatch(/lat/);
    expect((await fetch(`${server.url}/osmand?id=T3&lat=1&lon=1`)).status).toBe(401);
  });

  it('takes OwnTracks location messages and acknowledges its other message types', async () => {
    const frame = server.registry.frame('tiny')!;
    const [lon, lat] = frame.toLngLat(511, 511);
    const post = (body: unknown) =>
      fetch(`${server.url}/owntracks?id=T3`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Basic ${Buffer.from('gw:demo-gateway-key').toString('base64')}` },
        body: JSON.stringify(body),
      });
    const ok = await post({ _type: 'location', lat, lon, tst: Math.floor(tick(20_000) / 1000), acc: 12, batt: 77 });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual([]);
    expect((await post({ _type: 'waypoint', desc: 'home' })).status).toBe(200);
    expect((await post({ _type: 'location', lat: 'x', lon, tst: 1 })).status).toBe(400);
  });
});
