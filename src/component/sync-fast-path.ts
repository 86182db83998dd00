// Two rewrites of the bindings jco-transpile 0.15 generates, both for speed only: a synchronous
// fast path for host imports (below), and a JSPI probe that no longer throws (skipPromisingProbe).
//
// jco emulates the Component Model's async task state (WASI 0.3) on every call: each import a
// guest makes creates a subtask for the calling task and a host task of its own (BigInt ids,
// Maps, promises, a dozen bookkeeping objects), then resolves and tears both down. Measured in
// the sandbox, that costs 13-30 µs per import call, against well under 1 µs for the host function
// itself; a componentize-js widget makes about 70 import calls per `fetch` (and a JavaScript
// render makes hundreds), so for plug-ins most host time went into this bookkeeping. Newer jco
// has a `perfSyncFastPath` option for exactly this; 0.15, the newest release we can install,
// does not. This module does what that option does, on the generated text: for a component that
// is synchronous throughout, host imports skip the task state.
//
// What is skipped has no observer in such a component: no function is async, so no subtask can
// be waited on, cancelled or polled, and the host functions never call back into the guest. What
// matters is kept exactly as generated: lifting and lowering, resource handle tables and borrow
// release (curResourceBorrows), the may-leave check, the trap classification
// (markTrapped), and the export's own task around `render`.
//
// It is all or nothing, and only on text we recognise: each rewrite must match exactly where
// it is expected, every import wired into a core instance must be a host import we rewrote or a
// resource drop, and every lowered import must be synchronous. Anything else (an async or
// composed component, or a jco release that generates different code) keeps jco's bindings
// unchanged, with the reason, so the cost is only ever speed.

export interface SyncFastPath {
  js: string;
  applied: boolean;
  /** Why the bindings were left as generated. */
  reason?: string;
}

const DEBUG_LOG = `  const _debugLog = (...args) => {
    if (!globalThis?.process?.env?.JCO_DEBUG) { return; }
    console.debug(...args);
  };`;

// Same behaviour, decided once: the environment is read at instantiation, not on every call
// (a sandbox worker has an empty environment, so this is always the no-op).
const DEBUG_LOG_FAST = `  const _debugLog = globalThis?.process?.env?.JCO_DEBUG ? (...args) => { console.debug(...args); } : () => {};
  // Host imports of a synchronous component run without task state (sync-fast-path.ts).
  const _sphHostTask = Object.freeze({
    componentIdx: () => -1,
    id: () => 0,
    getParentSubtask: () => undefined,
    setErrored() {},
    reject() {},
    resolve() {},
    exit() {},
  });`;

const LOWER_HEAD = `  function _lowerImportBackwardsCompat(args) {
    const params = [...arguments].slice(1);`;

const LOWER_HEAD_FAST = `  function _lowerImportBackwardsCompat(args) {
    if (args.isAsync === false && args.funcTypeIsAsync === false && !args.isManualAsync && args.sphSync === true) {
      _checkMayLeave(args.componentIdx);
      return args.importFn.apply(undefined, Array.prototype.slice.call(arguments, 1));
    }
    const params = [...arguments].slice(1);`;

// The prologue of every host import trampoline: a host task, linked to the subtask that
// _lowerImportBackwardsCompat created. Whitespace is matched loosely, tokens exactly.
const ws = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s*');
const PROLOGUE = new RegExp(
  [
    ws('const hostProvided = true; let parentTask; let task; let subtask; const createTask = () => { const results = createNewCurrentTask({ componentIdx: -1, isAsync: false, entryFnName:'),
    "\\s*'[^'\\n]*',\\s*",
    ws('getCallbackFn: () => null, callbackFnName: null, errHandling:'),
    "\\s*'[a-z-]+',\\s*",
    ws('callingWasmExport: false, }); task = results[0]; }; taskCreation: { parentTask = getCurrentTask( 0, _getGlobalCurrentTaskMeta(0)?.taskID, )?.task; if (!parentTask) { createTask(); break taskCreation; } createTask(); if (hostProvided) { subtask = parentTask.getLatestSubtask(); if (!subtask) { throw new Error('),
    '`[^`]*`',
    ws('); } task.setParentSubtask(subtask); } } const started = task.enterSync();'),
  ].join(''),
  'g',
);

/**
 * `_lowerImportBackwardsCompat.bind(null, { ... importFn: _trampolineN, })`: the options object,
 * whose own keys jco writes one per line, two spaces in from the brace (nested values further).
 */
const LOWER_BIND = /_lowerImportBackwardsCompat\.bind\(\n( *)null,\n\1\{\n([\s\S]*?)\n\1 {2}importFn: _trampoline\d+,\n\1\},/g;
const ownKey = (body: string, indent: string, key: string, value: string) => body.split('\n').includes(`${indent}  ${key}: ${value},`);
/** An import value wired into a core instance. */
const WIRED = /Object\.assign\(([^{]+?), \{ _jcoMaySuspend: false \}\)/g;

const INSTANTIATE = 'export function instantiate(getCoreModule, imports, instantiateCore = WebAssembly.instantiate) {\n';

/**
 * At every instantiation the bindings probe for JSPI with `WebAssembly.promising(f)` in a
 * try/catch. Without JSPI (Node 20) that throws a TypeError, and to word "... is not a function"
 * V8 re-parses the function around the call: jco's instantiate, tens of thousands of lines, about
 * 3 ms per probe, two probes per render. Throwing a plain value instead keeps the same catch
 * path without the message.
 */
export function skipPromisingProbe(js: string): string {
  if (count(js, INSTANTIATE) !== 1 || !js.includes('WebAssembly.promising(')) return js;
  return js
    .replaceAll('WebAssembly.promising(', '_sphPromising(')
    .replace(INSTANTIATE, `${INSTANTIATE}  const _sphPromising = typeof WebAssembly.promising === 'function' ? WebAssembly.promising : (f) => { throw f; };\n`);
}

function refuse(js: string, reason: string): SyncFastPath {
  return { js, applied: false, reason };
}

const count = (text: string, needle: string) => text.split(needle).length - 1;

export function applySyncFastPath(js: string): SyncFastPath {
  if (count(js, DEBUG_LOG) !== 1) return refuse(js, 'the _debugLog helper is not the one expected');
  if (count(js, LOWER_HEAD) !== 1) return refuse(js, '_lowerImportBackwardsCompat is not the one expected');
  if (/\bisAsync: true\b|\bfuncTypeIsAsync: true\b/.test(js)) return refuse(js, 'the component has async functions');

  // Every host trampoline's task prologue must be the one we know.
  const hostTrampolines = count(js, 'const hostProvided = true;');
  const prologues = js.match(PROLOGUE)?.length ?? 0;
  if (hostTrampolines === 0) return refuse(js, 'no host imports');
  if (prologues !== hostTrampolines) return refuse(js, `${hostTrampolines - prologues} host import(s) with an unrecognised task prologue`);

  // Every lowered import: synchronous, of component instance 0, and marked for the fast path.
  let lowers = 0;
  let bad: string | null = null;
  const bound = js.replace(LOWER_BIND, (whole, indent: string, body: string) => {
    lowers++;
    if (!ownKey(body, indent, 'isAsync', 'false') || !ownKey(body, indent, 'funcTypeIsAsync', 'false')) bad ??= 'an import that is not synchronous';
    if (!ownKey(body, indent, 'componentIdx', '0')) bad ??= 'a composed component (more than one instance)';
    return whole.replace('{\n', `{\n${indent}  sphSync: true,\n`);
  });
  if (bad) return refuse(js, `the component has ${bad}`);
  if (lowers !== 2 * hostTrampolines) return refuse(js, `${lowers} lowered imports for ${hostTrampolines} host trampolines`);

  // Every import wired into a core instance: a lowered host import, a resource drop, a core
  // export (the shim tables componentize-js uses) or the may-leave guard around a drop. A
  // canonical built-in (task.return, waitable-set.*, stream.*, context.*) is none of these.
  const lowered = new Set([...js.matchAll(/let (trampoline\d+) = _trampoline\d+\.manuallyAsync \?/g)].map((m) => m[1]!));
  const drops = new Set([...js.matchAll(/function (trampoline\d+)\(handle\) \{\s*const handleEntry = rscTableRemove\(/g)].map((m) => m[1]!));
  for (const m of js.matchAll(WIRED)) {
    const v = m[1]!.trim();
    const name = /^_guardMayLeave\(0, (trampoline\d+)\)$/.exec(v)?.[1] ?? v;
    if (/^exports\d+(\['[^']+'\]|\.[A-Za-z_$][\w$]*)$/.test(name)) continue;
    if (lowered.has(name) || drops.has(name)) continue;
    return refuse(js, `the core instances import ${v.slice(0, 60)}, which is not a plain host import`);
  }

  const out = bound.replace(DEBUG_LOG, DEBUG_LOG_FAST).replace(LOWER_HEAD, LOWER_HEAD_FAST).replace(PROLOGUE, 'const task = _sphHostTask;');
  return { js: out, applied: true };
}

/** Everything the host does to jco's bindings (transpile.ts): both rewrites above. */
export function rewriteBindings(js: string): SyncFastPath {
  const fast = applySyncFastPath(js);
  return { ...fast, js: skipPromisingProbe(fast.js) };
}
