// One error shape for every registry response: { ok: false, error: { code, message, details? } },
// with the HTTP status the code implies. Framework errors (bad JSON, oversize bodies, schema
// violations, unknown routes) are mapped to the same codes, so clients match on `code` alone.
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { SphError } from '../../errors.js';

const STATUS: Record<string, number> = {
  SPH_ERR_INVALID_ARG: 400,
  SPH_ERR_INVALID_MANIFEST: 400,
  SPH_ERR_INVALID_COMPONENT: 400,
  SPH_ERR_UNAUTHORIZED: 401,
  SPH_ERR_FORBIDDEN: 403,
  SPH_ERR_NOT_FOUND: 404,
  SPH_ERR_CONFLICT: 409,
  SPH_ERR_PAYLOAD_TOO_LARGE: 413,
  SPH_ERR_REGISTRY_UNAVAILABLE: 503,
};

export function httpStatusOf(code: string): number {
  return STATUS[code] ?? 500;
}

export function errorBody(code: string, message: string, details?: Record<string, unknown>) {
  return { ok: false as const, error: details && Object.keys(details).length ? { code, message, details } : { code, message } };
}

export function registryErrorHandler(err: FastifyError | SphError | Error, req: FastifyRequest, reply: FastifyReply): void {
  if (SphError.isSphError(err)) {
    const status = httpStatusOf(err.code);
    if (status === 401) reply.header('www-authenticate', 'Bearer realm="summit-registry"');
    if (status >= 500) req.log.error({ err }, 'registry request failed');
    void reply.code(status).send(errorBody(err.code, err.message, err.details));
    return;
  }
  const fe = err as FastifyError;
  if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    void reply.code(413).send(errorBody('SPH_ERR_PAYLOAD_TOO_LARGE', 'the request body is larger than this registry accepts', {}));
    return;
  }
  if (fe.validation) {
    void reply.code(400).send(errorBody('SPH_ERR_INVALID_ARG', `invalid request: ${fe.message}`, { problems: fe.validation.map((v) => `${v.instancePath || '/'} ${v.message ?? ''}`.trim()) }));
    return;
  }
  const status = typeof fe.statusCode === 'number' ? fe.statusCode : 500;
  if (status >= 400 && status < 500) {
    // Malformed JSON, an unsupported content type, an empty body, ...
    void reply.code(status === 415 ? 415 : 400).send(errorBody('SPH_ERR_INVALID_ARG', `invalid request: ${fe.message}`, {}));
    return;
  }
  req.log.error({ err }, 'registry request failed');
  void reply.code(500).send(errorBody('SPH_ERR_INTERNAL', 'the registry failed to handle this request; see its log', {}));
}
