// wasi:http `error-code` values the guest sees, and how host-side failures map onto them.
// A guest's `fetch` only ever sees "NetworkError"; the usage record and log carry the reason.
import { EgressDeniedError, EgressUnavailableError } from '../errors.js';

/** A wasi:http/types error-code as jco lowers it: `{ tag }` or `{ tag, val }`. */
export type WasiErrorCode =
  | { tag: string }
  | { tag: string; val: unknown };

// Payloads are only ever optional ones here (or none): a case with a required record payload
// (DNS-error, TLS-alert-received, *-size(field-size-payload)) must never be sent without it.
export const ec = (tag: string, val?: unknown): WasiErrorCode => (val === undefined ? { tag } : { tag, val });

/** Why the policy refused a request (details.reason of SPH_ERR_EGRESS_DENIED) and what the guest sees. */
export const DENIAL_CODES = {
  'no-proxy': 'HTTP-request-denied',
  'request-limit': 'HTTP-request-denied',
  'method-not-allowed': 'HTTP-request-denied',
  'scheme-not-allowed': 'HTTP-request-denied',
  'credentials-in-url': 'HTTP-request-denied',
  'host-not-allowed': 'HTTP-request-denied',
  'host-header-mismatch': 'HTTP-request-denied',
  'ip-literal': 'destination-IP-prohibited',
  'loopback-name': 'destination-IP-prohibited',
  'uri-invalid': 'HTTP-request-URI-invalid',
  'request-header-size': 'HTTP-request-header-section-size',
  'request-body-size': 'HTTP-request-body-size',
  'response-body-size': 'HTTP-response-body-size',
  'proxy-refused': 'HTTP-request-denied',
} as const;

export type DenialReason = keyof typeof DENIAL_CODES;

export function denial(reason: DenialReason, message: string, extra: Record<string, unknown> = {}): EgressDeniedError {
  return new EgressDeniedError(message, { reason, errorCode: DENIAL_CODES[reason], ...extra });
}

export function isDenial(err: unknown): err is EgressDeniedError {
  return err instanceof EgressDeniedError;
}

interface Failure {
  reason: string;
  errorCode: WasiErrorCode;
  message: string;
}

const TLS_CODES = /^(ERR_TLS_|ERR_SSL_|CERT_|UNABLE_TO_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|ERR_OSSL_)/;

/** An undici / socket error on an allowed request -> reason, guest error code and a message that says what to check. */
export function classifyFailure(err: unknown, proxyUrl: string): Failure {
  const e = err as { code?: string; message?: string; cause?: { code?: string; message?: string } };
  const code = e?.code ?? '';
  const causeCode = e?.cause?.code ?? '';
  const message = String(e?.message ?? err);
  const proxy = `the mesh proxy at ${proxyUrl}`;
  const tunnel = /Proxy response \((\d+)\) !== 200/.exec(message);
  if (tunnel) {
    const status = Number(tunnel[1]);
    if (status === 403 || status === 407) return { reason: 'proxy-refused', errorCode: ec('HTTP-request-denied'), message: `${proxy} refused the tunnel (${status}): the mesh does not allow this destination` };
    if (status === 404) return { reason: 'destination-not-found', errorCode: ec('destination-not-found'), message: `${proxy} could not resolve the destination (404)` };
    return { reason: 'destination-unavailable', errorCode: ec('destination-unavailable'), message: `${proxy} could not reach the destination (${status})` };
  }
  if (/Proxy Authentication Required/.test(message)) {
    return { reason: 'proxy-refused', errorCode: ec('HTTP-request-denied'), message: `${proxy} asks for authentication (407): configure its credentials in egress.proxyUrl` };
  }
  for (const c of [code, causeCode]) {
    if (c === 'ECONNREFUSED') return { reason: 'proxy-unreachable', errorCode: ec('connection-refused'), message: `${proxy} refused the connection: is the mesh sidecar running?` };
    if (c === 'ENOTFOUND' || c === 'EAI_AGAIN') return { reason: 'proxy-unreachable', errorCode: ec('destination-unavailable'), message: `${proxy} has a name that does not resolve (${c})` };
    if (c === 'EHOSTUNREACH' || c === 'ENETUNREACH') return { reason: 'proxy-unreachable', errorCode: ec('destination-unavailable'), message: `${proxy} is unreachable (${c})` };
    if (c === 'UND_ERR_CONNECT_TIMEOUT') return { reason: 'timeout', errorCode: ec('connection-timeout'), message: `connecting to ${proxy} timed out` };
    if (c === 'UND_ERR_HEADERS_TIMEOUT') return { reason: 'timeout', errorCode: ec('HTTP-response-timeout'), message: 'no response headers before the deadline' };
    if (c === 'UND_ERR_BODY_TIMEOUT') return { reason: 'timeout', errorCode: ec('connection-read-timeout'), message: 'the response body stalled past the deadline' };
    if (c === 'UND_ERR_HEADERS_OVERFLOW') return { reason: 'response-header-size', errorCode: ec('HTTP-response-header-section-size'), message: 'the response headers are larger than egress.headerBytes' };
    if (c === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH') return { reason: 'response-incomplete', errorCode: ec('HTTP-response-incomplete'), message: 'the response ended before its content-length' };
    if (c === 'UND_ERR_INFO' && /redirect/i.test(message)) return { reason: 'redirect-loop', errorCode: ec('loop-detected'), message };
    if (c === 'SPH_PROXY_CLOSED') {
      return { reason: 'proxy-closed', errorCode: ec('connection-terminated'), message: `${proxy} closed the connection before the request could go (does it require a TLS client certificate? see egress.proxyTls)` };
    }
    if (c === 'ECONNRESET' || c === 'EPIPE' || c === 'UND_ERR_SOCKET' || c === 'UND_ERR_CLOSED') {
      return { reason: 'connection-terminated', errorCode: ec('connection-terminated'), message: `the connection through ${proxy} was cut (${c})` };
    }
    if (c === 'UND_ERR_SECURE_PROXY_CONNECTION' || TLS_CODES.test(c)) {
      return { reason: 'tls', errorCode: ec('TLS-certificate-error'), message: `TLS failed (${c}): check egress.proxyTls / egress.originCa` };
    }
  }
  if (/redirect loop/i.test(message)) return { reason: 'redirect-loop', errorCode: ec('loop-detected'), message: 'the redirects loop' };
  return { reason: 'internal', errorCode: ec('internal-error'), message: `the request failed: ${message.slice(0, 200)}` };
}

export function failure(err: unknown, proxyUrl: string): EgressUnavailableError & { wasi: WasiErrorCode } {
  const f = classifyFailure(err, proxyUrl);
  return Object.assign(new EgressUnavailableError(f.message, { reason: f.reason, errorCode: f.errorCode.tag }), { wasi: f.errorCode });
}

/** The wasi error-code for a policy denial. */
export function denialWasi(err: EgressDeniedError): WasiErrorCode {
  return ec(String(err.details.errorCode ?? 'HTTP-request-denied'));
}
