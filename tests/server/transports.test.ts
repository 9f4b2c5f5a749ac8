import { afterAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { RunningServer } from '../../server/app';
import { login, nextAlert, openSocket, startTiny } from '../helpers/server';

const MQTT_URL = process.env.TEST_MQTT_URL ?? 'mqtt://127.0.0.1:1883';
const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const walk = (tagId: string, t0: number) =>
  Array.from({ length: 10 }, (_, i) => ({ tagId, ts: t0 + i * 1000, floorId: 'f1', x: 18 + i, y: 1.5, accuracy: 0.3 }));

describe('ingest over MQTT from a real Mosquitto broker', () => {
  it('a gateway publishing fixes raises the alert; a message without a valid key is answered on /rejected', async () => {
    const topic = `carewatch-test-${process.pid}/tiny/fixes`;
    const server = await startTiny({ mqttUrl: MQTT_URL, mqttTopic: topic, mqttClientId: `carewatch-test-${process.pid}` });
    servers.push(server);
    const socket = await openSocket(server.url, await login(server.url, 'nurse'));
    const gateway = await mqtt.connectAsync(MQTT_URL);
    await gateway.subscribeAsync(`${topic}/rejected`);
    const rejection = new Promise<string>((resolve) => gateway.on('message', (_t, p) => resolve(p.toString())));
    // the service subscribes asynchronously after it starts
    await new Promise((r) => setTimeout(r, 500));
    await gateway.publishAsync(topic, JSON.stringify({ key: 'stolen', fixes: walk('T1', Date.now() - 60_000) }), { qos: 1 });
    expect(JSON.parse(await rejection)).toEqual({ error: 'a valid gateway key is required in "key"' });
    const got = nextAlert(socket, (a) => a.kind === 'exit_approach');
    await gateway.publishAsync(topic, JSON.stringify({ key: 'demo-gateway-key', fixes: walk('T1', Date.now() - 30_000) }), { qos: 1 });
    expect((await got).residentId).toBe('R1');
    await gateway.endAsync();
    socket.close();
  });
});

describe('multi-node fan-out through a real Redis', () => {
  it('an alert raised on node A reaches a nurse connected to node B', async () => {
    const a = await startTiny({ redisUrl: REDIS_URL });
    const b = await startTiny({ redisUrl: REDIS_URL });
    servers.push(a, b);
    // each node has its own sessions in this release: log in on B, ingest on A
    const onB = await openSocket(b.url, await login(b.url, 'nurse'));
    const got = nextAlert(onB, (x) => x.kind === 'exit_approach');
    const res = await fetch(`${a.url}/api/v1/positions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer demo-gateway-key' },
      body: JSON.stringify(walk('T1', Date.now() - 30_000)),
    });
    expect(res.status).toBe(202);
    const alert = await got;
    expect(alert).toMatchObject({ residentId: 'R1', siteId: 'tiny' });
    onB.close();
  });
});
