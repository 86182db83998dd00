// Widgets written in WAT, for test fixtures and the demo's hostile widgets: the canonical-ABI
// prelude every such widget needs (the host `log` import, a bump allocator as cabi_realloc,
// and $ok / $err to return result<string, string>), and WAT -> component with jco's tools.
import { readFile } from 'node:fs/promises';

export const WIDGET_WAT_PRELUDE = `  (import "summit:widget/host@0.1.0" "log" (func $log (param i32 i32 i32)))
  (memory (export "memory") 1)
  (global $bump (mut i32) (i32.const 4096))
  (func $alloc (export "cabi_realloc") (param $old i32) (param $old_size i32) (param $align i32) (param $size i32) (result i32)
    (local $p i32)
    (local.set $p
      (i32.and (i32.add (global.get $bump) (i32.sub (local.get $align) (i32.const 1)))
               (i32.sub (i32.const 0) (local.get $align))))
    (global.set $bump (i32.add (local.get $p) (local.get $size)))
    (block $fits
      (br_if $fits (i32.le_u (global.get $bump) (i32.mul (memory.size) (i32.const 65536))))
      (br_if $fits (i32.ne (i32.const -1)
        (memory.grow (i32.sub (i32.add (i32.shr_u (global.get $bump) (i32.const 16)) (i32.const 1)) (memory.size)))))
      unreachable)
    (local.get $p))
  (func $ok (param $ptr i32) (param $len i32) (result i32)
    (i32.store8 (i32.const 0) (i32.const 0))
    (i32.store (i32.const 4) (local.get $ptr))
    (i32.store (i32.const 8) (local.get $len))
    (i32.const 0))
  (func $err (param $ptr i32) (param $len i32) (result i32)
    (i32.store8 (i32.const 0) (i32.const 1))
    (i32.store (i32.const 4) (local.get $ptr))
    (i32.store (i32.const 8) (local.get $len))
    (i32.const 0))
`;

/** A module with the prelude around `body` (which defines `render` and whatever it needs). */
export function widgetModule(body: string): string {
  return `(module\n${WIDGET_WAT_PRELUDE}\n${body}\n)`;
}

const WIT = new URL('../../wit/widget.wit', import.meta.url);

/** WAT core module -> component of `world` (default: the summit:widget world). */
export async function watToComponent(wat: string, opts: { witSource?: string; world?: string } = {}): Promise<Uint8Array> {
  const witSource = opts.witSource ?? (await readFile(WIT, 'utf8'));
  const { parse, componentEmbed, componentNew } = await import('@bytecodealliance/jco-transpile/wasm-tools');
  const binary = await parse(wat);
  const embedded = await componentEmbed({ binary, witSource, world: opts.world ?? 'widget', stringEncoding: 'utf8' } as never);
  return componentNew(embedded, [] as never);
}

/** WAT data-string literal for arbitrary text (every byte escaped: quotes, backslashes, UTF-8). */
export function watString(text: string): string {
  return [...Buffer.from(text, 'utf8')].map((b) => `\\${b.toString(16).padStart(2, '0')}`).join('');
}
