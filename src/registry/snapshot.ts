// The kill-switch snapshot: what the registry signs and every host verifies.
//
//   { version, issuedAt, expiresAt, revoked: [{ id, version | "*", digest?, reason }] }
//
// It travels in a DSSE envelope (the in-toto signing envelope: the payload is signed as exact
// bytes, so no JSON canonicalization is needed to verify it) signed with Ed25519 (node:crypto).
// `version` goes up with every change of the list; the registry re-signs the same version
// with a new issuedAt/expiresAt on a heartbeat, which is how hosts know it is still current.
import { createHash, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { InvalidArgError, RegistryUnavailableError } from '../errors.js';

export const SNAPSHOT_PAYLOAD_TYPE = 'application/vnd.summit.revocations+json; version=1';

export interface RevokedEntry {
  id: string;
  /** A version or `*`. */
  version: string;
  digest?: string;
  reason: string;
}

export interface Snapshot {
  version: number;
  issuedAt: string;
  expiresAt: string;
  revoked: RevokedEntry[];
}

export interface SignedEnvelope {
  payloadType: string;
  /** base64 of the snapshot's JSON bytes. */
  payload: string;
  signatures: { keyid: string; sig: string }[];
}

/** Why a snapshot was refused (also `details.reason` of the RegistryUnavailableError). */
export type RejectReason = 'malformed' | 'unknown-key' | 'bad-signature' | 'expired' | 'rollback' | 'equivocation';

export class SnapshotRejection extends RegistryUnavailableError {
  constructor(
    readonly reason: RejectReason,
    message: string,
    details: Record<string, unknown> = {},
  ) {
    super(message, { reason, ...details });
  }
}

// DSSE pre-authentication encoding: binds the payload type into what is signed.
function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

// SubjectPublicKeyInfo prefix of an Ed25519 key (RFC 8410): the raw 32 bytes follow it.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** Key id: sha256 of the public key's DER SubjectPublicKeyInfo, hex. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

/** The raw 32-byte public key, base64: the short form to put in SUMMIT_REGISTRY_KEY. */
export function publicKeyBase64(publicKey: KeyObject): string {
  return publicKey.export({ type: 'spki', format: 'der' }).subarray(ED25519_SPKI_PREFIX.length).toString('base64');
}

/** Accepts a PEM public key, base64 of the raw 32 bytes, or base64 of the DER SPKI. */
export function parsePublicKey(text: string | KeyObject, where = 'registry public key'): KeyObject {
  let key: KeyObject;
  if (typeof text !== 'string') key = text;
  else {
    const t = text.trim();
    try {
      if (t.startsWith('-----BEGIN')) key = createPublicKey(t);
      else {
        const der = Buffer.from(t, 'base64');
        key = createPublicKey({ key: der.length === 32 ? Buffer.concat([ED25519_SPKI_PREFIX, der]) : der, format: 'der', type: 'spki' });
      }
    } catch (err) {
      throw new InvalidArgError(`${where}: not a PEM or base64 Ed25519 public key (${(err as Error).message})`);
    }
  }
  if (key.type === 'private') key = createPublicKey(key);
  if (key.asymmetricKeyType !== 'ed25519') throw new InvalidArgError(`${where}: expected an Ed25519 key, got ${key.asymmetricKeyType ?? key.type}`);
  return key;
}

export function signSnapshot(snapshot: Snapshot, privateKey: KeyObject): SignedEnvelope {
  const payload = Buffer.from(JSON.stringify(snapshot), 'utf8');
  const sig = sign(null, pae(SNAPSHOT_PAYLOAD_TYPE, payload), privateKey);
  return {
    payloadType: SNAPSHOT_PAYLOAD_TYPE,
    payload: payload.toString('base64'),
    signatures: [{ keyid: keyIdOf(createPublicKey(privateKey)), sig: sig.toString('base64') }],
  };
}

export interface TrustedKey {
  keyid: string;
  key: KeyObject;
}

export function trustedKeys(keys: readonly (string | KeyObject)[]): TrustedKey[] {
  return keys.map((k, i) => {
    const key = parsePublicKey(k, `registry public key ${i + 1}`);
    return { keyid: keyIdOf(key), key };
  });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const DIGEST = /^[0-9a-f]{64}$/;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Checks the envelope's signature against the trusted keys, then the payload's shape and
 * expiry. Rollback and freshness need the host's previous state (see kill-switch.ts).
 */
export function verifySnapshot(envelope: unknown, trusted: readonly TrustedKey[], opts: { nowMs?: number; ignoreExpiry?: boolean } = {}): Snapshot {
  const nowMs = opts.nowMs ?? Date.now();
  const bad = (why: string) => new SnapshotRejection('malformed', `the registry sent a malformed snapshot: ${why}`);
  if (!isObject(envelope)) throw bad('expected a JSON object');
  if (envelope.payloadType !== SNAPSHOT_PAYLOAD_TYPE) throw bad(`payloadType is not ${SNAPSHOT_PAYLOAD_TYPE}`);
  if (typeof envelope.payload !== 'string' || !BASE64.test(envelope.payload)) throw bad('payload is not base64');
  if (!Array.isArray(envelope.signatures) || envelope.signatures.length === 0) throw bad('no signatures');
  const payload = Buffer.from(envelope.payload, 'base64');
  const message = pae(SNAPSHOT_PAYLOAD_TYPE, payload);
  let known = false;
  let valid = false;
  for (const s of envelope.signatures as unknown[]) {
    if (!isObject(s) || typeof s.keyid !== 'string' || typeof s.sig !== 'string') continue;
    const key = trusted.find((k) => k.keyid === s.keyid);
    if (!key) continue;
    known = true;
    if (verify(null, message, key.key, Buffer.from(s.sig, 'base64'))) {
      valid = true;
      break;
    }
  }
  if (!known) throw new SnapshotRejection('unknown-key', 'the snapshot is not signed by a trusted registry key: check the registry public key this host pins');
  if (!valid) throw new SnapshotRejection('bad-signature', 'the snapshot signature does not verify: it was altered in transit or not made by the registry');

  let data: unknown;
  try {
    data = JSON.parse(payload.toString('utf8'));
  } catch {
    throw bad('payload is not JSON');
  }
  const snap = parseSnapshot(data, bad);
  if (!opts.ignoreExpiry && Date.parse(snap.expiresAt) <= nowMs) {
    throw new SnapshotRejection('expired', `the snapshot (version ${snap.version}) expired at ${snap.expiresAt}: the registry is not re-signing it, or this host's clock is wrong`, {
      version: snap.version,
      expiresAt: snap.expiresAt,
    });
  }
  return snap;
}

function parseSnapshot(d: unknown, bad: (why: string) => Error): Snapshot {
  if (!isObject(d)) throw bad('expected an object');
  if (!Number.isSafeInteger(d.version) || (d.version as number) < 0) throw bad('version must be a non-negative integer');
  for (const k of ['issuedAt', 'expiresAt'] as const) {
    if (typeof d[k] !== 'string' || Number.isNaN(Date.parse(d[k] as string))) throw bad(`${k} must be an ISO 8601 time`);
  }
  if (Date.parse(d.expiresAt as string) <= Date.parse(d.issuedAt as string)) throw bad('expiresAt is not after issuedAt');
  if (!Array.isArray(d.revoked)) throw bad('revoked must be an array');
  const revoked: RevokedEntry[] = d.revoked.map((r: unknown, i: number) => {
    if (!isObject(r) || typeof r.id !== 'string' || r.id === '' || typeof r.version !== 'string' || r.version === '' || typeof r.reason !== 'string') {
      throw bad(`revoked[${i}] needs id, version and reason strings`);
    }
    if (r.digest !== undefined && (typeof r.digest !== 'string' || !DIGEST.test(r.digest))) throw bad(`revoked[${i}].digest must be a sha256 hex digest`);
    const e: RevokedEntry = { id: r.id, version: r.version, reason: r.reason };
    if (r.digest !== undefined) e.digest = r.digest as string;
    return e;
  });
  return { version: d.version as number, issuedAt: d.issuedAt as string, expiresAt: d.expiresAt as string, revoked };
}

/** Decodes the payload without verifying (for diagnostics only). */
export function peekSnapshot(envelope: SignedEnvelope): unknown {
  return JSON.parse(Buffer.from(envelope.payload, 'base64').toString('utf8'));
}

export function sameRevocations(a: readonly RevokedEntry[], b: readonly RevokedEntry[]): boolean {
  if (a.length !== b.length) return false;
  const key = (e: RevokedEntry) => `${e.id}\0${e.version}\0${e.digest ?? ''}\0${e.reason}`;
  const set = new Set(a.map(key));
  return b.every((e) => set.has(key(e)));
}

/** The entry of `list` that revokes this plug-in, if any (same rules as the host's check). */
export function findRevocation(list: readonly RevokedEntry[], id: string, version: string | undefined, digest: string | undefined): RevokedEntry | undefined {
  return list.find((e) => (e.digest ? e.digest === digest : e.id === id && (e.version === '*' || version === undefined || e.version === version)));
}
