import { startServer } from './app';

const server = await startServer();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    server.log.info({ signal }, 'shutting down');
    void server.close().then(() => process.exit(0));
  });
}
