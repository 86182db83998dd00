// wasi:clocks: real clocks; sleeping (subscribe-*) blocks the worker, which the wall cap bounds.
import { timerPollable, type Pollable } from './io.js';

export function wasiClocks() {
  return {
    'wasi:clocks/monotonic-clock': {
      now: (): bigint => process.hrtime.bigint(),
      resolution: (): bigint => 1n,
      subscribeInstant: (instant: bigint): Pollable => timerPollable(BigInt(instant)),
      subscribeDuration: (duration: bigint): Pollable => timerPollable(process.hrtime.bigint() + BigInt(duration)),
    },
    'wasi:clocks/wall-clock': {
      now() {
        const ms = Date.now();
        return { seconds: BigInt(Math.floor(ms / 1000)), nanoseconds: (ms % 1000) * 1_000_000 };
      },
      resolution: () => ({ seconds: 0n, nanoseconds: 1_000_000 }),
    },
  };
}
