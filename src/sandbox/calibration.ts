// How much fuel one cpu-ms buys. Fuel counts wasm instructions (1 per instruction, see
// src/wasm); how many run per CPU millisecond depends on the workload, so this is a median over
// a corpus, re-measured by `npm run bench` (bench/calibrate.ts prints the spread). The CPU-time
// backstop in the supervisor stops whatever the fuel estimate lets through.
export const CALIBRATION = Object.freeze({
  fuelPerCpuMs: 1_000_000,
  measuredOn: 'placeholder until bench/calibrate.ts has run',
  corpus: [] as readonly string[],
});

export function fuelForCpuMs(cpuMs: number): bigint {
  return BigInt(Math.round(cpuMs * CALIBRATION.fuelPerCpuMs));
}
