// The registry's snapshot-signing public key for a host the CLI starts (run, serve): given
// inline (base64 or PEM) or as a file; not given, a local tool may take the key the registry
// serves, but says so, because production hosts pin it.
import { access, readFile } from 'node:fs/promises';
import { UsageError, type Io } from './output.js';
import { callRegistry } from './registry-http.js';

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

export async function registryKey(url: string, given: string | undefined, io: Io): Promise<string> {
  if (given !== undefined) {
    const t = given.trim();
    const inline = t.startsWith('-----BEGIN') || (/^[A-Za-z0-9+/]+=*$/.test(t) && !(await exists(given)));
    if (inline) return t;
    try {
      return await readFile(given, 'utf8');
    } catch {
      throw new UsageError(`cannot read registry key file ${given}`);
    }
  }
  const r = await callRegistry<{ keys: { publicKey: string; keyid: string }[] }>({ url: url.endsWith('/') ? url : `${url}/`, token: undefined }, 'GET', 'v1/keys');
  const key = r.keys[0];
  if (!key) throw new UsageError(`the registry at ${url} serves no signing key`);
  io.stderr(`warning: trusting the snapshot key the registry serves (keyid ${key.keyid.slice(0, 16)}…); pin it with --registry-key or SUMMIT_REGISTRY_KEY\n`);
  return key.publicKey;
}
