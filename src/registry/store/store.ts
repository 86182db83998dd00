// The registry's storage, behind one small asynchronous interface: the SQLite store (embedded,
// the default) implements it today, and a PostgreSQL store for fleets can implement the same
// methods. Every mutating method is one transaction that also bumps the snapshot version where
// revocations change and appends the audit entry, so an acknowledged action is never half done.
import type { AuditEntry, ChainHead } from '../audit-chain.js';

export type LifecycleStatus = 'active' | 'maintenance' | 'deprecated' | 'end-of-support';
export const LIFECYCLE_STATUSES: readonly LifecycleStatus[] = Object.freeze(['active', 'maintenance', 'deprecated', 'end-of-support']);

export interface PluginRecord {
  id: string;
  version: string;
  /** sha256 of the component bytes, lowercase hex. */
  digest: string;
  /** The id prefix (`publisher` of `publisher/name`). */
  publisher: string;
  manifest: Record<string, unknown>;
  status: LifecycleStatus;
  sizeBytes: number;
  publishedAt: string;
  publishedBy: string;
}

export interface NewPluginVersion {
  id: string;
  version: string;
  digest: string;
  publisher: string;
  manifest: Record<string, unknown>;
  bytes: Uint8Array;
}

export interface Revocation {
  id: string;
  /** A version, or `*` for every version. */
  version: string;
  /** When set, only the component with this sha256 (and any component with it, under any name). */
  digest?: string;
  reason: string;
  revokedAt: string;
  revokedBy: string;
}

export interface RevocationInput {
  id: string;
  version: string;
  digest?: string;
  reason: string;
}

export interface RestoreInput {
  id: string;
  /** Omitted: every revocation of the id. */
  version?: string;
  reason?: string;
}

export interface RevocationState {
  /** Monotonic: bumped by every committed change to the revocation list, never reused. */
  version: number;
  revoked: Revocation[];
}

export interface MutationResult {
  snapshotVersion: number;
  audit: AuditEntry;
}

export interface RegistryStore {
  /** `sqlite (better-sqlite3)`, `sqlite (node:sqlite)`, `postgres`, ... */
  readonly kind: string;
  readonly schemaVersion: number;

  /** Creates the version, or returns the stored one when the digest is the same (idempotent). */
  publish(p: NewPluginVersion, actor: string): Promise<{ plugin: PluginRecord; created: boolean; audit?: AuditEntry }>;
  getPlugin(id: string, version: string): Promise<PluginRecord | undefined>;
  listPlugins(filter?: { id?: string; publisher?: string }): Promise<PluginRecord[]>;
  getComponent(id: string, version: string): Promise<Uint8Array | undefined>;
  setStatus(id: string, version: string, status: LifecycleStatus, reason: string | undefined, actor: string): Promise<{ plugin: PluginRecord; audit: AuditEntry }>;

  revoke(r: RevocationInput, actor: string): Promise<MutationResult & { revocation: Revocation }>;
  /** Throws NotFoundError when nothing matched. */
  restore(r: RestoreInput, actor: string): Promise<MutationResult & { removed: Revocation[] }>;
  revocations(): Promise<RevocationState>;

  /** Entries with seq > afterSeq, oldest first. */
  auditEntries(afterSeq: number, limit: number): Promise<AuditEntry[]>;
  auditHead(): Promise<ChainHead>;

  close(): Promise<void>;
}
