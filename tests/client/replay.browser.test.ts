/**
 * Incident replay in real headless Chromium against the real server with the simulator: the wanderer heads for an
 * exit, a nurse acknowledges and resolves the alert, and the next morning the manager opens its replay from a
 * link, sees the trail and the alert marker at the alert moment, plays it, reads the response times, exports the
 * CSV and prints the report.
 * Needs `npm run build:client` first (`npm test` does it) and Debian's chromium (`apt-get install -y chromium`).
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Alert } from '../../geo/model';
import { startServer } from '../../server/app';
import { ZONE_FILL } from '../../client/src/map/palette';
import { REPLAY_COLOURS, REPLAY_LAYER_IDS } from '../../client/src/replay/layers';
import type { AlertReplayPage } from '../../client/src/replay/types';
import { toLocalInput } from '../../client/src/replay/zone-time';
import { CHROMIUM_PATH, countColour, decodePng, launchBrowser, SCREENSHOT_DIR, type BrowserSession, type Rgba } from '../helpers/browser';

const DIST = new URL('../../client/dist/index.html', import.meta.url);

let server: Awaited<ReturnType<typeof startServer>>;
let b: BrowserSession;
let dataDir: string;
let managerToken: string;
let alert: Alert;
let track: [number, number][] = [];

async function rest<T>(token: string, path: string, init: RequestInit = {}): Promise<T> {
  const res = await fetch(server.url + path, {
    ...init,
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...init.headers },
  });
  if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function loginToken(username: string, password: string): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ username, password }),
  });
  if (!res.ok) throw new Error(`login ${username}: ${res.status}`);
  return ((await res.json()) as { token: string }).token;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Pixels within `radius` of any of `points` (canvas CSS px) that pass `test`. */
function countNear(img: Rgba, points: readonly [number, number][], radius: number, test: (r: number, g: number, b: number) => boolean): number {
  const seen = new Uint8Array(img.width * img.height);
  let n = 0;
  for (const [px, py] of points) {
    for (let y = Math.max(0, Math.floor(py - radius)); y <= Math.min(img.height - 1, Math.ceil(py + radius)); y++) {
      for (let x = Math.max(0, Math.floor(px - radius)); x <= Math.min(img.width - 1, Math.ceil(px + radius)); x++) {
        const i = y * img.width + x;
        if (seen[i] || (x - px) ** 2 + (y - py) ** 2 > radius * radius) continue;
        seen[i] = 1;
        const o = i * 4;
        if (test(img.data[o], img.data[o + 1], img.data[o + 2])) n++;
      }
    }
  }
  return n;
}

const near = (c: readonly number[], tol: number) => (r: number, g: number, bl: number) =>
  Math.abs(r - c[0]) <= tol && Math.abs(g - c[1]) <= tol && Math.abs(bl - c[2]) <= tol;

type Page = BrowserSession['page'];
const replayState = (page: Page) =>
  page.evaluate(() => {
    const r = window.__carewatch.replay;
    return { ready: r.ready, time: r.time, playing: r.playing, speed: r.speed, floorId: r.floorId, alertId: r.alertId };
  });
const projectAll = (page: Page, pts: [number, number][]) =>
  page.evaluate((p) => p.map(([x, y]) => window.__carewatch.replay.project(x, y)).filter((q): q is [number, number] => q !== null), pts);

beforeAll(async () => {
  if (!existsSync(DIST)) throw new Error('client/dist is missing: run `npm run build:client` (npm test does it first)');
  if (!existsSync(CHROMIUM_PATH)) throw new Error(`no browser at ${CHROMIUM_PATH}: apt-get install -y chromium`);
  dataDir = mkdtempSync(join(tmpdir(), 'carewatch-replay-'));
  server = await startServer({ port: 0, simulator: true, demo: true, dataDir, simulatorOptions: { firstWanderAfterMs: 5000 }, logLevel: 'warn' });
  managerToken = await loginToken('manager', 'manager-demo');
  const nurseToken = await loginToken('nurse', 'nurse-demo');

  // The simulated wanderer reaches the exit within a minute; the manager sees the alert over REST.
  const t0 = performance.now();
  let found: Alert | undefined;
  while (!found && performance.now() - t0 < 60_000) {
    const open = await rest<Alert[]>(managerToken, '/api/v1/alerts?state=open');
    found = open.find((a) => a.kind === 'exit_approach');
    if (!found) await sleep(500);
  }
  if (!found) throw new Error('no exit_approach alert within 60 s');
  console.log(`exit_approach ${found.id} after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // The nurse takes a moment to acknowledge and a moment more to resolve; the track goes on being recorded.
  await sleep(2500);
  await rest(nurseToken, `/api/v1/alerts/${found.id}/ack`, { method: 'POST', body: JSON.stringify({ note: 'On my way' }) });
  await sleep(2500);
  alert = await rest<Alert>(nurseToken, `/api/v1/alerts/${found.id}/resolve`, { method: 'POST', body: JSON.stringify({ note: 'Walked her back' }) });
  await sleep(1000);

  // The wanderer's own rows in the minute before the alert, to find the trail on the canvas.
  const page = await rest<AlertReplayPage>(managerToken, `/api/v1/alerts/${alert.id}/replay`);
  track = page.rows.filter((r) => r.residentId === alert.residentId && r.floorId === alert.floorId && r.ts <= alert.fixTs && r.ts >= alert.fixTs - 60_000).map((r) => [r.x, r.y]);
  b = await launchBrowser({ locale: 'en-US', viewport: { width: 1280, height: 800 } });
}, 120_000);

afterAll(async () => {
  await b?.close();
  await server?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('incident replay (real browser, real server)', () => {
  it('opens the replay of a resolved alert straight from its link, after signing in', async () => {
    const { page } = b;
    const t0 = performance.now();
    await page.goto(`${server.url}/#/replay/${encodeURIComponent(alert.id)}`);
    await page.getByTestId('login-username').fill('manager');
    await page.getByTestId('login-password').fill('manager-demo');
    await page.getByTestId('login-submit').click();
    await page.waitForFunction(() => window.__carewatch?.replay.ready === true, null, { timeout: 45_000 });
    console.log(`login → replay ready: ${(performance.now() - t0).toFixed(0)} ms`);
    const s = await replayState(page);
    expect(s.alertId).toBe(alert.id);
    expect(s.floorId).toBe(alert.position.floorId);
    expect(await page.getByTestId('replay-map-title').innerText()).not.toBe('Incident replay'); // the floor's name
    expect(new URL(page.url()).hash).toBe(`#/replay/${encodeURIComponent(alert.id)}`);
    expect(track.length).toBeGreaterThan(5);
  }, 90_000);

  it('jumps to the alert moment and draws the trail and the alert marker there', async () => {
    const { page } = b;
    await page.getByTestId('replay-jump').click();
    await expect.poll(async () => (await replayState(page)).time).toBe(alert.fixTs);
    await page.waitForTimeout(500); // a frame or two at the new time
    await b.screenshot('replay-alert');
    const map = page.getByTestId('replay-map');
    const img = decodePng(await map.screenshot());
    const trackPx = await projectAll(page, track);
    const [alertPx] = await projectAll(page, [[alert.position.x, alert.position.y]]);
    // The trail's hue (magenta; the timeline slider shares it, so only the map is read)
    const trail = countNear(img, trackPx, 6, near(REPLAY_COLOURS.trail, 60));
    const room = countColour(img, ZONE_FILL.room.slice(0, 3) as [number, number, number]);
    console.log(`trail ${trail} px near ${trackPx.length} track points; room fill ${room} px`);
    expect(room).toBeGreaterThan(5_000);
    expect(trail).toBeGreaterThan(60);
    // The marker stays where the alert was raised all through the replay; at the start nobody stands on it
    // (at the alert moment the resident's pulsing halo tints it).
    const start = await page.evaluate(() => window.__carewatch.replay.start!);
    await page.evaluate((t) => window.__carewatch.replay.setTime(t), start);
    await page.waitForTimeout(500);
    const atStart = decodePng(await map.screenshot());
    const marker = countNear(atStart, [alertPx], 30, near(REPLAY_COLOURS.alertMarker, 0));
    console.log(`alert marker ${marker} px at the start of the replay`);
    expect(marker).toBeGreaterThan(40);
    const picked = await page.evaluate(
      ([x, y, layerId]) => {
        const deck = window.__carewatch.replay.deck as { pickObject(o: object): { object?: { id: string } } | null };
        // a little off the centre: the resident's dot covers the middle of the marker
        return deck.pickObject({ x: x + 17, y, radius: 3, layerIds: [layerId] })?.object?.id ?? null;
      },
      [alertPx[0], alertPx[1], REPLAY_LAYER_IDS.alertMarkers] as const,
    );
    expect(picked).toBe(alert.id);
  }, 60_000);

  it('plays forward at the chosen speed and pauses', async () => {
    const { page } = b;
    await page.getByTestId('replay-speed').selectOption('5');
    // from half a minute before the alert: a recent alert's replay ends at the moment it was loaded
    await page.evaluate((t) => window.__carewatch.replay.setTime(t), alert.fixTs - 30_000);
    const before = (await replayState(page)).time!;
    expect(before).toBe(alert.fixTs - 30_000);
    await page.getByTestId('replay-play').click();
    await expect.poll(async () => (await replayState(page)).playing).toBe(true);
    await page.waitForTimeout(1500);
    await page.getByTestId('replay-play').click();
    const after = await replayState(page);
    console.log(`played ${((after.time! - before) / 1000).toFixed(1)} s of replay in about 1.5 s at ${after.speed}×`);
    expect(after.playing).toBe(false);
    expect(after.speed).toBe(5);
    expect(after.time!).toBeGreaterThan(before + 2_000);
    // the slider moves in whole seconds
    const slider = Number(await page.getByTestId('replay-slider').inputValue());
    expect(Math.abs(slider - (after.time! - (await page.evaluate(() => window.__carewatch.replay.start!))))).toBeLessThanOrEqual(1000);
  }, 30_000);

  it('keeps the followed resident in the middle of the map', async () => {
    const { page } = b;
    await page.evaluate((t) => window.__carewatch.replay.setTime(t), alert.fixTs - 20_000);
    await page.getByTestId('replay-follow').check();
    await page.waitForTimeout(500);
    const offset = await page.evaluate((id) => {
      const r = window.__carewatch.replay;
      const deck = r.deck as { props: { layers: { id: string; props: { data: { id: string; x: number; y: number }[] } }[] }; getCanvas(): HTMLCanvasElement };
      const me = deck.props.layers.find((l) => l.id === 'residents')!.props.data.find((m) => m.id === id)!;
      const [x, y] = r.project(me.x, me.y)!;
      const c = deck.getCanvas();
      return [x - c.clientWidth / 2, y - c.clientHeight / 2];
    }, alert.residentId);
    console.log(`followed resident ${offset.map((v) => v.toFixed(1)).join(', ')} px from the centre`);
    expect(Math.hypot(offset[0], offset[1])).toBeLessThan(3);
    await page.getByTestId('replay-follow').uncheck();
    await page.getByTestId('replay-fit').click();
  });

  it('shows who acknowledged and resolved the alert, and after how long', async () => {
    const { page } = b;
    const panel = page.getByTestId('response-times');
    expect(await panel.getAttribute('data-acknowledged')).toBe('true');
    expect(await panel.getAttribute('data-resolved')).toBe('true');
    const ack = await page.getByTestId('rt-acknowledged').innerText();
    const res = await page.getByTestId('rt-resolved').innerText();
    const detection = await page.getByTestId('rt-detection').innerText();
    console.log(`response times: ${ack.replace(/\n/g, ' ')} | ${res.replace(/\n/g, ' ')} | ${detection.replace(/\n/g, ' ')}`);
    expect(ack).toMatch(/by nurse, after \d+(\.\d)? s/);
    expect(res).toMatch(/by nurse, after \d+(\.\d)? s/);
    expect(detection).toMatch(/\d+ ms|\d+(\.\d)? s/);
    // and on the timeline: the alert, its acknowledgement and its resolution
    await expect.poll(() => page.getByTestId(`timeline-alert-${alert.id}`).count()).toBe(1);
    expect(await page.getByTestId('timeline-acknowledged').count()).toBe(1);
    expect(await page.getByTestId('timeline-resolved').count()).toBe(1);
  });

  it('exports the window as CSV through an authenticated download', async () => {
    const { page } = b;
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('replay-export-csv').click()]);
    const csv = readFileSync((await download.path())!, 'utf8');
    const lines = csv.trim().split(/\r?\n/);
    console.log(`CSV ${download.suggestedFilename()}: ${lines.length - 1} rows`);
    expect(download.suggestedFilename()).toBe(`alert-${alert.id}.csv`);
    expect(lines[0]).toMatch(/^ts,time_utc,resident_id,resident_name/);
    expect(lines.length).toBeGreaterThan(10);
    expect(lines.some((l) => l.includes(alert.residentId))).toBe(true);

    const [geo] = await Promise.all([page.waitForEvent('download'), page.getByTestId('replay-export-geojson').click()]);
    const fc = JSON.parse(readFileSync((await geo.path())!, 'utf8')) as { type: string; features: { properties: { type: string; alertId?: string } }[] };
    expect(fc.type).toBe('FeatureCollection');
    expect(fc.features[0].properties).toMatchObject({ type: 'alert', alertId: alert.id });
    expect(fc.features.some((f) => f.properties.type === 'track')).toBe(true);
  }, 30_000);

  it('prints a report with the response times, a snapshot of the map and the events', async () => {
    const { page } = b;
    await page.evaluate(() => {
      (window as unknown as { printed: number }).printed = 0;
      window.print = () => void ((window as unknown as { printed: number }).printed += 1);
    });
    await page.getByTestId('replay-print').click();
    const report = page.getByTestId('print-report');
    await report.waitFor({ state: 'visible' });
    expect(await page.evaluate(() => (window as unknown as { printed: number }).printed)).toBe(1);
    expect(await page.getByTestId('report-times').innerText()).toMatch(/nurse/);
    expect(await page.getByTestId('report-events').innerText()).toMatch(/Approaching exit/);
    const src = (await page.getByTestId('report-map').getAttribute('src'))!;
    expect(src.startsWith('data:image/png;base64,')).toBe(true);
    const png = Buffer.from(src.slice('data:image/png;base64,'.length), 'base64');
    writeFileSync(join(SCREENSHOT_DIR, 'replay-report-map.png'), png);
    const snap = decodePng(png);
    const room = countColour(snap, ZONE_FILL.room.slice(0, 3) as [number, number, number]);
    const trail = countColour(snap, REPLAY_COLOURS.trail.slice(0, 3) as [number, number, number], 60);
    console.log(`report map snapshot ${snap.width}×${snap.height}: room fill ${room} px, trail ${trail} px`);
    expect(room).toBeGreaterThan(5_000);
    expect(trail).toBeGreaterThan(30);
    await b.screenshot('replay-report');
    await page.getByTestId('report-close').click();
    await report.waitFor({ state: 'detached' });
  }, 30_000);

  it('speaks Chinese when asked', async () => {
    const { page } = b;
    await page.getByTestId('lang-toggle').click();
    await expect.poll(() => page.getByTestId('replay-jump').innerText()).toContain('跳到报警时刻');
    expect(await page.getByTestId('rt-acknowledged').innerText()).toMatch(/nurse，用时 \d/);
    expect(await page.getByTestId('replay-map-title').innerText()).toMatch(/[\u4e00-\u9fff]/);
    await page.getByTestId('replay-jump').click();
    await page.waitForTimeout(500);
    await b.screenshot('replay-alert-zh');
    await page.getByTestId('lang-toggle').click();
    await expect.poll(() => page.getByTestId('replay-jump').innerText()).toContain('Jump to alert');
  });

  it('lists resolved alerts on the replay tab and opens one from there', async () => {
    const { page } = b;
    await page.getByTestId('tab-live').click();
    await page.waitForFunction(() => window.__carewatch.ready === true, null, { timeout: 45_000 });
    expect(new URL(page.url()).hash).toBe('#/live');
    await page.getByTestId('tab-replay').click();
    const row = page.getByTestId(`replay-alert-${alert.id}`);
    await row.waitFor({ state: 'visible', timeout: 15_000 });
    expect(await row.getAttribute('data-state')).toBe('resolved');
    await b.screenshot('replay-picker');
    await page.getByTestId(`replay-open-${alert.id}`).click();
    await page.waitForFunction((id) => window.__carewatch.replay.ready === true && window.__carewatch.replay.alertId === id, alert.id, { timeout: 45_000 });
    expect(new URL(page.url()).hash).toBe(`#/replay/${encodeURIComponent(alert.id)}`);
  }, 90_000);

  it('replays a resident over a time window typed on the site’s clock', async () => {
    const { page } = b;
    const [site] = await rest<{ timeZone?: string }[]>(managerToken, '/api/v1/sites');
    await page.getByTestId('replay-back').click();
    await page.getByTestId('replay-window-resident').selectOption(alert.residentId);
    await page.getByTestId('replay-window-from').fill(toLocalInput(alert.fixTs - 60_000, site.timeZone));
    await page.getByTestId('replay-window-length').selectOption('10');
    await page.getByTestId('replay-window-submit').click();
    await page.waitForFunction(() => window.__carewatch.replay.ready === true, null, { timeout: 45_000 }).catch(async (e) => {
      console.log('window replay not ready:', page.url(), await page.getByTestId('replay-status').innerText().catch(() => '?'), JSON.stringify(await replayState(page)));
      await b.screenshot('replay-window-not-ready');
      throw e;
    });
    const hash = new URLSearchParams(new URL(page.url()).hash.split('?')[1]);
    expect(hash.get('residents')).toBe(alert.residentId);
    // the minute is what was typed: the window opens at most a minute (the seconds dropped) before the fix - 60 s
    expect(alert.fixTs - 60_000 - Number(hash.get('since'))).toBeGreaterThanOrEqual(0);
    expect(alert.fixTs - 60_000 - Number(hash.get('since'))).toBeLessThan(60_000);
    expect((await replayState(page)).alertId).toBeNull();
    // the alert raised in that window is on the timeline
    await expect.poll(() => page.getByTestId(`timeline-alert-${alert.id}`).count()).toBe(1);
    expect(await page.getByTestId('replay-events').innerText()).toMatch(/Approaching exit/);
  }, 60_000);

  it('made no page errors, no console errors and no request off this machine', () => {
    expect(b.problems.all()).toEqual([]);
    expect(existsSync(join(SCREENSHOT_DIR, 'replay-alert.png'))).toBe(true);
  });
});
