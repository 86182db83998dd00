// Reference metering for the exact-count test: charges the fuel global before every
// instruction (after it, for the `end` of a block, if or loop, which is where branches land).
import { InstructionDecoder } from '../../../src/wasm/instruction-decoder.js';
import { Role } from '../../../src/wasm/opcodes.js';
import { splitSections } from '../../../src/wasm/module.js';
import { Reader } from '../../../src/wasm/reader.js';
import { skipValType } from '../../../src/wasm/value-types.js';
import { Writer } from '../../../src/wasm/writer.js';

/**
 * `meteredNoFuel` is our output with fuel off (meter globals imported, globals renumbered);
 * bodies from `firstWrapper` on are our grow wrappers, which are not metered.
 */
export function naiveMetering(meteredNoFuel: Uint8Array, fuelGlobal: number, firstWrapper: number): Uint8Array<ArrayBuffer> {
  const code = splitSections(meteredNoFuel).find((s) => s.id === 10);
  if (!code) return new Uint8Array(meteredNoFuel);
  const r = new Reader(meteredNoFuel, code.payloadStart, code.end, 'code');
  const n = r.u32();
  const payload = new Writer();
  payload.u32(n);
  const body = new Writer();
  const charge = (): void => {
    body.u8(0x23);
    body.u32(fuelGlobal);
    body.u8(0x42);
    body.u8(1);
    body.u8(0x7d);
    body.u8(0x24);
    body.u32(fuelGlobal);
  };
  for (let f = 0; f < n; f++) {
    const size = r.u32();
    const start = r.pos;
    r.skip(size);
    if (f >= firstWrapper) {
      payload.u32(size);
      payload.copy(meteredNoFuel, start, start + size);
      continue;
    }
    body.reset();
    const lr = new Reader(meteredNoFuel, start, start + size, 'body');
    const entries = lr.u32();
    for (let i = 0; i < entries; i++) {
      lr.u32();
      skipValType(lr);
    }
    body.copy(meteredNoFuel, start, lr.pos);
    const d = new InstructionDecoder(meteredNoFuel, lr.pos, start + size, 'body');
    let depth = 0;
    while (d.pos < start + size) {
      d.next();
      const role = d.role;
      if (role === Role.END && depth > 0) {
        depth--;
        body.copy(meteredNoFuel, d.start, d.pos);
        charge();
        continue;
      }
      if (role === Role.BLOCK || role === Role.LOOP || role === Role.IF || role === Role.TRY || role === Role.TRY_TABLE) depth++;
      if (role === Role.DELEGATE) depth--;
      charge();
      body.copy(meteredNoFuel, d.start, d.pos);
    }
    payload.sized(body);
  }
  const out = new Writer();
  out.copy(meteredNoFuel, 0, code.start);
  out.u8(10);
  out.sized(payload);
  out.copy(meteredNoFuel, code.end, meteredNoFuel.length);
  return out.toBytes();
}

