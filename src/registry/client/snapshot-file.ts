// The last good snapshot on disk: the rollback floor across restarts (a host that restarts
// never accepts an older list than it had). Written to a temporary file and renamed, so a
// crash mid-write leaves the previous copy.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SignedEnvelope } from '../snapshot.js';

interface FileShape {
  format: 1;
  url: string;
  savedAt: string;
  envelope: SignedEnvelope;
}

export async function readSnapshotFile(path: string): Promise<{ url: string; envelope: unknown } | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  const data = JSON.parse(text) as Partial<FileShape>;
  if (data.format !== 1 || typeof data.url !== 'string' || typeof data.envelope !== 'object') throw new Error('unrecognized snapshot file');
  return { url: data.url, envelope: data.envelope };
}

export async function writeSnapshotFile(path: string, url: string, envelope: SignedEnvelope): Promise<void> {
  const body: FileShape = { format: 1, url, savedAt: new Date().toISOString(), envelope };
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(tmp, `${JSON.stringify(body)}\n`, { mode: 0o600 });
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true }).catch(() => {});
    throw err;
  }
}
