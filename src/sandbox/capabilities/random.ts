// wasi:random: crypto-quality bytes; a single request is bounded so a guest cannot make the
// host allocate an arbitrary buffer outside the guest's capped memory.
import { randomBytes } from 'node:crypto';

const MAX_RANDOM_BYTES = 1 << 20;

function bytes(len: bigint): Uint8Array {
  if (len > BigInt(MAX_RANDOM_BYTES)) {
    throw new RangeError(`random: ${len} bytes requested, at most ${MAX_RANDOM_BYTES} per call`);
  }
  return new Uint8Array(randomBytes(Number(len)));
}
const u64 = (): bigint => randomBytes(8).readBigUInt64LE(0);

export function wasiRandom() {
  return {
    'wasi:random/random': { getRandomBytes: bytes, getRandomU64: u64 },
    'wasi:random/insecure': { getInsecureRandomBytes: bytes, getInsecureRandomU64: u64 },
    'wasi:random/insecure-seed': { insecureSeed: (): [bigint, bigint] => [u64(), u64()] },
  };
}
