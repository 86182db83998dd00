// How every verb reports: with --json the last line of stdout is exactly one JSON object with
// an `ok` field; otherwise a human report. Exit status: 0 ok, 1 the plug-in failed or was
// refused, 2 bad usage.
import { SphError } from '../errors.js';

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;

export class UsageError extends Error {}

export interface Io {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  /** stderr is a terminal: progress may redraw a line (spinners). */
  stderrIsTTY?: boolean;
}

export const processIo: Io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  get stderrIsTTY() {
    return process.stderr.isTTY === true;
  },
};

export function printJson(io: Io, value: Record<string, unknown>): void {
  io.stdout(`${JSON.stringify(value)}\n`);
}

export function errorJson(err: unknown): { code: string; message: string } {
  if (SphError.isSphError(err)) return { code: err.code, message: err.message };
  return { code: 'SPH_ERR_INTERNAL', message: err instanceof Error ? err.message : String(err) };
}
