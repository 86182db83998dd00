// parseArgs with this CLI's conventions: strict, unknown flags are usage errors (exit 2).
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './output.js';

type Parsed<T extends Options> = ReturnType<typeof parseArgs<{ args: string[]; allowPositionals: true; strict: true; options: T }>>;
type Options = NonNullable<ParseArgsConfig['options']>;

export function parse<T extends Options>(argv: string[], options: T): Parsed<T> {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

export function positiveInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v) || Number(v) <= 0) throw new UsageError(`${flag} expects a positive whole number, got "${v}"`);
  return Number(v);
}

export function nonNegativeInt(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  if (!/^\d+$/.test(v)) throw new UsageError(`${flag} expects a whole number, got "${v}"`);
  return Number(v);
}
