// Hostile and well-behaved WAT fixtures -> components, built at test time (cached by hash).
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { widgetModule } from '../../src/build/wat-widget.js';
import { watToComponent } from './build.js';

const watDir = resolve(dirname(fileURLToPath(import.meta.url)), '../fixtures/wat');

/** A fixture by name (test/fixtures/wat), or a path to a .wat file written the same way. */
export async function fixtureWat(name: string, vars: Record<string, string | number> = {}): Promise<string> {
  let body = await readFile(name.endsWith('.wat') ? name : join(watDir, `${name}.wat`), 'utf8');
  for (const [k, v] of Object.entries(vars)) body = body.replaceAll(`{{${k}}}`, String(v));
  if (/\{\{\w+\}\}/.test(body)) throw new Error(`fixture ${name}: unreplaced placeholder`);
  if (body.startsWith(';; no-prelude')) return `(module\n${body}\n)`;
  return widgetModule(body);
}

export async function fixtureComponent(name: string, vars: Record<string, string | number> = {}): Promise<Uint8Array> {
  return watToComponent(await fixtureWat(name, vars));
}
