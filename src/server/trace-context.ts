// W3C Trace Context (https://www.w3.org/TR/trace-context/): the Summit UI sends `traceparent`;
// its trace id goes on every log line of the request so a render can be followed across
// services. A missing or malformed header (the spec allows lowercase hex only) starts a new
// trace rather than failing the request.
import { randomUUID } from 'node:crypto';

export interface TraceContext {
  traceId: string;
  /** The caller's span (parent-id), when it sent one. */
  parentSpanId?: string;
  sampled: boolean;
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})(?:-.*)?$/;
const ALL_ZERO = /^0+$/;

export function parseTraceparent(header: string | string[] | undefined): TraceContext {
  const value = Array.isArray(header) ? header[0] : header;
  const m = value === undefined ? null : TRACEPARENT.exec(value.trim());
  // Version ff is invalid; version 00 must not carry extra fields; all-zero ids are invalid.
  if (m && m[1] !== 'ff' && !(m[1] === '00' && value!.trim().length !== 55) && !ALL_ZERO.test(m[2]!) && !ALL_ZERO.test(m[3]!)) {
    return { traceId: m[2]!, parentSpanId: m[3]!, sampled: (parseInt(m[4]!, 16) & 1) === 1 };
  }
  // A v4 UUID's 122 random bits make a valid trace id; randomUUID draws from a cached entropy
  // pool, where randomBytes(16) is a system call on every request (~10 us on the render path).
  return { traceId: randomUUID().replaceAll('-', ''), sampled: false };
}
