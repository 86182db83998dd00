// The guest side of wasi:http, without a guest: what jco would call, and the jco conventions
// (errors of result-returning functions are thrown plain values, never Errors).
import { describe, expect, it } from 'vitest';
import { createHttpTypes } from '../../../src/egress/wasi-http.js';
import type { GuestRequest, GuestResponse } from '../../../src/egress/protocol.js';

const enc = (s: string) => new TextEncoder().encode(s);

function withBridge(answer: (r: GuestRequest) => GuestResponse) {
  const sent: GuestRequest[] = [];
  const answers = new Map<number, GuestResponse>();
  let next = 1;
  const bridge = {
    send(r: GuestRequest) {
      sent.push(r);
      const id = next++;
      answers.set(id, answer(r));
      return id;
    },
    has: (id: number) => answers.has(id),
    take(id: number) {
      const a = answers.get(id);
      answers.delete(id);
      return a;
    },
    wait() {},
    waitEvent() {},
  };
  return { sent, http: createHttpTypes({ bridge: bridge as never, requestBodyBytes: 10 }) };
}

describe('wasi:http/types on the worker', () => {
  it('fields: case-insensitive, validated, immutable once handed to a request', () => {
    const { http } = withBridge(() => ({ ok: false, error: { tag: 'HTTP-request-denied' } }));
    const { Fields, OutgoingRequest } = http.types;
    const f = new Fields();
    f.append('Accept', enc('a'));
    f.append('accept', enc('b'));
    expect(f.get('ACCEPT').map((v) => new TextDecoder().decode(v))).toEqual(['a', 'b']);
    expect(() => f.append('bad name', enc('x'))).toThrow(expect.objectContaining({ tag: 'invalid-syntax' }));
    expect(() => f.append('x', enc('a\r\nInjected: 1'))).toThrow(expect.objectContaining({ tag: 'invalid-syntax' }));
    f.set('accept', [enc('c')]);
    expect(f.entries().length).toBe(1);
    f.append('Host', enc('anything'));
    const req = new OutgoingRequest(f);
    expect(() => req.headers().append('x', enc('y'))).toThrow(expect.objectContaining({ tag: 'immutable' }));
    expect(() => req.headers().delete('accept')).toThrow(expect.objectContaining({ tag: 'immutable' }));
    expect(() => req.setAuthority('a/b')).toThrow();
    expect(() => req.setPathWithQuery('/a b')).toThrow();
  });

  it('handle sends scheme, authority, path and headers; the future answers once', () => {
    const { http, sent } = withBridge(() => ({ ok: true, status: 201, headers: [['content-type', 'text/plain']], body: enc('hello') }));
    const { Fields, OutgoingRequest } = http.types;
    const f = Fields.fromList([['X-A', enc('1')]]);
    const req = new OutgoingRequest(f);
    req.setScheme({ tag: 'HTTPS' });
    req.setAuthority('api.acme.example');
    req.setPathWithQuery('/v1?x=1');
    req.setMethod({ tag: 'post' });
    const future = http.handle(req, undefined);
    expect(sent).toEqual([{ method: 'POST', scheme: 'https', authority: 'api.acme.example', path: '/v1?x=1', headers: [['X-A', '1']], body: null }]);
    expect(future.subscribe().ready()).toBe(true);
    const got = future.get() as { tag: 'ok'; val: { tag: 'ok'; val: { status(): number; consume(): { stream(): { read(n: bigint): Uint8Array } } } } };
    const resp = got.val.val;
    expect(resp.status()).toBe(201);
    const stream = resp.consume().stream();
    expect(new TextDecoder().decode(stream.read(100n))).toBe('hello');
    expect(() => stream.read(100n)).toThrow(expect.objectContaining({ tag: 'closed' }));
    expect(future.get()).toEqual({ tag: 'err', val: undefined });
    expect(() => http.handle(req, undefined)).toThrow(expect.objectContaining({ tag: 'internal-error' }));
  });

  it('a body written after handle is sent on finish, truncated one byte past the cap', () => {
    const { http, sent } = withBridge(() => ({ ok: false, error: { tag: 'HTTP-request-body-size' } }));
    const { Fields, OutgoingRequest, OutgoingBody } = http.types;
    const req = new OutgoingRequest(new Fields());
    req.setAuthority('api.acme.example');
    const body = req.body();
    const future = http.handle(req, undefined);
    expect(sent).toEqual([]);
    const out = body.write();
    out.write(enc('0123456789'));
    out.write(enc('abcdef'));
    OutgoingBody.finish(body, undefined);
    expect(sent).toHaveLength(1);
    expect(sent[0]!.body!.byteLength).toBe(11);
    expect(future.get()).toEqual({ tag: 'ok', val: { tag: 'err', val: { tag: 'HTTP-request-body-size' } } });
  });

  it('waiting on a request whose body was never finished answers instead of hanging', () => {
    const { http } = withBridge(() => ({ ok: true, status: 200, headers: [], body: enc('') }));
    const req = new http.types.OutgoingRequest(new http.types.Fields());
    req.setAuthority('api.acme.example');
    req.body();
    const future = http.handle(req, undefined);
    future.subscribe().block();
    expect(future.get()).toMatchObject({ tag: 'ok', val: { tag: 'err', val: { tag: 'internal-error' } } });
  });

  it('with no bridge every request is refused', () => {
    const http = createHttpTypes({ bridge: null, requestBodyBytes: 0 });
    const req = new http.types.OutgoingRequest(new http.types.Fields());
    req.setAuthority('api.acme.example');
    expect(http.handle(req, undefined).get()).toEqual({ tag: 'ok', val: { tag: 'err', val: { tag: 'HTTP-request-denied' } } });
  });
});
