import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { createHost, type HostOptions, type PluginHost } from '../../src/index.js';

export const silentLogger = () => pino({ level: 'silent' });

/** A development-mode host with its own cache folder and no log output. */
export function testHost(opts: HostOptions = {}): PluginHost {
  return createHost({
    mode: 'development',
    workers: 2,
    cacheDir: mkdtempSync(join(tmpdir(), 'sph-cache-')),
    logger: silentLogger(),
    ...opts,
  });
}

/** Runs fn and returns the error it rejects with (fails if it resolves). */
export async function rejection<T = Error & { code: string }>(p: Promise<unknown>): Promise<T> {
  try {
    await p;
  } catch (err) {
    return err as T;
  }
  throw new Error('expected a rejection, got a result');
}
