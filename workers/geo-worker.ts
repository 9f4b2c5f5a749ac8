/**
 * Worker entry: owns one partition of tags. Messages carry ids and typed arrays only; all rules
 * live in geo/.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { Partition } from '../geo/partition';
import type { ToWorker, FromWorker, GeoWorkerInit } from './protocol';

const init = workerData as GeoWorkerInit;
const partition = new Partition(init.world, init.floorIds, undefined, () => performance.now());
for (const t of init.tags) partition.addTag(t.idx, t.tagId, t.residentId);

const port = parentPort!;
port.on('message', (msg: ToWorker) => {
  let reply: FromWorker;
  switch (msg.type) {
    case 'fixes':
      reply = { type: 'result', seq: msg.seq, result: partition.processBatch(msg.data, msg.accel) };
      break;
    case 'tick':
      reply = { type: 'result', seq: msg.seq, result: partition.tick(msg.now) };
      break;
    case 'tag':
      partition.addTag(msg.idx, msg.tagId, msg.residentId, msg.resident);
      return;
    case 'world':
      partition.setWorld(msg.world, msg.floorIds);
      return;
  }
  port.postMessage(reply);
});
