import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parsePublicKey, publicKeyBase64, signSnapshot, trustedKeys, verifySnapshot, type Snapshot } from '../../../src/registry/snapshot.js';

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const trusted = trustedKeys([publicKey]);

function snap(over: Partial<Snapshot> = {}): Snapshot {
  const now = Date.now();
  return {
    version: 3,
    issuedAt: new Date(now).toISOString(),
    expiresAt: new Date(now + 60_000).toISOString(),
    revoked: [{ id: 'acme/bad', version: '*', reason: 'leaks' }],
    ...over,
  };
}

const reasonOf = (fn: () => unknown) => {
  try {
    fn();
  } catch (err) {
    return { code: (err as { code: string }).code, reason: (err as { details: { reason: string } }).details.reason };
  }
  throw new Error('expected a rejection');
};

describe('kill-switch snapshot signing', () => {
  it('verifies what the registry signed', () => {
    const s = snap();
    expect(verifySnapshot(signSnapshot(s, privateKey), trusted)).toEqual(s);
  });

  it('refuses a payload changed after signing', () => {
    const env = signSnapshot(snap(), privateKey);
    const forged = { ...snap(), revoked: [] };
    const tampered = { ...env, payload: Buffer.from(JSON.stringify(forged)).toString('base64') };
    expect(reasonOf(() => verifySnapshot(tampered, trusted))).toEqual({ code: 'SPH_ERR_REGISTRY_UNAVAILABLE', reason: 'bad-signature' });
  });

  it('refuses a signature that was altered', () => {
    const env = signSnapshot(snap(), privateKey);
    const sig = Buffer.from(env.signatures[0]!.sig, 'base64');
    sig[0] = sig[0]! ^ 1;
    expect(reasonOf(() => verifySnapshot({ ...env, signatures: [{ ...env.signatures[0]!, sig: sig.toString('base64') }] }, trusted)).reason).toBe('bad-signature');
  });

  it('refuses a snapshot signed by another key, even if it claims the trusted key id', () => {
    const env = signSnapshot(snap(), other.privateKey);
    expect(reasonOf(() => verifySnapshot(env, trusted)).reason).toBe('unknown-key');
    const claimed = { ...env, signatures: [{ keyid: trusted[0]!.keyid, sig: env.signatures[0]!.sig }] };
    expect(reasonOf(() => verifySnapshot(claimed, trusted)).reason).toBe('bad-signature');
  });

  it('refuses an expired snapshot', () => {
    const env = signSnapshot(snap({ issuedAt: new Date(Date.now() - 120_000).toISOString(), expiresAt: new Date(Date.now() - 1000).toISOString() }), privateKey);
    expect(reasonOf(() => verifySnapshot(env, trusted)).reason).toBe('expired');
    expect(verifySnapshot(env, trusted, { ignoreExpiry: true }).version).toBe(3);
  });

  it('refuses a payload type it does not know (no cross-protocol reuse of a signature)', () => {
    const env = signSnapshot(snap(), privateKey);
    expect(reasonOf(() => verifySnapshot({ ...env, payloadType: 'application/json' }, trusted)).reason).toBe('malformed');
  });

  it.each([
    ['not an object', 'nope'],
    ['no signatures', { payloadType: 'application/vnd.summit.revocations+json; version=1', payload: '', signatures: [] }],
  ])('refuses a malformed envelope: %s', (_name, env) => {
    expect(reasonOf(() => verifySnapshot(env, trusted)).reason).toBe('malformed');
  });

  it.each([
    ['negative version', { version: -1 }],
    ['bad time', { issuedAt: 'yesterday' }],
    ['expiry before issue', { expiresAt: new Date(Date.now() - 10 * 60_000).toISOString() }],
    ['bad digest', { revoked: [{ id: 'a/b', version: '*', digest: 'xyz', reason: 'r' }] }],
    ['entry without reason', { revoked: [{ id: 'a/b', version: '*' }] as never }],
  ])('refuses a signed payload of the wrong shape: %s', (_name, over) => {
    const env = signSnapshot(snap(over as Partial<Snapshot>), privateKey);
    expect(reasonOf(() => verifySnapshot(env, trusted)).reason).toBe('malformed');
  });

  it('takes the public key as PEM, raw base64 or SPKI base64, and only Ed25519', () => {
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const spki = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    for (const form of [pem, publicKeyBase64(publicKey), spki]) expect(parsePublicKey(form).equals(publicKey)).toBe(true);
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey;
    expect(() => parsePublicKey(rsa.export({ type: 'spki', format: 'pem' }).toString())).toThrow(/Ed25519/);
    expect(() => parsePublicKey('not a key')).toThrow(/SPH_ERR_INVALID_ARG|not a PEM/);
  });
});
