import { createHash } from 'node:crypto';

/** Content address of a component: lowercase hex sha256 of its bytes. */
export function sha256Hex(...parts: (Uint8Array | string)[]): string {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest('hex');
}
