import mqtt, { type MqttClient } from 'mqtt';
import type { Logger } from 'pino';
import type { Accounts } from '../auth/accounts';
import type { FixIntake } from './intake';
import { MAX_BATCH } from './fix-schema';

/**
 * Locator gateways publishing to an existing broker. A message is `{ "key": <gateway key>,
 * "fixes": [ ... ] }` (or `{key, ...one fix}`); what was rejected is published back on
 * `<topic>/rejected` so a gateway operator can see why. The client reconnects on its own when the
 * broker goes away and resubscribes when it returns.
 */
export function startMqttIngest(
  url: string,
  topic: string,
  clientId: string,
  accounts: Accounts,
  intake: FixIntake,
  log: Logger,
): MqttClient {
  // clean: false + a stable client id: the broker queues QoS 1 messages while this node is down
  const client = mqtt.connect(url, { reconnectPeriod: 1000, connectTimeout: 5000, clean: false, clientId });
  client.on('connect', () => {
    log.info({ url, topic }, 'mqtt ingest connected');
    client.subscribe(topic, { qos: 1 }, (err) => err && log.error({ err }, 'mqtt subscribe failed'));
  });
  client.on('error', (err) => log.warn({ err: err.message }, 'mqtt error'));
  client.on('offline', () => log.warn('mqtt broker offline; reconnecting'));
  client.on('message', (t, payload) => {
    const reply = (msg: object) => client.publish(`${t}/rejected`, JSON.stringify(msg), { qos: 0 });
    let body: unknown;
    try {
      body = JSON.parse(payload.toString('utf8'));
    } catch {
      return reply({ error: 'payload is not JSON' });
    }
    if (!body || typeof body !== 'object') return reply({ error: 'payload must be a JSON object with key and fixes' });
    const { key, fixes, ...single } = body as { key?: unknown; fixes?: unknown };
    const ingestKey = typeof key === 'string' ? accounts.ingestKey(key) : null;
    if (!ingestKey) return reply({ error: 'a valid gateway key is required in "key"' });
    const list = Array.isArray(fixes) ? fixes : [single];
    if (list.length > MAX_BATCH) return reply({ error: `at most ${MAX_BATCH} fixes per message` });
    intake
      .ingest(list, ingestKey, 'mqtt')
      .then((report) => report.rejected.length && reply(report))
      .catch((err) => log.error({ err }, 'mqtt ingest failed'));
  });
  return client;
}
