// How registry verbs report a refused or failed request: exit 1, the coded error as JSON or on stderr.
import { EXIT, errorJson, printJson, type Io } from './output.js';

export function reportFailure(io: Io, json: boolean, err: unknown): number {
  const e = errorJson(err);
  if (json) printJson(io, { ok: false, error: e });
  else io.stderr(`error ${e.code}: ${e.message}\n`);
  return EXIT.failed;
}

/** `acme/kpi-card@1.2.0` -> { id, version }; `acme/kpi-card` -> { id }. */
export function parseTarget(text: string): { id: string; version: string | undefined } {
  const at = text.lastIndexOf('@');
  return at > 0 ? { id: text.slice(0, at), version: text.slice(at + 1) } : { id: text, version: undefined };
}
