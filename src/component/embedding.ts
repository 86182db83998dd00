// How a component embeds a core module it was made from. componentize-js makes the engine
// module (Wizer, then WASI stubbing) and wit-component wraps it into the component, dropping
// the `component-type` custom section and merging its own name into `producers`; code and
// data go in unchanged. Learned from one pair (module before wrapping, module as embedded)
// and applied to the next build's module, this predicts the embedded module before the
// component exists, so `dev` can instrument and compile it while componentize-js is still
// wrapping (prepare.ts anticipate()). A prediction is only ever used when it equals the real
// embedded module byte for byte; a wrong one costs time, never correctness.
import { SEC_CUSTOM, splitSections } from '../wasm/module.js';

/**
 * What happens to each section of the source, by key (`id:<n>` for a non-custom section,
 * `custom:<name>`): custom sections are kept, dropped or replaced by these bytes, and new
 * custom sections may follow any section (`start`: before the first).
 */
export interface Embedding {
  readonly rules: ReadonlyMap<string, 'keep' | 'drop' | Uint8Array>;
  readonly inserts: ReadonlyMap<string, readonly Uint8Array[]>;
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.length), Buffer.from(b.buffer, b.byteOffset, b.length)) === 0;

const keyOf = (s: { id: number; customName?: string | undefined }): string => (s.id === SEC_CUSTOM ? `custom:${s.customName}` : `id:${s.id}`);

/**
 * The rule that turns `source` into `embedded`, or undefined when there is none of this form:
 * every non-custom section identical and in order; custom sections kept, dropped, replaced in
 * place, or added. Section keys must be unique (a custom name that repeats: no rule).
 */
export function learnEmbedding(source: Uint8Array, embedded: Uint8Array): Embedding | undefined {
  try {
    if (!equal(source.subarray(0, 8), embedded.subarray(0, 8))) return undefined;
    const a = splitSections(source);
    const b = splitSections(embedded);
    const keys = a.map(keyOf);
    if (new Set(keys).size !== keys.length) return undefined;
    const rules = new Map<string, 'keep' | 'drop' | Uint8Array>();
    const inserts = new Map<string, Uint8Array[]>();
    let last = 'start';
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      const s = a[i];
      const t = b[j];
      if (s && t && s.id === t.id && (s.id !== SEC_CUSTOM || s.customName === t.customName)) {
        const from = source.subarray(s.start, s.end);
        const to = embedded.subarray(t.start, t.end);
        if (s.id !== SEC_CUSTOM && !equal(from, to)) return undefined; // code and data go in unchanged
        if (s.id === SEC_CUSTOM) rules.set(keys[i]!, equal(from, to) ? 'keep' : to.slice());
        last = keys[i]!;
        i++;
        j++;
      } else if (s && s.id === SEC_CUSTOM && !b.slice(j).some((x) => x.id === SEC_CUSTOM && x.customName === s.customName)) {
        rules.set(keys[i]!, 'drop');
        last = keys[i]!;
        i++;
      } else if (t && t.id === SEC_CUSTOM) {
        const list = inserts.get(last) ?? [];
        list.push(embedded.slice(t.start, t.end));
        inserts.set(last, list);
        j++;
      } else {
        return undefined;
      }
    }
    const rule: Embedding = { rules, inserts };
    const check = applyEmbedding(rule, source);
    return check && equal(check, embedded) ? rule : undefined;
  } catch {
    return undefined; // not a module this handles
  }
}

/**
 * The predicted embedded module, or undefined when `source` does not fit the rule (a custom
 * section the rule does not know, a repeated key, or a section the rule inserts after missing).
 */
export function applyEmbedding(rule: Embedding, source: Uint8Array): Uint8Array | undefined {
  try {
    const sections = splitSections(source);
    const keys = sections.map(keyOf);
    if (new Set(keys).size !== keys.length) return undefined;
    for (const k of rule.inserts.keys()) if (k !== 'start' && !keys.includes(k)) return undefined;
    const parts: Uint8Array[] = [source.subarray(0, 8), ...(rule.inserts.get('start') ?? [])];
    for (const [n, s] of sections.entries()) {
      if (s.id !== SEC_CUSTOM) {
        parts.push(source.subarray(s.start, s.end));
      } else {
        const r = rule.rules.get(keys[n]!);
        if (r === undefined) return undefined;
        if (r === 'keep') parts.push(source.subarray(s.start, s.end));
        else if (r !== 'drop') parts.push(r);
      }
      parts.push(...(rule.inserts.get(keys[n]!) ?? []));
    }
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  } catch {
    return undefined;
  }
}

export { equal as sameBytes };
