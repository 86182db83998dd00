// HTTP status for every error code the render API can answer with. The body always carries the
// SPH_ERR_* code: clients match on the code, the status only tells proxies and dashboards what
// kind of failure it was (the caller's, the widget's, or ours).
import type { ErrorCode } from '../errors.js';

export const STATUS_BY_CODE: Readonly<Record<ErrorCode, number>> = Object.freeze({
  // The caller's request.
  SPH_ERR_INVALID_ARG: 400,
  SPH_ERR_UNAUTHORIZED: 401,
  SPH_ERR_FORBIDDEN: 403,
  SPH_ERR_NOT_FOUND: 404,
  SPH_ERR_CONFLICT: 409,
  SPH_ERR_PAYLOAD_TOO_LARGE: 413,
  SPH_ERR_RATE_LIMITED: 429,
  // Refused by policy: the registry's kill switch.
  SPH_ERR_REVOKED: 403,
  // The widget failed or misbehaved: an upstream failure from the caller's point of view.
  SPH_ERR_INVALID_COMPONENT: 502,
  SPH_ERR_INVALID_MANIFEST: 502,
  SPH_ERR_IMPORT_DENIED: 502,
  SPH_ERR_FUEL_EXHAUSTED: 502,
  SPH_ERR_MEMORY_LIMIT: 502,
  SPH_ERR_PLUGIN_TRAP: 502,
  SPH_ERR_PLUGIN_ERROR: 502,
  SPH_ERR_OUTPUT_LIMIT: 502,
  SPH_ERR_EGRESS_DENIED: 502,
  SPH_ERR_EGRESS_UNAVAILABLE: 502,
  SPH_ERR_WALL_TIMEOUT: 504,
  // We cannot serve right now: fail closed, try again later.
  SPH_ERR_REGISTRY_UNAVAILABLE: 503,
  SPH_ERR_OVERLOADED: 503,
  SPH_ERR_CIRCUIT_OPEN: 503,
  SPH_ERR_INTERNAL: 500,
  SPH_ERR_AUDIT_CHAIN_BROKEN: 500,
  // Authoring tools only; never a render outcome.
  SPH_ERR_BUILD_FAILED: 500,
  SPH_ERR_CHECK_FAILED: 500,
});

export function statusFor(code: string): number {
  return (STATUS_BY_CODE as Record<string, number>)[code] ?? 500;
}
