// How much fuel one cpu-ms buys. Fuel counts wasm instructions weighted by src/wasm/cost-table
// (structure and local moves free, calls 20-25); how many run per CPU millisecond still depends
// on the workload, so this is the median over a corpus, measured through the host (warm, fresh
// instance per render, so instantiation is in the CPU time too). `npm run bench calibrate`
// re-measures it and prints the spread. The CPU-time backstop in the supervisor stops what the
// estimate lets through: sparse code (a bare `loop br`) runs out of CPU time before fuel.
export const CALIBRATION = Object.freeze({
  fuelPerCpuMs: 6_600_000,
  measuredOn: '2026-11-22, 2-core x86_64 VM, Node 20.20; median 6.6M, spread 5.7M-14.0M (2.4x)',
  corpus: Object.freeze([
    'bench/workloads/fib.wat (recursive calls)',
    'bench/workloads/matmul.wat (f64 loads, stores, math)',
    'bench/workloads/bytes.wat (byte loop over 2 MiB)',
    'test/fixtures/wat/fuel-work.wat (integer hash mixing)',
    'bench/workloads/js-workloads.js sort | json | html | loop (JavaScript in componentize-js SpiderMonkey)',
  ]),
});

export function fuelForCpuMs(cpuMs: number): bigint {
  return BigInt(Math.round(cpuMs * CALIBRATION.fuelPerCpuMs));
}
