// What a built component imports, read from its embedded WIT (wasm-tools, ~0.1 s): enough for
// `build` to print the imports and warn about any the host would refuse, without preparing
// the component (`check` and `dev` do the real load).
import { deniedImports, type DeniedImport } from '../sandbox/capabilities/index.js';

export interface ComponentImports {
  /** Imported interfaces with their versions, e.g. `summit:widget/host@0.1.0`. */
  imports: string[];
  denied: DeniedImport[];
}

export async function componentImports(bytes: Uint8Array): Promise<ComponentImports> {
  const { componentWit } = await import('@bytecodealliance/jco-transpile/wasm-tools');
  const wit = await componentWit(bytes);
  const imports: string[] = [];
  for (const m of wit.matchAll(/^\s*import\s+([^;\s:]+(?::[^;\s]+)?)\s*;/gm)) imports.push(m[1]!);
  // A world-level function import (`import name: func(...)`) is denied by name as well.
  for (const m of wit.matchAll(/^\s*import\s+([a-z][\w-]*)\s*:\s*func/gm)) imports.push(m[1]!);
  return { imports, denied: deniedImports(imports) };
}
