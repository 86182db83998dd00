// A host service in a process of its own, for the load benchmark: serves the widget directory
// given as argv[2] and prints its URL as the first stdout line. Development mode (no
// registry) until the registry catalog exists; everything else as in production.
import { pino } from 'pino';
import { createHost } from '../../dist/index.js';
import { createHostServer } from '../../dist/server/create-server.js';
import { DirectoryCatalog } from '../../dist/server/widget-catalog.js';

const [dir, workers = '2'] = process.argv.slice(2);
const logger = pino({ level: 'silent' });
const host = createHost({ mode: 'development', workers: Number(workers), logger });
const server = createHostServer({
  host,
  catalog: new DirectoryCatalog(dir),
  logger,
  // The load test is one tenant per connection: per-tenant rate limits would dominate.
  limits: { tenantRatePerSec: 100000, tenantBurst: 100000 },
});
process.stdout.write(`${await server.listen()}\n`);
process.on('SIGTERM', () => void server.close().then(() => host.close()).then(() => process.exit(0)));
