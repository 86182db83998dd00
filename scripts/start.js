#!/usr/bin/env node
// `npm start`: the whole product on this machine (see src/server/demo/start-demo.ts): a dev
// registry, the sample widgets built and published, the host and its render API, and the demo
// page with its admin panel. Prints the URL; Ctrl-C stops everything.
//
// Environment: PORT (default 4870; another free port if taken), SUMMIT_DATA_DIR (default
// ./data), SUMMIT_EGRESS_PROXY (the mesh proxy widgets' HTTP goes through; default none),
// LOG_LEVEL (default warn).
import { resolve } from 'node:path';
import { createDefaultLogger } from '../dist/host/logger.js';
import { startDemo } from '../dist/server/demo/start-demo.js';

const t0 = performance.now();
const say = (line) => process.stdout.write(`${line}\n`);
const demo = await startDemo({
  dataDir: resolve(process.env.SUMMIT_DATA_DIR || 'data'),
  samplesDir: new URL('../sample-plugins/', import.meta.url).pathname,
  port: Number(process.env.PORT ?? 4870),
  egressProxyUrl: process.env.SUMMIT_EGRESS_PROXY || undefined,
  logger: createDefaultLogger(process.env.LOG_LEVEL || 'warn'),
  say,
});
say('');
say(`Summit Plugin Host demo: ${demo.url}/   (up in ${((performance.now() - t0) / 1000).toFixed(1)} s)`);
say(`  render API   POST ${demo.url}/v1/widgets/{id}/render   metrics ${demo.url}/metrics`);
say(`  registry     ${demo.registryUrl}   admin token in ${demo.adminTokenFile}`);
say('Ctrl-C stops it.');

let closing = false;
const stop = async () => {
  if (closing) process.exit(130);
  closing = true;
  await demo.close();
  process.exit(0);
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
