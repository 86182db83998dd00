// wasi:http/types and wasi:http/outgoing-handler as the guest sees them, implemented on the
// worker. Nothing here decides what is allowed: `handle` hands the request to the supervisor
// thread (guest-bridge.ts), where the policy and the proxy are. A refusal comes back as a
// wasi:http error-code, so the guest's `fetch` rejects normally and the instance stays usable.
//
// jco conventions (notes/jco.md): a function returning `result<T, E>` reports `err(E)` when the
// host throws a plain value (never an Error: that traps and corrupts the instance); `throw
// undefined` is `err(())`. Everything else must not throw.
import { InputStream, OutputStream, Pollable, readyPollable, type IoError } from '../sandbox/capabilities/io.js';
import type { GuestBridge } from './guest-bridge.js';
import type { GuestRequest, GuestResponse } from './protocol.js';
import type { WasiErrorCode } from './error-code.js';

export interface HttpContext {
  bridge: GuestBridge | null;
  /** egress.requestBodyBytes: bodies are passed on up to one byte past it, all requests together. */
  requestBodyBytes: number;
  /**
   * egress.maxRequests: past it the supervisor refuses every request anyway, so only the
   * request line goes (for the count and the log): a guest looping on `handle` cannot make the
   * worker ship megabytes of headers and bodies to the supervisor thread.
   */
  maxRequests?: number;
}

/** Longer than anything the policy accepts (it refuses paths over 8192): still refused, never huge. */
const MAX_PATH_SENT = 8193;
const MAX_AUTHORITY_SENT = 1025;

type Method = { tag: string; val?: string };
type Scheme = { tag: 'HTTP' | 'HTTPS' | 'other'; val?: string };

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
// eslint-disable-next-line no-control-regex -- control characters are what it refuses
const CONTROL_OR_SPACE = /[\s\x00-\x1f\x7f#]/;
/** One Fields may not hold more than this (names + values): the worker's memory is not the guest's. */
const MAX_FIELDS_BYTES = 1024 * 1024;
const latin1 = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('latin1');
const fromLatin1 = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));

function validValue(v: Uint8Array): boolean {
  for (const b of v) if (b === 0 || b === 10 || b === 13) return false;
  return true;
}

export class Fields {
  #entries: [string, Uint8Array][] = [];
  #immutable = false;
  #bytes = 0;

  static fromList(entries: [string, Uint8Array][]): Fields {
    const f = new Fields();
    for (const [k, v] of entries) f.append(k, v);
    return f;
  }

  /** Used by the host for response headers and request headers handed to `outgoing-request`. */
  static lock(f: Fields): Fields {
    f.#immutable = true;
    return f;
  }

  #check(name: string, values: Uint8Array[]): void {
    if (this.#immutable) throw { tag: 'immutable' };
    if (!TOKEN.test(name) || !values.every(validValue)) throw { tag: 'invalid-syntax' };
  }

  get(name: string): Uint8Array[] {
    const k = name.toLowerCase();
    return this.#entries.filter(([n]) => n.toLowerCase() === k).map(([, v]) => v.slice());
  }

  has(name: string): boolean {
    const k = name.toLowerCase();
    return this.#entries.some(([n]) => n.toLowerCase() === k);
  }

  set(name: string, values: Uint8Array[]): void {
    this.#check(name, values);
    this.#remove(name);
    for (const v of values) this.#add(name, v);
  }

  delete(name: string): void {
    if (this.#immutable) throw { tag: 'immutable' };
    if (!TOKEN.test(name)) throw { tag: 'invalid-syntax' };
    this.#remove(name);
  }

  append(name: string, value: Uint8Array): void {
    this.#check(name, [value]);
    this.#add(name, value);
  }

  #add(name: string, value: Uint8Array): void {
    const size = name.length + value.byteLength;
    if (this.#bytes + size > MAX_FIELDS_BYTES) throw { tag: 'forbidden' };
    this.#bytes += size;
    this.#entries.push([name, value.slice()]);
  }

  #remove(name: string): void {
    const k = name.toLowerCase();
    this.#entries = this.#entries.filter(([n, v]) => {
      if (n.toLowerCase() !== k) return true;
      this.#bytes -= n.length + v.byteLength;
      return false;
    });
  }

  entries(): [string, Uint8Array][] {
    return this.#entries.map(([n, v]) => [n, v.slice()]);
  }

  clone(): Fields {
    const f = new Fields();
    for (const [n, v] of this.#entries) f.#add(n, v);
    return f;
  }

  /** For the host: name/value pairs as sent. */
  pairs(): [string, string][] {
    return this.#entries.map(([n, v]) => [n, latin1(v)]);
  }
}

export class RequestOptions {
  #connect: bigint | undefined;
  #firstByte: bigint | undefined;
  #betweenBytes: bigint | undefined;
  connectTimeout(): bigint | undefined {
    return this.#connect;
  }
  setConnectTimeout(d: bigint | undefined): void {
    this.#connect = d;
  }
  firstByteTimeout(): bigint | undefined {
    return this.#firstByte;
  }
  setFirstByteTimeout(d: bigint | undefined): void {
    this.#firstByte = d;
  }
  betweenBytesTimeout(): bigint | undefined {
    return this.#betweenBytes;
  }
  setBetweenBytesTimeout(d: bigint | undefined): void {
    this.#betweenBytes = d;
  }
}

/** Bytes a guest writes into an outgoing body, kept up to the cap (plus one byte). */
class BodyBuffer {
  readonly chunks: Uint8Array[] = [];
  kept = 0;
  total = 0;
  finished = false;
  constructor(readonly cap: number) {}
  write(bytes: Uint8Array): void {
    if (this.finished) throw { tag: 'closed' };
    this.total += bytes.byteLength;
    const room = this.cap + 1 - this.kept;
    if (room <= 0) return;
    const part = bytes.byteLength > room ? bytes.slice(0, room) : bytes.slice();
    this.chunks.push(part);
    this.kept += part.byteLength;
  }
  bytes(): Uint8Array {
    return Buffer.concat(this.chunks);
  }
}

export function createHttpTypes(ctx: HttpContext) {
  const bodies = new WeakMap<OutgoingBody, { buffer: BodyBuffer; onFinish: (() => void) | null; streamTaken: boolean }>();

  class OutgoingBody {
    constructor() {
      bodies.set(this, { buffer: new BodyBuffer(ctx.requestBodyBytes), onFinish: null, streamTaken: false });
    }
    write(): OutputStream {
      const b = bodies.get(this)!;
      if (b.streamTaken) throw undefined;
      b.streamTaken = true;
      return new OutputStream((bytes) => b.buffer.write(bytes));
    }
    static finish(body: OutgoingBody, trailers: Fields | undefined): void {
      const b = bodies.get(body);
      if (!b || b.buffer.finished) throw { tag: 'internal-error', val: 'the body is already finished' };
      b.buffer.finished = true;
      // A request whose body ended in an error is never sent (waiting on it answers with an error).
      if (trailers !== undefined) throw { tag: 'internal-error', val: 'request trailers are not supported' };
      b.onFinish?.();
    }
  }

  class OutgoingRequest {
    #headers: Fields;
    #method: Method = { tag: 'get' };
    #scheme: Scheme | undefined;
    #authority: string | undefined;
    #path: string | undefined;
    #body: OutgoingBody | null = null;
    #consumed = false;

    constructor(headers: Fields) {
      this.#headers = Fields.lock(headers);
    }
    body(): OutgoingBody {
      if (this.#body) throw undefined;
      this.#body = new OutgoingBody();
      return this.#body;
    }
    method(): Method {
      return this.#method;
    }
    setMethod(m: Method): void {
      if (m.tag === 'other' && !TOKEN.test(m.val ?? '')) throw undefined;
      this.#method = m;
    }
    pathWithQuery(): string | undefined {
      return this.#path;
    }
    setPathWithQuery(p: string | undefined): void {
      if (p !== undefined && CONTROL_OR_SPACE.test(p)) throw undefined;
      this.#path = p;
    }
    scheme(): Scheme | undefined {
      return this.#scheme;
    }
    setScheme(s: Scheme | undefined): void {
      if (s?.tag === 'other' && !/^[a-zA-Z][a-zA-Z0-9+.-]*$/.test(s.val ?? '')) throw undefined;
      this.#scheme = s;
    }
    authority(): string | undefined {
      return this.#authority;
    }
    setAuthority(a: string | undefined): void {
      if (a !== undefined && (CONTROL_OR_SPACE.test(a) || /[/?\\]/.test(a))) throw undefined;
      this.#authority = a;
    }
    headers(): Fields {
      return this.#headers;
    }

    /** Host side of `handle`: the request's parts, once. */
    static take(r: OutgoingRequest): { request: Omit<GuestRequest, 'body'>; body: OutgoingBody | null } | null {
      if (r.#consumed) return null;
      r.#consumed = true;
      const m = r.#method;
      const scheme = r.#scheme === undefined ? 'https' : r.#scheme.tag === 'other' ? String(r.#scheme.val).toLowerCase() : r.#scheme.tag.toLowerCase();
      return {
        request: {
          method: (m.tag === 'other' ? String(m.val) : m.tag).toUpperCase(),
          scheme,
          authority: r.#authority ?? '',
          path: r.#path ?? '/',
          headers: r.#headers.pairs(),
        },
        body: r.#body,
      };
    }
  }

  class IncomingBody {
    #stream: InputStream | null;
    constructor(data: Uint8Array) {
      this.#stream = new InputStream(data);
    }
    stream(): InputStream {
      const s = this.#stream;
      if (!s) throw undefined;
      this.#stream = null;
      return s;
    }
    static finish(_body: IncomingBody): FutureTrailers {
      return new FutureTrailers();
    }
  }

  class FutureTrailers {
    #taken = false;
    subscribe(): Pollable {
      return readyPollable();
    }
    get(): { tag: 'ok'; val: { tag: 'ok'; val: undefined } } | { tag: 'err'; val: undefined } {
      if (this.#taken) return { tag: 'err', val: undefined };
      this.#taken = true;
      return { tag: 'ok', val: { tag: 'ok', val: undefined } };
    }
  }

  class IncomingResponse {
    #status: number;
    #headers: Fields;
    #body: IncomingBody | null;
    constructor(r: Extract<GuestResponse, { ok: true }>) {
      this.#status = r.status;
      const f = new Fields();
      for (const [k, v] of r.headers) {
        try {
          f.append(k, fromLatin1(v));
        } catch {
          // a header the guest's Fields cannot hold (invalid bytes): left out
        }
      }
      this.#headers = Fields.lock(f);
      this.#body = new IncomingBody(r.body);
    }
    status(): number {
      return this.#status;
    }
    headers(): Fields {
      return this.#headers;
    }
    consume(): IncomingBody {
      const b = this.#body;
      if (!b) throw undefined;
      this.#body = null;
      return b;
    }
  }

  type FutureState =
    | { kind: 'waiting-body'; request: Omit<GuestRequest, 'body'>; body: BodyBuffer }
    | { kind: 'sent'; req: number }
    | { kind: 'answered'; response: GuestResponse }
    | { kind: 'taken' };

  class FutureIncomingResponse {
    #state: FutureState;

    constructor(state: FutureState) {
      this.#state = state;
    }

    /** Called when the guest finishes the body of a request it already handed to `handle`. */
    bodyFinished(): void {
      if (this.#state.kind === 'waiting-body') this.#state = send(this.#state.request, this.#state.body);
    }

    #ready(): boolean {
      const s = this.#state;
      if (s.kind === 'sent') {
        const a = ctx.bridge?.take(s.req);
        if (a) this.#state = { kind: 'answered', response: a };
      }
      return this.#state.kind !== 'sent' && this.#state.kind !== 'waiting-body';
    }

    #block(): void {
      const s = this.#state;
      // A single-threaded guest waiting for a response whose body it never finished would wait
      // forever: answer now instead.
      if (s.kind === 'waiting-body') {
        this.#state = { kind: 'answered', response: { ok: false, error: { tag: 'internal-error', val: 'the request body was not finished before waiting for the response' } } };
        return;
      }
      if (s.kind === 'sent' && ctx.bridge) ctx.bridge.wait(s.req);
      this.#ready();
    }

    subscribe(): Pollable {
      return new Pollable({
        readyAt: null,
        ready: () => this.#ready(),
        block: () => this.#block(),
        waitEvent: (until) => {
          if (this.#state.kind === 'waiting-body' || !ctx.bridge) this.#block();
          else ctx.bridge.waitEvent(until);
        },
      });
    }

    get():
      | undefined
      | { tag: 'err'; val: undefined }
      | { tag: 'ok'; val: { tag: 'ok'; val: IncomingResponse } | { tag: 'err'; val: WasiErrorCode } } {
      if (this.#state.kind === 'taken') return { tag: 'err', val: undefined };
      if (!this.#ready()) return undefined;
      const s = this.#state as Extract<FutureState, { kind: 'answered' }>;
      this.#state = { kind: 'taken' };
      const r = s.response;
      return r.ok ? { tag: 'ok', val: { tag: 'ok', val: new IncomingResponse(r) } } : { tag: 'ok', val: { tag: 'err', val: r.error } };
    }
  }

  let requestsSent = 0;
  let bodyBytesSent = 0;
  function send(request: Omit<GuestRequest, 'body'>, body: BodyBuffer | null): FutureState {
    if (!ctx.bridge) return { kind: 'answered', response: { ok: false, error: { tag: 'HTTP-request-denied' } } };
    const overCap = requestsSent++ >= (ctx.maxRequests ?? Infinity);
    let bytes: Uint8Array | null = null;
    if (!overCap && body && body.kept > 0) {
      // One byte past the invocation's budget is enough for the policy to refuse it.
      const room = Math.max(0, ctx.requestBodyBytes + 1 - bodyBytesSent);
      const all = body.bytes();
      bytes = all.byteLength > room ? all.slice(0, room) : all;
      bodyBytesSent += bytes.byteLength;
    }
    const req = ctx.bridge.send({
      ...request,
      authority: request.authority.slice(0, MAX_AUTHORITY_SENT),
      path: overCap ? '/' : request.path.slice(0, MAX_PATH_SENT),
      headers: overCap ? [] : request.headers,
      body: bytes,
    });
    return { kind: 'sent', req };
  }

  function handle(r: OutgoingRequest, _options: RequestOptions | undefined): FutureIncomingResponse {
    const taken = OutgoingRequest.take(r);
    if (!taken) throw { tag: 'internal-error', val: 'this request was already handled' };
    const { request, body } = taken;
    const b = body ? bodies.get(body)! : null;
    if (b && !b.buffer.finished) {
      // The guest streams the body after `handle` (wasi:http allows it): send on finish.
      const future = new FutureIncomingResponse({ kind: 'waiting-body', request, body: b.buffer });
      b.onFinish = () => future.bodyFinished();
      return future;
    }
    return new FutureIncomingResponse(send(request, b?.buffer ?? null));
  }

  // The incoming side (a component serving HTTP) is not something a widget does: the types
  // exist because componentize-js imports them, but no instance of them can reach a widget.
  class IncomingRequest {
    method(): Method {
      return { tag: 'get' };
    }
    pathWithQuery(): string | undefined {
      return undefined;
    }
    scheme(): Scheme | undefined {
      return undefined;
    }
    authority(): string | undefined {
      return undefined;
    }
    headers(): Fields {
      return Fields.lock(new Fields());
    }
    consume(): IncomingBody {
      throw undefined;
    }
  }

  class OutgoingResponse {
    #status = 200;
    #headers: Fields;
    #body: OutgoingBody | null = null;
    constructor(headers: Fields) {
      this.#headers = Fields.lock(headers);
    }
    statusCode(): number {
      return this.#status;
    }
    setStatusCode(code: number): void {
      if (!Number.isInteger(code) || code < 100 || code > 999) throw undefined;
      this.#status = code;
    }
    headers(): Fields {
      return this.#headers;
    }
    body(): OutgoingBody {
      if (this.#body) throw undefined;
      this.#body = new OutgoingBody();
      return this.#body;
    }
  }

  class ResponseOutparam {
    static set(_param: ResponseOutparam, _response: unknown): void {}
  }

  const httpErrorCode = (_err: IoError): WasiErrorCode | undefined => undefined;

  return {
    types: {
      Fields,
      FutureIncomingResponse,
      FutureTrailers,
      IncomingBody,
      IncomingRequest,
      IncomingResponse,
      OutgoingBody,
      OutgoingRequest,
      OutgoingResponse,
      RequestOptions,
      ResponseOutparam,
      httpErrorCode,
    },
    handle,
  };
}
