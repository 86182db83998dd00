/**
 * The edits the first pass over a function body records for the second: each is four
 * int32s (position in the original bytes, kind, argument, end of the replaced range for
 * replacements). Reused across functions to avoid allocating per body.
 */

/** A cancelled edit. */
export const EDIT_NONE = 0;
/** Function entry: load fuel, charge the first run, check. Argument: run index. */
export const EDIT_ENTRY = 1;
/** Charge a run. Argument: run index. */
export const EDIT_CHARGE = 2;
/** Loop header: charge the run, check. Argument: run index. */
export const EDIT_LOOP = 3;
/** Write the fuel local back to the global (before calls, returns, branches out). */
export const EDIT_WRITE_BACK = 4;
/** Reload the fuel local from the global (after calls). */
export const EDIT_RELOAD = 5;
/** Replace a global.get / global.set; argument: the new global index. */
export const EDIT_GLOBAL_GET = 6;
export const EDIT_GLOBAL_SET = 7;
/** Replace memory.grow / table.grow with a call; argument: the wrapper's function index. */
export const EDIT_CALL = 8;

export class EditList {
  data = new Int32Array(1024);
  count = 0;
  /** EDIT_CHARGE edits recorded (a cheap measure of how many runs a function has). */
  charges = 0;

  reset(): void {
    this.count = 0;
    this.charges = 0;
  }

  /** Records an edit and returns its index. */
  add(pos: number, kind: number, arg: number, end: number): number {
    if (kind === EDIT_CHARGE) this.charges++;
    let d = this.data;
    const i = this.count * 4;
    if (i + 4 > d.length) {
      const next = new Int32Array(d.length * 2);
      next.set(d);
      this.data = d = next;
    }
    d[i] = pos;
    d[i + 1] = kind;
    d[i + 2] = arg;
    d[i + 3] = end;
    return this.count++;
  }

  cancel(index: number): void {
    this.data[index * 4 + 1] = EDIT_NONE;
  }
}
