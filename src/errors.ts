// Every failure the host reports is one of these classes, each with a stable SPH_ERR_* code.
// Callers match on `code` (never on messages). The README's error table lists the same codes;
// test/unit/errors.test.ts fails when the two drift. Retired codes are never reused.

const BRAND = Symbol.for('summit.plugin-host.error');

export type ErrorDetails = Record<string, unknown>;

export class SphError extends Error {
  readonly code: string = 'SPH_ERR_UNKNOWN';
  readonly details: ErrorDetails;

  constructor(message: string, details: ErrorDetails = {}, options?: { cause?: unknown }) {
    super(message, options);
    this.details = details;
  }

  override get name(): string {
    return this.constructor.name;
  }

  /** True for any SphError, even one created by another copy of this package. */
  static isSphError(value: unknown): value is SphError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  toJSON(): { code: string; message: string; details?: ErrorDetails } {
    return Object.keys(this.details).length > 0
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}
Object.defineProperty(SphError.prototype, BRAND, { value: true });

export class InvalidComponentError extends SphError {
  override readonly code = 'SPH_ERR_INVALID_COMPONENT';
}

export class InvalidManifestError extends SphError {
  override readonly code = 'SPH_ERR_INVALID_MANIFEST';
}

export class ImportDeniedError extends SphError {
  override readonly code = 'SPH_ERR_IMPORT_DENIED';
}

export class FuelExhaustedError extends SphError {
  override readonly code = 'SPH_ERR_FUEL_EXHAUSTED';
}

export class MemoryLimitError extends SphError {
  override readonly code = 'SPH_ERR_MEMORY_LIMIT';
}

export class WallTimeoutError extends SphError {
  override readonly code = 'SPH_ERR_WALL_TIMEOUT';
}

export class PluginTrapError extends SphError {
  override readonly code = 'SPH_ERR_PLUGIN_TRAP';
}

export class PluginError extends SphError {
  override readonly code = 'SPH_ERR_PLUGIN_ERROR';
}

export class OutputLimitError extends SphError {
  override readonly code = 'SPH_ERR_OUTPUT_LIMIT';
}

export class EgressDeniedError extends SphError {
  override readonly code = 'SPH_ERR_EGRESS_DENIED';
}

export class RevokedError extends SphError {
  override readonly code = 'SPH_ERR_REVOKED';
}

export class RegistryUnavailableError extends SphError {
  override readonly code = 'SPH_ERR_REGISTRY_UNAVAILABLE';
}

export class InvalidArgError extends SphError {
  override readonly code = 'SPH_ERR_INVALID_ARG';
}

/** The host itself failed (a bug or a broken environment), not the plug-in or the caller. */
export class InternalError extends SphError {
  override readonly code = 'SPH_ERR_INTERNAL';
}

// Registry service (src/registry/server): HTTP-facing failures of its clients.

/** No token, or a token that does not verify (signature, issuer, audience, expiry). HTTP 401. */
export class UnauthorizedError extends SphError {
  override readonly code = 'SPH_ERR_UNAUTHORIZED';
}

/** A valid token without the role (or id prefix) the action needs. HTTP 403. */
export class ForbiddenError extends SphError {
  override readonly code = 'SPH_ERR_FORBIDDEN';
}

/** The plug-in, version or revocation named does not exist. HTTP 404. */
export class NotFoundError extends SphError {
  override readonly code = 'SPH_ERR_NOT_FOUND';
}

/** The request contradicts stored state (a published version with another digest). HTTP 409. */
export class ConflictError extends SphError {
  override readonly code = 'SPH_ERR_CONFLICT';
}

/** A request body or component over the configured size. HTTP 413. */
export class PayloadTooLargeError extends SphError {
  override readonly code = 'SPH_ERR_PAYLOAD_TOO_LARGE';
}

/** The registry's hash-chained audit log does not verify (an entry changed, went missing or was reordered). */
export class AuditChainBrokenError extends SphError {
  override readonly code = 'SPH_ERR_AUDIT_CHAIN_BROKEN';
}

/**
 * An allowed request could not be completed through the mesh proxy: the proxy is unreachable,
 * refused the tunnel, or the request timed out or failed in transit. Recorded in the usage
 * record and the log; the guest sees the matching wasi:http error code.
 */
export class EgressUnavailableError extends SphError {
  override readonly code = 'SPH_ERR_EGRESS_UNAVAILABLE';
}

/** A widget project did not build (bundle or componentize); details carry source locations. */
export class BuildFailedError extends SphError {
  override readonly code = 'SPH_ERR_BUILD_FAILED';
}

/** `summit-plugin check` found the plug-in not conformant; details list every failed check. */
export class CheckFailedError extends SphError {
  override readonly code = 'SPH_ERR_CHECK_FAILED';
}

// Host service (src/server): refusals that protect tenants and widgets from each other.

/** A tenant is over its render rate or its renders in flight: retry after details.retryAfterMs. */
export class RateLimitedError extends SphError {
  override readonly code = 'SPH_ERR_RATE_LIMITED';
}

/** The host is shedding load (too many renders waiting for a worker): retry later. */
export class OverloadedError extends SphError {
  override readonly code = 'SPH_ERR_OVERLOADED';
}

/** The widget is suspended after running into its caps again and again: retry later. */
export class CircuitOpenError extends SphError {
  override readonly code = 'SPH_ERR_CIRCUIT_OPEN';
}

export const errorClasses = {
  SPH_ERR_INVALID_COMPONENT: InvalidComponentError,
  SPH_ERR_INVALID_MANIFEST: InvalidManifestError,
  SPH_ERR_IMPORT_DENIED: ImportDeniedError,
  SPH_ERR_FUEL_EXHAUSTED: FuelExhaustedError,
  SPH_ERR_MEMORY_LIMIT: MemoryLimitError,
  SPH_ERR_WALL_TIMEOUT: WallTimeoutError,
  SPH_ERR_PLUGIN_TRAP: PluginTrapError,
  SPH_ERR_PLUGIN_ERROR: PluginError,
  SPH_ERR_OUTPUT_LIMIT: OutputLimitError,
  SPH_ERR_EGRESS_DENIED: EgressDeniedError,
  SPH_ERR_REVOKED: RevokedError,
  SPH_ERR_REGISTRY_UNAVAILABLE: RegistryUnavailableError,
  SPH_ERR_INVALID_ARG: InvalidArgError,
  SPH_ERR_INTERNAL: InternalError,
  SPH_ERR_UNAUTHORIZED: UnauthorizedError,
  SPH_ERR_FORBIDDEN: ForbiddenError,
  SPH_ERR_NOT_FOUND: NotFoundError,
  SPH_ERR_CONFLICT: ConflictError,
  SPH_ERR_PAYLOAD_TOO_LARGE: PayloadTooLargeError,
  SPH_ERR_AUDIT_CHAIN_BROKEN: AuditChainBrokenError,
  SPH_ERR_EGRESS_UNAVAILABLE: EgressUnavailableError,
  SPH_ERR_BUILD_FAILED: BuildFailedError,
  SPH_ERR_CHECK_FAILED: CheckFailedError,
  SPH_ERR_RATE_LIMITED: RateLimitedError,
  SPH_ERR_OVERLOADED: OverloadedError,
  SPH_ERR_CIRCUIT_OPEN: CircuitOpenError,
} as const;

export type ErrorCode = keyof typeof errorClasses;
export const errorCodes = Object.freeze(Object.keys(errorClasses) as ErrorCode[]);

/** The plain shape errors take across a thread or process boundary. */
export interface SerializedError {
  code: string;
  message: string;
  details?: ErrorDetails;
}

export function serializeError(err: unknown): SerializedError {
  if (SphError.isSphError(err)) return err.toJSON();
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'SPH_ERR_INTERNAL', message };
}

/** Rebuilds a typed error from its serialized form (worker -> host, JSON -> client). */
export function deserializeError(data: SerializedError): SphError {
  const Cls = (errorClasses as Record<string, typeof SphError>)[data.code] ?? InternalError;
  return new Cls(data.message, data.details ?? {});
}
