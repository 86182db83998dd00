// Shared argument parsing for the verbs: node:util parseArgs in strict mode, with every
// parsing problem turned into a usage error (exit 2) that names the flag.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './output.js';

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseVerbArgs<O extends Options>(argv: string[], options: O): ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: O }>> {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options }) as never;
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
  }
}

/** main's name for the same function (src/cli/run.ts and the registry verbs use it). */
export const parse = parseVerbArgs;

export function nonNegativeInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${flag} expects a whole number, got "${v}"`);
  return Number(v);
}

export function positiveInt(flag: string, v: string | undefined, opts: { allowZero?: boolean; max?: number } = {}): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || (!opts.allowZero && n <= 0) || (opts.max !== undefined && n > opts.max)) {
    throw new UsageError(`${flag} expects a ${opts.allowZero ? 'non-negative' : 'positive'} whole number${opts.max !== undefined ? ` up to ${opts.max}` : ''}, got "${v}"`);
  }
  return n;
}
