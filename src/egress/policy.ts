// The egress policy as an undici interceptor: composed in front of the ProxyAgent, so every
// request (and every redirect hop, when the redirect interceptor sits outside it) is checked
// here before it can reach the proxy. Refusals never touch the network.
//
//   agent.compose(createEgressPolicy(ctx), redirect)   // redirect -> policy -> ProxyAgent
import type { Dispatcher } from 'undici';
import type { BlockList } from 'node:net';
import type { EgressDeniedError } from '../errors.js';
import { findAllowed, nearMiss, type AllowedHost } from './allowed-hosts.js';
import { addressKind, inRanges, isLoopbackName, normalizeHostHeader, parseOrigin } from './addresses.js';
import { classifyFailure, denial, isDenial, type DenialReason } from './error-code.js';
import { headerBytes, sanitize, toHeaderMap, values } from './headers.js';
import type { EgressLogEntry, EgressMeter } from './meter.js';

export interface PolicyContext {
  readonly allowed: readonly AllowedHost[];
  readonly ipRanges: BlockList;
  readonly methods: ReadonlySet<string>;
  readonly maxRequests: number;
  readonly requestBodyBytes: number;
  readonly responseBodyBytes: number;
  readonly headerBytes: number;
  readonly invocationId: string;
  readonly meter: EgressMeter;
  /** For messages only. */
  readonly proxyUrl: string;
  /** Plug-in id, for messages. */
  readonly pluginId: string;
}

/** Shared by all hops of one guest request (the redirect handler passes its opts on). */
export interface RequestTrace {
  hops: number;
  /** Set when the session gave up on the request (deadline): later events are not recorded again. */
  settled: boolean;
  current: Hop | null;
}

export interface Hop {
  method: string;
  origin: string;
  startedAt: number;
  hop: number;
  bytesOut: number;
  bytesIn: number;
  status?: number;
  done: boolean;
}

export interface PolicyDispatchOptions extends Dispatcher.DispatchOptions {
  egressTrace?: RequestTrace;
}

const MAX_PATH = 8192;
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const PATH = /^\/[^\s\x00-\x1f\x7f]*$/;

type Handler = Dispatcher.DispatchHandler;
type Controller = Dispatcher.DispatchController;

/** A controller for a request that never started (refused before dispatch). */
function deadController(reason: Error): Controller {
  return { abort() {}, pause() {}, resume() {}, aborted: true, paused: false, reason } as unknown as Controller;
}

export function finishHop(ctx: PolicyContext, trace: RequestTrace | undefined, hop: Hop, e: Omit<EgressLogEntry, 'method' | 'origin' | 'ms' | 'hop' | 'bytesOut' | 'bytesIn'>): void {
  if (hop.done || trace?.settled) return;
  hop.done = true;
  ctx.meter.record({
    method: hop.method,
    origin: hop.origin,
    hop: hop.hop,
    bytesOut: hop.bytesOut,
    bytesIn: hop.bytesIn,
    ms: Math.round((performance.now() - hop.startedAt) * 10) / 10,
    ...(hop.status !== undefined ? { status: hop.status } : {}),
    ...e,
  });
}

function entryFor(err: unknown, proxyUrl: string): Omit<EgressLogEntry, 'method' | 'origin' | 'ms' | 'hop' | 'bytesOut' | 'bytesIn'> {
  if (isDenial(err)) {
    const reason = String(err.details.reason);
    return { outcome: reason === 'response-body-size' ? 'failed' : 'denied', code: err.code as 'SPH_ERR_EGRESS_DENIED', reason, errorCode: String(err.details.errorCode), message: err.message };
  }
  const f = classifyFailure(err, proxyUrl);
  return { outcome: 'failed', code: 'SPH_ERR_EGRESS_UNAVAILABLE', reason: f.reason, errorCode: f.errorCode.tag, message: f.message };
}

/** Passes a request's events through, counting response bytes against the invocation's budget. */
class PolicyHandler implements Handler {
  readonly #ctx: PolicyContext;
  readonly #inner: Handler;
  readonly #hop: Hop;
  readonly #trace: RequestTrace | undefined;
  #refused: EgressDeniedError | null = null;

  constructor(ctx: PolicyContext, inner: Handler, hop: Hop, trace: RequestTrace | undefined) {
    this.#ctx = ctx;
    this.#inner = inner;
    this.#hop = hop;
    this.#trace = trace;
  }

  #overBudget(bytes: number): EgressDeniedError {
    const cap = this.#ctx.responseBodyBytes;
    return denial('response-body-size', `the response from ${this.#hop.origin} (${bytes} bytes so far) would exceed the invocation's response budget of ${cap} bytes (egress.responseBodyBytes)`, { limit: cap });
  }

  /** The request is on a connection to the proxy: its body counts as sent. */
  onRequestStart(controller: Controller, context: unknown): void {
    this.#ctx.meter.usage.bytesOut += this.#hop.bytesOut;
    this.#inner.onRequestStart?.(controller, context);
  }

  onRequestUpgrade(controller: Controller): void {
    // An upgraded connection would be a raw socket for the guest: never (refused before dispatch too).
    controller.abort(denial('method-not-allowed', 'protocol upgrades are not allowed'));
  }

  onResponseStart(controller: Controller, statusCode: number, headers: Record<string, string | string[] | undefined>, statusMessage?: string): void {
    this.#hop.status = statusCode;
    const length = Number(values(headers['content-length'] as string | string[] | undefined)[0] ?? NaN);
    if (Number.isFinite(length) && this.#ctx.meter.usage.bytesIn + length > this.#ctx.responseBodyBytes) {
      this.#refused = this.#overBudget(this.#ctx.meter.usage.bytesIn + length);
      controller.abort(this.#refused);
      return;
    }
    this.#inner.onResponseStart?.(controller, statusCode, headers as Record<string, string | string[]>, statusMessage);
  }

  onResponseData(controller: Controller, chunk: Buffer): void {
    if (this.#refused) return;
    const usage = this.#ctx.meter.usage;
    usage.bytesIn += chunk.length;
    this.#hop.bytesIn += chunk.length;
    if (usage.bytesIn > this.#ctx.responseBodyBytes) {
      this.#refused = this.#overBudget(usage.bytesIn);
      controller.abort(this.#refused);
      return;
    }
    this.#inner.onResponseData?.(controller, chunk);
  }

  onResponseEnd(controller: Controller, trailers: Record<string, string | string[]>): void {
    finishHop(this.#ctx, this.#trace, this.#hop, { outcome: 'ok' });
    this.#inner.onResponseEnd?.(controller, trailers);
  }

  onResponseError(controller: Controller, err: Error): void {
    const reason = this.#refused ?? err;
    finishHop(this.#ctx, this.#trace, this.#hop, entryFor(reason, this.#ctx.proxyUrl));
    this.#inner.onResponseError?.(controller, reason);
  }
}

export function createEgressPolicy(ctx: PolicyContext): Dispatcher.DispatcherComposeInterceptor {
  return (dispatch) =>
    function egressPolicy(opts: PolicyDispatchOptions, handler: Handler): boolean {
      const trace = opts.egressTrace;
      const method = String(opts.method ?? 'GET').toUpperCase();
      const hop: Hop = { method, origin: String(opts.origin ?? ''), startedAt: performance.now(), hop: trace ? trace.hops++ : 0, bytesOut: 0, bytesIn: 0, done: false };
      if (trace) trace.current = hop;
      const refuse = (reason: DenialReason, message: string, extra?: Record<string, unknown>): boolean => {
        const err = denial(reason, `${ctx.pluginId}: ${message}`, extra);
        finishHop(ctx, trace, hop, entryFor(err, ctx.proxyUrl));
        queueMicrotask(() => handler.onResponseError?.(deadController(err), err));
        return true;
      };

      const meter = ctx.meter;
      if (meter.attempts >= ctx.maxRequests) {
        meter.attempts++;
        return refuse('request-limit', `more than ${ctx.maxRequests} requests in one invocation (egress.maxRequests): fetch less, or batch requests`, { limit: ctx.maxRequests });
      }
      meter.attempts++;

      const parsed = parseOrigin(String(opts.origin ?? ''));
      if (!parsed.ok) return refuse(parsed.reason, parsed.message);
      const { target, ip, origin, authority } = parsed;
      hop.origin = origin;

      if (opts.upgrade) return refuse('method-not-allowed', 'protocol upgrades are not allowed');
      if (!ctx.methods.has(method)) return refuse('method-not-allowed', `the method ${method} is not allowed (allowed: ${[...ctx.methods].join(', ')})`);

      const path = String(opts.path ?? '/');
      if (path.length > MAX_PATH) return refuse('uri-invalid', `the request path is longer than ${MAX_PATH} characters`);
      if (!PATH.test(path)) return refuse('uri-invalid', 'the request path must start with / and contain no spaces or control characters');

      // IP literals and loopback names are reachable only when the operator allows the range.
      if (ip !== null || isLoopbackName(target.host)) {
        const address = ip ?? '127.0.0.1';
        if (!inRanges(ctx.ipRanges, address)) {
          const what = ip !== null ? `the IP literal ${ip} (${addressKind(ip)} address)` : `the loopback name ${target.host}`;
          return refuse(ip !== null ? 'ip-literal' : 'loopback-name', `${what} is not allowed: use a host name listed in the manifest (operators may allow address ranges with egress.allowIpRanges)`);
        }
      }

      const entry = findAllowed(ctx.allowed, target);
      if (!entry) {
        const near = nearMiss(ctx.allowed, target);
        const hint = near
          ? ` (the manifest allows ${near.source}, which means ${near.scheme}://…:${near.port})`
          : ctx.allowed.length === 0
            ? ' (the manifest lists no allowed hosts: add capabilities.egress.allowedHosts)'
            : ` (allowed: ${ctx.allowed.map((a) => a.source).join(', ')})`;
        return refuse('host-not-allowed', `${origin} is not an allowed host${hint}`);
      }

      const headers = toHeaderMap(opts.headers);
      // The authority routes the request; a Host header naming anything else is an attempt to
      // reach another virtual host behind an allowed address (Spin CVE-2024-32980).
      for (const h of values(headers.host)) {
        if (normalizeHostHeader(h, target.scheme) !== authority) {
          return refuse('host-header-mismatch', `the Host header ${JSON.stringify(h.slice(0, 100))} does not match the request's authority ${authority}`);
        }
      }
      if (values(headers.host).length > 1) return refuse('host-header-mismatch', 'more than one Host header');

      const size = headerBytes(headers);
      if (size > ctx.headerBytes) return refuse('request-header-size', `the request headers are ${size} bytes, over egress.headerBytes (${ctx.headerBytes})`, { limit: ctx.headerBytes });

      const body = opts.body;
      if (body != null && typeof body !== 'string' && !(body instanceof Uint8Array)) return refuse('uri-invalid', 'request bodies must be bytes');
      const bodyBytes = body == null ? 0 : typeof body === 'string' ? Buffer.byteLength(body) : body.byteLength;
      if (meter.reservedOut + bodyBytes > ctx.requestBodyBytes) {
        return refuse('request-body-size', `the request body would bring this invocation to ${meter.reservedOut + bodyBytes} bytes sent, over egress.requestBodyBytes (${ctx.requestBodyBytes})`, { limit: ctx.requestBodyBytes });
      }
      meter.reservedOut += bodyBytes;
      hop.bytesOut = bodyBytes;

      const clean = sanitize(headers, ctx.invocationId).headers;
      const next: PolicyDispatchOptions = { ...opts, origin, path, method, headers: clean, body: body ?? null };
      const policyHandler = new PolicyHandler(ctx, handler, hop, trace);
      try {
        return dispatch(next, policyHandler);
      } catch (err) {
        // undici refused the options synchronously (say, a header value it cannot send)
        policyHandler.onResponseError(deadController(err as Error), err as Error);
        return true;
      }
    };
}
