// wasi:http/types and wasi:http/outgoing-handler: the guest's side is src/egress/wasi-http.ts;
// every request goes to the supervisor thread, where the egress policy and the mesh proxy are
// (src/egress). Without a bridge (no supervisor, as in raw benchmarks) every request is refused.
import { createHttpTypes, type HttpContext } from '../../egress/wasi-http.js';

export function wasiHttp(ctx: HttpContext) {
  const { types, handle } = createHttpTypes(ctx);
  return {
    'wasi:http/types': types,
    'wasi:http/outgoing-handler': { handle },
  };
}
