/**
 * The one error this folder throws for malformed or unsupported input. Callers (the loader)
 * map it to SPH_ERR_INVALID_COMPONENT; keeping it a plain Error subclass with a one-line
 * message means nothing here depends on the host's error-code machinery.
 */
export class WasmRewriteError extends Error {
  override name = 'WasmRewriteError';
  constructor(message: string) {
    super(message);
  }
}
