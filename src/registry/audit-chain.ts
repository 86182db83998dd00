// The registry's audit log is a hash chain: every entry carries the hash of the entry before it,
// and its own hash covers all its fields. Changing, removing or reordering any entry breaks
// every hash after it, which `summit-plugin registry audit verify` reports.
import { createHash } from 'node:crypto';
import { AuditChainBrokenError } from '../errors.js';
import { canonicalJson } from './canonical-json.js';

export const GENESIS_HASH = '0'.repeat(64);
const DOMAIN = 'summit-registry-audit-v1\n';

export type AuditAction = 'publish' | 'revoke' | 'restore' | 'set-status';

export interface AuditEntry {
  /** 1, 2, 3, ... without gaps. */
  seq: number;
  /** ISO 8601 time the action committed. */
  at: string;
  /** Token subject of who did it. */
  actor: string;
  action: AuditAction;
  /** What it was done to: `id@version` or `id@*`. */
  subject: string;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
}

export type UnhashedEntry = Omit<AuditEntry, 'hash'>;

export function hashEntry(e: UnhashedEntry): string {
  const body = canonicalJson({ seq: e.seq, at: e.at, actor: e.actor, action: e.action, subject: e.subject, details: e.details, prevHash: e.prevHash });
  return createHash('sha256').update(DOMAIN).update(body).digest('hex');
}

export interface ChainHead {
  seq: number;
  hash: string;
}

/** Incremental verifier, so a long log can be checked page by page without holding it all. */
export class ChainVerifier {
  #head: ChainHead = { seq: 0, hash: GENESIS_HASH };

  get head(): ChainHead {
    return { ...this.#head };
  }

  push(e: AuditEntry): void {
    const expectedSeq = this.#head.seq + 1;
    if (e.seq !== expectedSeq) {
      throw new AuditChainBrokenError(
        `audit entry ${expectedSeq} is missing (next stored entry is ${e.seq}): the log was truncated or edited; restore the database from a backup`,
        { seq: expectedSeq, found: e.seq, reason: 'gap' },
      );
    }
    if (e.prevHash !== this.#head.hash) {
      throw new AuditChainBrokenError(`audit entry ${e.seq} does not link to entry ${e.seq - 1} (prevHash differs): an entry before it was changed or replaced`, {
        seq: e.seq,
        reason: 'link',
      });
    }
    const hash = hashEntry(e);
    if (hash !== e.hash) {
      throw new AuditChainBrokenError(`audit entry ${e.seq} was changed after it was written (its hash does not match its content)`, { seq: e.seq, reason: 'hash' });
    }
    this.#head = { seq: e.seq, hash };
  }
}

export function verifyChain(entries: Iterable<AuditEntry>): ChainHead {
  const v = new ChainVerifier();
  for (const e of entries) v.push(e);
  return v.head;
}
