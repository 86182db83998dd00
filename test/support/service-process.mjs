// A host service in a process of its own, for the load test and benchmark: serves the widget
// directory given as argv[2] with argv[3] workers and prints its URL as the first stdout line.
// Development mode (no registry); everything else as in production. The load generator is
// one tenant: the per-tenant rate limits are raised so they do not dominate. On the IPC
// message "gc" it collects garbage (started with --expose-gc) and answers with its memory.
import { pino } from 'pino';
import { createHost } from '../../dist/index.js';
import { createHostServer } from '../../dist/server/create-server.js';
import { DirectoryCatalog } from '../../dist/server/widget-catalog.js';

const [dir, workers = '2'] = process.argv.slice(2);
const logger = pino({ level: 'silent' });
// SUMMIT_SESSION_IDLE_MS: the load test lets idle session instances go within its settle time.
const sessionIdleMs = process.env.SUMMIT_SESSION_IDLE_MS ? Number(process.env.SUMMIT_SESSION_IDLE_MS) : undefined;
const host = createHost({ mode: 'development', workers: Number(workers), logger, ...(sessionIdleMs ? { sessionIdleMs } : {}) });
const server = createHostServer({
  host,
  catalog: new DirectoryCatalog(dir),
  logger,
  limits: { tenantRatePerSec: 100000, tenantBurst: 100000, tenantConcurrency: 64 },
});
process.stdout.write(`${await server.listen()}\n`);
process.on('message', (m) => {
  if (m !== 'gc') return;
  globalThis.gc?.();
  process.send?.({ memory: process.memoryUsage(), stats: host.stats });
});
process.on('SIGTERM', () => void server.close().then(() => host.close()).then(() => process.exit(0)));
