import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import mqtt from 'mqtt';
import type { RunningServer } from '../../server/app';
import { login, nextAlert, openSocket, startTiny } from '../helpers/server';

/**
 * The broker and Redis going away and coming back. Each test runs its own private mosquitto or
 * redis-server (the same binaries as the shared services) on a free port, so it can stop them
 * without disturbing anything else.
 */
const children: ChildProcess[] = [];
const servers: RunningServer[] = [];
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  for (const c of children) c.kill('SIGKILL');
});

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    const up = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(true));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (up) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listening on ${port}`);
}

async function run(cmd: string, args: string[], port: number): Promise<ChildProcess> {
  const child = spawn(cmd, args, { stdio: 'ignore' });
  children.push(child);
  await waitForPort(port);
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}

const walk = (tagId: string, t0: number) =>
  Array.from({ length: 10 }, (_, i) => ({ tagId, ts: t0 + i * 1000, floorId: 'f1', x: 18 + i, y: 1.5, accuracy: 0.3 }));
const away = (tagId: string, t0: number) => [{ tagId, ts: t0, floorId: 'f1', x: 20, y: 1.5, accuracy: 0.3 }];

describe('when the MQTT broker goes away and comes back', () => {
  it('the service reconnects, resubscribes and raises alerts from gateway messages again', async () => {
    const port = await freePort();
    const url = `mqtt://127.0.0.1:${port}`;
    let broker = await run('mosquitto', ['-p', String(port)], port);
    const server = await startTiny({ mqttUrl: url, mqttTopic: 'gw/+/fixes', mqttClientId: `carewatch-outage-${process.pid}` });
    servers.push(server);
    const nurse = await openSocket(server.url, await login(server.url, 'nurse'));
    const publish = async (msg: object) => {
      const c = await mqtt.connectAsync(url, { reconnectPeriod: 0 });
      await c.publishAsync('gw/tiny/fixes', JSON.stringify(msg), { qos: 1 });
      await c.endAsync();
    };
    await new Promise((r) => setTimeout(r, 500));
    const first = nextAlert(nurse, (a) => a.kind === 'exit_approach');
    await publish({ key: 'demo-gateway-key', fixes: walk('T1', Date.now() - 100_000) });
    const alert = await first;

    await stop(broker);
    await new Promise((r) => setTimeout(r, 1500));
    broker = await run('mosquitto', ['-p', String(port)], port);
    // the client retries every second; give it time to reconnect and resubscribe
    await new Promise((r) => setTimeout(r, 2500));
    await fetch(`${server.url}/api/v1/alerts/${alert.id}/resolve`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${await login(server.url, 'nurse')}` },
      body: JSON.stringify({ note: 'back in the lounge' }),
    });
    const second = nextAlert(nurse, (a) => a.kind === 'exit_approach' && a.state === 'open' && a.id !== alert.id, 8000);
    await publish({ key: 'demo-gateway-key', fixes: [...away('T1', Date.now() - 60_000), ...walk('T1', Date.now() - 50_000)] });
    expect((await second).residentId).toBe('R1');
    nurse.close();
  });
});

describe('when Redis goes away and comes back', () => {
  it('local sockets keep getting alerts during the outage and cross-node delivery resumes after it', async () => {
    const port = await freePort();
    let redis = await run('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], port);
    const url = `redis://127.0.0.1:${port}`;
    const a = await startTiny({ redisUrl: url });
    const b = await startTiny({ redisUrl: url });
    servers.push(a, b);
    const onA = await openSocket(a.url, await login(a.url, 'manager'));
    const onB = await openSocket(b.url, await login(b.url, 'manager'));
    const post = (fixes: unknown) =>
      fetch(`${a.url}/api/v1/positions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: 'Bearer demo-gateway-key' },
        body: JSON.stringify(fixes),
      });

    await stop(redis);
    const local = nextAlert(onA, (x) => x.kind === 'exit_approach');
    expect((await post(walk('T1', Date.now() - 100_000))).status).toBe(202);
    expect((await local).residentId).toBe('R1');

    redis = await run('redis-server', ['--port', String(port), '--save', '', '--appendonly', 'no', '--bind', '127.0.0.1'], port);
    await new Promise((r) => setTimeout(r, 3000));
    const remote = nextAlert(onB, (x) => x.kind === 'forbidden_zone', 8000);
    const t0 = Date.now() - 40_000;
    expect((await post([0, 1, 2, 3, 4, 5].map((i) => ({ tagId: 'T1', ts: t0 + i * 1000, floorId: 'f1', x: 13, y: 1 + i * 1.5 })))).status).toBe(202);
    expect((await remote).zoneId).toBe('kitchen');
    onA.close();
    onB.close();
  });
});
