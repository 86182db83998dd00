import type { CostModel } from './cost-model.js';
import { WasmRewriteError } from './errors.js';
import { emitBody } from './body-emitter.js';
import {
  EDIT_CALL,
  EDIT_CHARGE,
  EDIT_ENTRY,
  EDIT_GLOBAL_GET,
  EDIT_GLOBAL_SET,
  EDIT_LOOP,
  EDIT_RELOAD,
  EDIT_WRITE_BACK,
  EditList,
} from './edit-list.js';
import { InstructionDecoder } from './instruction-decoder.js';
import { Role } from './opcodes.js';
import { Reader } from './reader.js';
import { skipValType } from './value-types.js';
import type { Writer } from './writer.js';

// Local copies: see the note on Role in opcodes.ts.
const {
  PLAIN: R_PLAIN,
  BLOCK: R_BLOCK,
  LOOP: R_LOOP,
  IF: R_IF,
  ELSE: R_ELSE,
  END: R_END,
  TRY: R_TRY,
  CATCH: R_CATCH,
  DELEGATE: R_DELEGATE,
  TRY_TABLE: R_TRY_TABLE,
  BR: R_BR,
  BR_IF: R_BR_IF,
  BR_TABLE: R_BR_TABLE,
  RETURN: R_RETURN,
  UNREACHABLE: R_UNREACHABLE,
  THROW: R_THROW,
  CALL: R_CALL,
  RETURN_CALL: R_RETURN_CALL,
  BR_ON: R_BR_ON,
  GLOBAL_GET: R_GLOBAL_GET,
  GLOBAL_SET: R_GLOBAL_SET,
  MEMORY_GROW: R_MEMORY_GROW,
  TABLE_GROW: R_TABLE_GROW,
  BULK: R_BULK,
} = Role;

/** How code is rewritten; shared by all bodies of one module. */
export interface BodyRewriteContext {
  bytes: Uint8Array;
  /** Insert fuel metering. */
  fuel: boolean;
  /** Globals below this index are imports and keep their index. */
  importedGlobals: number;
  /** How far defined globals move (the number of added imported globals). */
  globalShift: number;
  fuelGlobal: number;
  costs: CostModel;
  /**
   * Functions the host can call directly (exports, start). They check fuel on entry even
   * without loops or calls, so calling them with fuel already below zero traps.
   */
  entryPoints: ReadonlySet<number>;
  /** Function index of the grow wrapper for a memory / table (created on first use). */
  memoryGrowWrapper(memory: number): number;
  tableGrowWrapper(table: number): number;
  /**
   * Function index of the metered wrapper for the bulk instruction encoded at
   * bytes[start, end), or -1 when bulk instructions are not metered by length.
   */
  bulkWrapper(start: number, end: number, index: number): number;
}

/** Run 0 collects the cost of unreachable code (after br, return, ...): never charged. */
const DEAD_RUN = 0;

// Control frame kinds, to decide whether the code after an `end` can be reached other than
// by falling through.
const F_BLOCK = 1;
const F_LOOP = 2;
const F_IF = 3;
const F_TRY = 4;

/**
 * Rewrites function bodies in two passes over the original bytes: the first decodes every
 * instruction once, sums the cost of each straight-line run and records where edits go;
 * the second copies the original bytes between edits and emits the edits. Run costs are
 * therefore known before the charge at the start of the run is written, without padding
 * LEB128 immediates or decoding twice.
 *
 * Runs. A run ends at anything that can transfer control (if, else, end, br*, return,
 * throw...) and a new one starts where control can arrive from elsewhere: loop headers, the
 * arms of if/else and catch handlers, after a conditional branch, and after the end of a
 * block or if that control can leave early. Elsewhere a run goes on: past `block`, calls,
 * the end of a loop or of a block no branch targets, and the end of a block or if nothing
 * leaves early (the code after it then belongs to the run that entered it). In each case
 * the code after runs exactly when the code before did, so charging it up front is exact
 * and over-charges only when something traps or throws. Code after an unconditional
 * transfer is unreachable until the next join point: its cost goes to DEAD_RUN, never
 * charged.
 *
 * Forms. "Local" (the default): an i64 local holds the remaining fuel, loaded at entry,
 * written back before calls, returns, branches out and the final end, reloaded after calls
 * (redundant write-back/reload pairs between back-to-back calls are dropped). Functions
 * with exception handling charge the global directly (a throw would skip the write-back),
 * and so do small leaves, where it is cheaper. Every function with loops or calls checks at
 * entry; every loop header checks. Leaves (no loops, no calls) are bounded by their size and
 * check only when the host can call them directly.
 */
export class BodyRewriter {
  readonly #ctx: BodyRewriteContext;
  readonly #edits = new EditList();
  #runCosts = new Float64Array(256);
  #runCount = 0;
  // Per open control frame (index = depth, 0 = the function): its kind, whether a branch
  // targets its end, whether control can leave it other than through its end (a branch to
  // an outer label, return, throw), and the run that was current when it opened.
  #frameKind = new Uint8Array(64);
  #frameTargeted = new Uint8Array(64);
  #frameEscaped = new Uint8Array(64);
  #frameRun = new Int32Array(64);

  constructor(ctx: BodyRewriteContext) {
    this.#ctx = ctx;
  }

  #push(depth: number, kind: number, run: number): void {
    if (depth >= this.#frameKind.length) {
      const grow = <T extends Uint8Array | Int32Array>(a: T, make: (n: number) => T): T => {
        const b = make(a.length * 2);
        b.set(a);
        return b;
      };
      this.#frameKind = grow(this.#frameKind, (n) => new Uint8Array(n));
      this.#frameTargeted = grow(this.#frameTargeted, (n) => new Uint8Array(n));
      this.#frameEscaped = grow(this.#frameEscaped, (n) => new Uint8Array(n));
      this.#frameRun = grow(this.#frameRun, (n) => new Int32Array(n));
    }
    this.#frameKind[depth] = kind;
    this.#frameTargeted[depth] = 0;
    this.#frameEscaped[depth] = 0;
    this.#frameRun[depth] = run;
  }

  /** Records a branch to relative label `label` from nesting depth `depth`. */
  #target(depth: number, label: number): void {
    if (label > depth) return; // invalid; the engine will reject the module
    this.#frameTargeted[depth - label] = 1;
    this.#escape(depth - label, depth);
  }

  /** Control may leave frames outer+1..depth without reaching their end. */
  #escape(outer: number, depth: number): void {
    const e = this.#frameEscaped;
    for (let f = depth; f > outer; f--) e[f] = 1;
  }

  #newRun(): number {
    if (this.#runCount === this.#runCosts.length) {
      const next = new Float64Array(this.#runCosts.length * 2);
      next.set(this.#runCosts);
      this.#runCosts = next;
    }
    this.#runCosts[this.#runCount] = 0;
    return this.#runCount++;
  }

  /**
   * Writes the rewritten body (locals and code, without the size prefix) of the function
   * whose body occupies bytes[start, end).
   */
  rewrite(funcIndex: number, start: number, end: number, paramCount: number, out: Writer): void {
    const ctx = this.#ctx;
    const bytes = ctx.bytes;
    const what = `function ${funcIndex}`;

    // Locals: the added i64 goes after all declared locals, so no local index moves.
    const lr = new Reader(bytes, start, end, what);
    const localEntries = lr.count();
    const entriesStart = lr.pos;
    let localCount = paramCount;
    for (let i = 0; i < localEntries; i++) {
      localCount += lr.u32();
      skipValType(lr);
    }
    const codeStart = lr.pos;

    // Pass 1.
    const edits = this.#edits;
    edits.reset();
    this.#runCount = 0;
    this.#newRun(); // DEAD_RUN
    const fuel = ctx.fuel;
    const costs = ctx.costs;
    const uniform = costs.uniform;
    const importedGlobals = ctx.importedGlobals;
    const shift = ctx.globalShift;
    let hasExceptions = false;
    // Loops and calls are the only ways to run unboundedly; a function with neither needs no
    // check of its own (its callers' checks bound it) unless the host calls it directly.
    let hasLoopsOrCalls = false;
    let depth = 0;
    let run = this.#newRun();
    this.#push(0, F_BLOCK, run);
    if (fuel) edits.add(codeStart, EDIT_ENTRY, run, 0);
    const d = new InstructionDecoder(bytes, codeStart, end, what);
    let runCosts = this.#runCosts;
    let done = false;
    // Index of the reload after the last call while nothing since has read or changed the
    // local or left straight-line code; -1 otherwise. Then L equals the global, so a
    // write-back is redundant, and if control leaves (or calls) unconditionally the reload
    // itself is too: `call f; call g` and `call f; return` keep fuel only in the global.
    let synced = -1;
    while (!done) {
      d.next();
      const cost = uniform ? 1 : costs.of(d.key);
      runCosts[run]! += cost;
      const role = d.role;
      if (role === R_PLAIN) continue;
      const wasSynced = synced;
      synced = -1;
      switch (role) {
        case R_BLOCK:
          this.#push(++depth, F_BLOCK, run);
          synced = wasSynced;
          break;
        case R_LOOP:
          hasLoopsOrCalls = true;
          this.#push(++depth, F_LOOP, run);
          run = this.#newRun();
          if (fuel) edits.add(d.pos, EDIT_LOOP, run, 0);
          break;
        case R_IF:
          this.#push(++depth, F_IF, run);
          run = this.#newRun();
          if (fuel) edits.add(d.pos, EDIT_CHARGE, run, 0);
          break;
        case R_ELSE:
          run = this.#newRun();
          if (fuel) edits.add(d.pos, EDIT_CHARGE, run, 0);
          break;
        case R_END: {
          if (depth === 0) {
            if (wasSynced >= 0) edits.cancel(wasSynced);
            else if (fuel) edits.add(d.start, EDIT_WRITE_BACK, 0, 0);
            if (d.pos !== end) {
              throw new WasmRewriteError(`${what}: ${end - d.pos} bytes after the final end at offset ${d.pos}`);
            }
            done = true;
            break;
          }
          // An inner `end` is charged with the code after it, which runs every time control
          // passes the end (by falling through or by a branch to it). The run it closes, often
          // nothing but this `end` after a br_if, then costs nothing and needs no charge.
          runCosts[run]! -= cost;
          const kind = this.#frameKind[depth];
          if ((kind === F_BLOCK || kind === F_IF) && this.#frameEscaped[depth] === 0) {
            // A block or if that nothing leaves early runs to its end once entered: the code
            // after it belongs to the run that was current when it opened.
            run = this.#frameRun[depth]!;
          } else if (kind === F_LOOP || (kind === F_BLOCK && this.#frameTargeted[depth] === 0)) {
            // The end of a loop, or of a block no branch targets, is reached only by falling
            // through: the code after it belongs to the same run.
            synced = wasSynced;
          } else {
            run = this.#newRun();
            if (fuel) edits.add(d.pos, EDIT_CHARGE, run, 0);
          }
          depth--;
          this.#runCosts[run]! += cost;
          break;
        }
        case R_TRY:
          hasExceptions = true;
          this.#push(++depth, F_TRY, run);
          break;
        case R_TRY_TABLE:
          // Its catch clauses may branch to any enclosing label: treat them all as targeted.
          hasExceptions = true;
          this.#frameTargeted.fill(1, 0, depth + 1);
          this.#escape(0, depth);
          this.#push(++depth, F_TRY, run);
          break;
        case R_CATCH:
          hasExceptions = true;
          run = this.#newRun();
          if (fuel) edits.add(d.pos, EDIT_CHARGE, run, 0);
          break;
        case R_DELEGATE:
          hasExceptions = true;
          depth--;
          run = this.#newRun();
          if (fuel) edits.add(d.pos, EDIT_CHARGE, run, 0);
          break;
        case R_THROW:
          hasExceptions = true;
          this.#escape(0, depth);
          run = DEAD_RUN;
          break;
        case R_BR:
          this.#target(depth, d.index);
          if (d.index === depth) {
            if (wasSynced >= 0) edits.cancel(wasSynced);
            else if (fuel) edits.add(d.start, EDIT_WRITE_BACK, 0, 0);
          }
          run = DEAD_RUN;
          break;
        case R_BR_IF:
        case R_BR_ON:
          this.#target(depth, d.index);
          // Conditional: the fall-through path still needs the reloaded local.
          if (fuel && d.index === depth && wasSynced < 0) edits.add(d.start, EDIT_WRITE_BACK, 0, 0);
          run = this.#newRun();
          if (fuel) edits.add(d.pos, EDIT_CHARGE, run, 0);
          break;
        case R_BR_TABLE: {
          const t = d.targets;
          let leaves = false;
          for (let i = 0; i < d.targetCount; i++) {
            const label = t[i]!;
            this.#target(depth, label);
            if (label === depth) leaves = true;
          }
          if (fuel && leaves && wasSynced < 0) edits.add(d.start, EDIT_WRITE_BACK, 0, 0);
          run = DEAD_RUN;
          break;
        }
        case R_RETURN:
        case R_RETURN_CALL:
          if (role === R_RETURN_CALL) hasLoopsOrCalls = true;
          this.#escape(0, depth);
          if (wasSynced >= 0) edits.cancel(wasSynced);
          else if (fuel) edits.add(d.start, EDIT_WRITE_BACK, 0, 0);
          run = DEAD_RUN;
          break;
        case R_UNREACHABLE:
          run = DEAD_RUN;
          break;
        case R_CALL:
          hasLoopsOrCalls = true;
          if (fuel) {
            if (wasSynced >= 0) edits.cancel(wasSynced);
            else edits.add(d.start, EDIT_WRITE_BACK, 0, 0);
            synced = edits.add(d.pos, EDIT_RELOAD, 0, 0);
          }
          break;
        // These neither use the fuel local nor change control flow.
        case R_GLOBAL_GET:
          if (d.index >= importedGlobals) edits.add(d.start, EDIT_GLOBAL_GET, d.index + shift, d.pos);
          synced = wasSynced;
          break;
        case R_GLOBAL_SET:
          if (d.index >= importedGlobals) edits.add(d.start, EDIT_GLOBAL_SET, d.index + shift, d.pos);
          synced = wasSynced;
          break;
        case R_MEMORY_GROW:
          edits.add(d.start, EDIT_CALL, ctx.memoryGrowWrapper(d.index), d.pos);
          synced = wasSynced;
          break;
        case R_TABLE_GROW:
          edits.add(d.start, EDIT_CALL, ctx.tableGrowWrapper(d.index), d.pos);
          synced = wasSynced;
          break;
        case R_BULK: {
          // The wrapper charges the fuel global by length: like a call, the local is written
          // back before and reloaded after. The wrapper checks fuel itself, so the caller
          // does not become a function that needs an entry check.
          const wrapper = ctx.bulkWrapper(d.start, d.pos, d.index);
          if (wrapper < 0) {
            synced = wasSynced;
            break;
          }
          if (wasSynced >= 0) edits.cancel(wasSynced);
          else if (fuel) edits.add(d.start, EDIT_WRITE_BACK, 0, 0);
          edits.add(d.start, EDIT_CALL, wrapper, d.pos);
          if (fuel) synced = edits.add(d.pos, EDIT_RELOAD, 0, 0);
          break;
        }
        default:
          break;
      }
      runCosts = this.#runCosts; // #newRun may have grown the array
    }

    // Pass 2.
    if (edits.count === 0) {
      out.copy(bytes, start, end);
      return;
    }
    // A leaf with at most two charged runs is cheaper charging the global directly than
    // loading and storing a local copy.
    const leaf = !hasLoopsOrCalls;
    emitBody(out, bytes, edits, this.#runCosts, {
      start,
      end,
      localEntries,
      entriesStart,
      codeStart,
      fuelLocal: fuel && !hasExceptions && !(leaf && edits.charges <= 1) ? localCount : -1,
      checkEntry: !leaf || ctx.entryPoints.has(funcIndex),
      fuelGlobal: ctx.fuelGlobal,
    });
  }
}
