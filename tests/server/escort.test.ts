import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../geo/model';
import type { RunningServer } from '../../server/app';
import { api, login, postFixes, startTiny } from '../helpers/server';

let server: RunningServer;
let nurse: string;
beforeAll(async () => {
  server = await startTiny();
  nurse = await login(server.url, 'nurse');
});
afterAll(async () => {
  await server?.close();
});

const walk = (tagId: string, t0: number, dy = 0) =>
  Array.from({ length: 12 }, (_, i) => ({ tagId, ts: t0 + i * 1000, floorId: 'f1', x: 17 + i, y: 1.2 + dy, accuracy: 0.3 }));

describe('a nurse walking a resident past the exit', () => {
  it('raises no exit alert while a staff tag is beside the resident, and does once the resident walks there alone', async () => {
    const t0 = Date.now() - 120_000;
    // the nurse's tag (S1) walks half a metre beside the wander-risk resident (T1)
    const together = await postFixes(server.url, [...walk('S1', t0, 0.6), ...walk('T1', t0)]);
    expect(await together.json()).toMatchObject({ accepted: 24, rejected: [] });
    await server.geo.drain();
    const escorted = (await api<Alert[]>(server.url, nurse, '/api/v1/alerts')).body;
    expect(escorted.filter((a) => a.kind === 'exit_approach')).toEqual([]);

    // later the resident comes back alone
    const t1 = t0 + 60_000;
    const away = [{ tagId: 'T1', ts: t1, floorId: 'f1', x: 15, y: 1.2, accuracy: 0.3 }, { tagId: 'T1', ts: t1 + 1000, floorId: 'f1', x: 14, y: 1.2, accuracy: 0.3 }, { tagId: 'T1', ts: t1 + 2000, floorId: 'f1', x: 13, y: 1.2, accuracy: 0.3 }];
    await postFixes(server.url, [...away, ...walk('T1', t1 + 10_000)]);
    await server.geo.drain();
    const alone = (await api<Alert[]>(server.url, nurse, '/api/v1/alerts')).body.filter((a) => a.kind === 'exit_approach');
    expect(alone.map((a) => a.residentId)).toEqual(['R1']);
  });

  it('does not put staff tags on the live map or through the detectors', async () => {
    const frame = server.realtime.frames.full('f1', Date.now());
    expect(frame.items.map((i) => i.r)).not.toContain('S1');
    expect(server.registry.residentOfTag('S1')).toBeUndefined();
  });
});
