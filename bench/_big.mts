import { pino } from 'pino';
import { mkdtempSync } from 'node:fs'; import { tmpdir } from 'node:os'; import { join } from 'node:path';
import { createHost } from '../dist/index.js';
import { fixtureComponent } from '../test/support/fixtures.js';
const host = createHost({ mode: 'development', workers: 2, cacheDir: mkdtempSync(join(tmpdir(), 'pb-')), logger: pino({ level: 'silent' }) });
for (const [name, vars] of [['big-output', {}], ['trap', {}]] as const) {
  const p = await host.load(await fixtureComponent(name, vars), { id: 'p/' + name });
  const ms: number[] = []; let code = '', cpu = 0;
  for (let i = 0; i < 40; i++) { const t = performance.now(); await host.render(p, '{}', { tenant: 'h' }).catch((e) => { code = e.code; cpu = e.usage.cpuMs; }); ms.push(performance.now() - t); }
  ms.sort((a, b) => a - b); console.log(name, code, 'p50', ms[20]!.toFixed(2), 'cpuMs', cpu);
}
await host.close();
