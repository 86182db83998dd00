import { WasmRewriteError } from './errors.js';
import {
  EDIT_CALL,
  EDIT_CHARGE,
  EDIT_ENTRY,
  EDIT_GLOBAL_GET,
  EDIT_GLOBAL_SET,
  EDIT_LOOP,
  EDIT_NONE,
  EDIT_RELOAD,
  EDIT_WRITE_BACK,
  type EditList,
} from './edit-list.js';
import {
  globalCharge,
  globalCheckpoint,
  localCharge,
  localChargeAndWriteBack,
  localEntry,
  localLoopHeader,
  reload,
  writeBack,
} from './fuel-snippets.js';
import type { Writer } from './writer.js';

export interface BodyShape {
  /** The body (locals and code) is bytes[start, end). */
  start: number;
  end: number;
  /** Number of local declarations and where they start (after their count). */
  localEntries: number;
  entriesStart: number;
  codeStart: number;
  /** Index of the added i64 fuel local ("local" form), or -1 to charge the global directly. */
  fuelLocal: number;
  /** Check fuel at entry (functions with loops or calls, and entry points). */
  checkEntry: boolean;
  fuelGlobal: number;
}

/**
 * Second pass over a function body: copies the original bytes between edits and emits the
 * edits. Run costs are final by now, so each charge is written with its exact amount.
 */
export function emitBody(out: Writer, bytes: Uint8Array, edits: EditList, runCosts: Float64Array, b: BodyShape): void {
  const { fuelLocal: local, checkEntry, fuelGlobal } = b;
  const useLocal = local >= 0;
  if (useLocal) {
    // The added local goes after all declared ones, so no local index moves.
    out.u32(b.localEntries + 1);
    out.copy(bytes, b.entriesStart, b.codeStart);
    out.u8(1);
    out.u8(0x7e); // i64
  } else {
    out.copy(bytes, b.start, b.codeStart);
  }
  const events = edits.data;
  const count = edits.count;
  let copied = b.codeStart;
  for (let e = 0; e < count; e++) {
    const i = e * 4;
    const pos = events[i]!;
    const kind = events[i + 1]!;
    const arg = events[i + 2]!;
    out.copy(bytes, copied, pos);
    copied = pos;
    switch (kind) {
      case EDIT_NONE:
        break;
      case EDIT_ENTRY: {
        // A checked entry and a loop iteration always cost something, so fuel bounds every
        // execution even when costOf prices some instructions at zero.
        const cost = checkEntry ? Math.max(1, runCosts[arg]!) : runCosts[arg]!;
        if (useLocal) localEntry(out, fuelGlobal, local, cost, checkEntry);
        else if (checkEntry) globalCheckpoint(out, fuelGlobal, cost);
        else globalCharge(out, fuelGlobal, cost);
        break;
      }
      case EDIT_CHARGE:
        if (!useLocal) {
          globalCharge(out, fuelGlobal, runCosts[arg]!);
        } else if (e + 1 < count && events[i + 5] === EDIT_WRITE_BACK && events[i + 4] === pos) {
          // A run that ends right away by leaving the function: charge and write back at once.
          localChargeAndWriteBack(out, fuelGlobal, local, runCosts[arg]!);
          e++;
        } else {
          localCharge(out, local, runCosts[arg]!);
        }
        break;
      case EDIT_LOOP: {
        const cost = Math.max(1, runCosts[arg]!);
        if (useLocal) localLoopHeader(out, fuelGlobal, local, cost);
        else globalCheckpoint(out, fuelGlobal, cost);
        break;
      }
      case EDIT_WRITE_BACK:
        if (useLocal) writeBack(out, fuelGlobal, local);
        break;
      case EDIT_RELOAD:
        if (useLocal) reload(out, fuelGlobal, local);
        break;
      case EDIT_GLOBAL_GET:
      case EDIT_GLOBAL_SET:
        out.u8(kind === EDIT_GLOBAL_GET ? 0x23 : 0x24);
        out.u32(arg);
        copied = events[i + 3]!;
        break;
      case EDIT_CALL:
        out.u8(0x10);
        out.u32(arg);
        copied = events[i + 3]!;
        break;
      default:
        throw new WasmRewriteError(`internal: edit kind ${kind}`);
    }
  }
  out.copy(bytes, copied, b.end);
}
