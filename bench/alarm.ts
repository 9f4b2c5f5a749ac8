/**
 * The alarm chain under the end-to-end benchmark's load: while corridor fixes stream in over HTTP,
 * probe residents press SOS; measured from the alert's detection (`detectedAt`, server clock, same
 * machine) to (a) the signed webhook arriving at a receiver, (b) the encrypted Web Push arriving at a
 * push service (both real HTTP servers in this process), and (c) the escalation step firing after its
 * `afterSeconds` (timer drift: history `at` minus due time, and arrival of `alert.escalated`).
 * The receivers run in this process next to the load generator, so their own arrival times include its
 * event-loop delays; the server-side figures (delivery log `deliveredAt`, audit `push.sent`, history
 * `at`, all minus `detectedAt`) are the product's own and are the ones reported first.
 *
 *   npx tsx bench/alarm.ts [--tags 2000] [--rate 10000] [--batch 500] [--seconds 20] [--probes 60] [--after 5]
 */
import { createECDH, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import autocannon from 'autocannon';
import type { Alert } from '../geo/model';
import { mulberry32 } from '../geo/rng';
import { startReceiver } from '../tests/helpers/receiver';
import { batchMaker, pointInBox, type LoadTag } from './lib/corridor-load';
import { postJson, startServerProcess } from './lib/server-process';

const ece = createRequire(import.meta.url)('http_ece') as { decrypt(buf: Buffer, p: object): Buffer };
const arg = (name: string, d: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : d;
};
const TAGS = Number(arg('tags', '2000'));
const RATE = Number(arg('rate', '10000'));
const BATCH = Number(arg('batch', '500'));
const SECONDS = Number(arg('seconds', '20'));
const PROBES = Number(arg('probes', '60'));
const AFTER = Number(arg('after', '5'));
const KEY = 'demo-gateway-key';

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] : NaN;
};
const row = (name: string, xs: number[], n: number) => `| ${name} | ${pct(xs, 50).toFixed(1)} | ${pct(xs, 99).toFixed(1)} | ${Math.max(...xs).toFixed(1)} | ${xs.length}/${n} |`;

interface Zone {
  properties: { id: string; kind: string; floorId: string };
  geometry: { coordinates: number[][][] };
}

async function main() {
  const webhookAt = new Map<string, number>();
  const escalated = new Map<string, { drift: number; arrival: number }>();
  const hook = await startReceiver((r) => {
    const now = Date.now();
    const b = JSON.parse(r.text) as { type: string; data: { alert: Alert } };
    const a = b.data.alert;
    if (b.type === 'alert.raised' && !webhookAt.has(a.id)) webhookAt.set(a.id, now - a.detectedAt);
    if (b.type === 'alert.escalated' && !escalated.has(a.id)) {
      const step = a.history.find((h) => h.state === 'escalated')!;
      const due = a.detectedAt + AFTER * 1000;
      escalated.set(a.id, { drift: step.at - due, arrival: now - due });
    }
    return 204;
  });
  const ecdh = createECDH('prime256v1');
  const p256dh = ecdh.generateKeys().toString('base64url');
  const auth = randomBytes(16).toString('base64url');
  const pushAt = new Map<string, number>();
  const push = await startReceiver((r) => {
    const now = Date.now();
    const m = JSON.parse(ece.decrypt(r.body, { version: 'aes128gcm', privateKey: ecdh, authSecret: auth }).toString('utf8')) as { alertId: string; change: string; detectedAt: number };
    if (m.change === 'raised' && !pushAt.has(m.alertId)) pushAt.set(m.alertId, now - m.detectedAt);
    return 201;
  });

  const { base, child: server } = await startServerProcess({ GEO_WORKERS: '1' });
  try {
    const login = async (username: string) => ((await (await postJson(`${base}/api/v1/auth/login`, { username, password: `${username}-demo` })).json()) as { token: string }).token;
    const admin = { authorization: `Bearer ${await login('admin')}` };
    const nurse = { authorization: `Bearer ${await login('nurse')}` };
    const [site] = (await (await fetch(`${base}/api/v1/sites`, { headers: admin })).json()) as { id: string; zones: { features: Zone[] } }[];
    const hookId = ((await (await postJson(`${base}/api/v1/webhooks`, { url: hook.url, siteId: site.id, events: ['alert.raised', 'alert.escalated'] }, admin)).json()) as { id: string }).id;
    // the demo nurse is on duty on every ward: their phone gets every new alert
    await postJson(`${base}/api/v1/push/subscriptions`, { endpoint: `${push.url}/nurse-phone`, keys: { p256dh, auth } }, nurse);
    await fetch(`${base}/api/v1/sites/${site.id}/escalation`, { method: 'PUT', headers: { 'content-type': 'application/json', ...admin }, body: JSON.stringify({ steps: [{ afterSeconds: AFTER, to: 'charge_nurse' }] }) });

    const corridors = site.zones.features.filter((z) => z.properties.kind === 'corridor');
    const rand = mulberry32(42);
    const load: LoadTag[] = [];
    for (let i = 0; i < TAGS; i++) {
      const c = corridors[i % corridors.length];
      const r = await postJson(`${base}/api/v1/residents`, { name: `Load ${i}`, siteId: site.id, tagId: `LOAD-${i}` }, admin);
      if (r.status !== 201) throw new Error(`create resident: ${r.status}`);
      load.push({ tagId: `LOAD-${i}`, floorId: c.properties.floorId, ...pointInBox(c.geometry.coordinates[0], rand) });
    }
    const probes: { tagId: string; floorId: string; x: number; y: number }[] = [];
    for (let i = 0; i < PROBES; i++) {
      const c = corridors[i % corridors.length];
      await postJson(`${base}/api/v1/residents`, { name: `Probe ${i}`, siteId: site.id, tagId: `PROBE-${i}` }, admin);
      probes.push({ tagId: `PROBE-${i}`, floorId: c.properties.floorId, ...pointInBox(c.geometry.coordinates[0], rand) });
    }

    console.log(`# alarm chain: ${TAGS} load tags at ${RATE} fixes/s (batches of ${BATCH}) for ${SECONDS} s; ${PROBES} SOS probes; escalation after ${AFTER} s`);
    console.log(`# machine: ${cpus()[0]?.model} x${cpus().length}, ${Math.round(totalmem() / 2 ** 30)} GiB, node ${process.version}`);
    const nextBody = batchMaker(load, BATCH, rand);
    let probeIdx = 0;
    // probes over the first half of the load, so every escalation falls inside it too
    const probeTimer = setInterval(() => {
      if (probeIdx >= probes.length) return;
      const p = probes[probeIdx++];
      void postJson(`${base}/api/v1/positions`, [{ tagId: p.tagId, ts: Date.now(), floorId: p.floorId, x: p.x, y: p.y, event: 'sos' }], { authorization: `Bearer ${KEY}` });
    }, (SECONDS * 500) / PROBES);
    const result = await autocannon({
      url: `${base}/api/v1/positions`,
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${KEY}` },
      connections: Math.max(2, Math.ceil(RATE / BATCH / 10)),
      overallRate: RATE / BATCH,
      duration: SECONDS,
      requests: [{ setupRequest: (req) => ({ ...req, body: nextBody() }) }],
    });
    clearInterval(probeTimer);
    await new Promise((r) => setTimeout(r, 3000 + AFTER * 1000));
    const alerts = (await (await fetch(`${base}/api/v1/alerts?limit=1000`, { headers: admin })).json()) as Alert[];
    const sos = new Map(alerts.filter((a) => a.kind === 'sos').map((a) => [a.id, a]));
    const deliveries = (await (await fetch(`${base}/api/v1/webhooks/${hookId}/deliveries?limit=500`, { headers: admin })).json()) as Array<{ alertId: string; type: string; deliveredAt?: number }>;
    const serverWebhook = deliveries.filter((d) => d.type === 'alert.raised' && d.deliveredAt && sos.has(d.alertId)).map((d) => d.deliveredAt! - sos.get(d.alertId)!.detectedAt);
    const audit = (await (await fetch(`${base}/api/v1/audit?actor=system&limit=1000`, { headers: admin })).json()) as Array<{ action: string; subjectId: string; at: number; detail?: { change?: string } }>;
    const serverPush = audit.filter((e) => e.action === 'push.sent' && e.detail?.change === 'raised' && sos.has(e.subjectId)).map((e) => e.at - sos.get(e.subjectId)!.detectedAt);
    const drift = [...sos.values()].flatMap((a) => a.history.filter((h) => h.state === 'escalated').map((h) => h.at - (a.detectedAt + AFTER * 1000)));
    console.log(`# load: ${result.requests.average * BATCH} fixes/s sustained by HTTP, p99 ${result.latency.p99} ms, non-2xx ${result.non2xx}`);
    console.log('| from the alert detected to | p50 ms | p99 ms | max ms | seen |');
    console.log('|---|---|---|---|---|');
    console.log(row('webhook answered 2xx (server: delivery log `deliveredAt`)', serverWebhook, sos.size));
    console.log(row('Web Push accepted by the push service (server: audit `push.sent`)', serverPush, sos.size));
    console.log(row('escalation step fired after its due time (server: history `at`; drift)', drift, sos.size));
    console.log(row('signed webhook received (`alert.raised`)', [...webhookAt.values()], PROBES));
    console.log(row('Web Push received by the push service', [...pushAt.values()], PROBES));
    console.log(row('`alert.escalated` received, after its due time', [...escalated.values()].map((e) => e.arrival), PROBES));
  } finally {
    server.kill('SIGTERM');
    await hook.close();
    await push.close();
  }
}

await main();
