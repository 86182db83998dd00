// CPU time of one thread, read from another: /proc/self/task/<tid>/schedstat (first field,
// nanoseconds on CPU). process.cpuUsage() is per process, and a thread reading its own
// schedstat sees updates only every few ms; read from the supervisor it is precise.
import { readFileSync, readlinkSync } from 'node:fs';

/** The calling thread's kernel thread id (Linux), or null where /proc is not available. */
export function currentThreadId(): number | null {
  try {
    const link = readlinkSync('/proc/thread-self'); // "<pid>/task/<tid>"
    const tid = Number(link.split('/').pop());
    return Number.isInteger(tid) ? tid : null;
  } catch {
    return null;
  }
}

/** Nanoseconds the thread has run on a CPU, or null if unknown (thread gone, no /proc). */
export function threadCpuNs(tid: number | null): bigint | null {
  if (tid === null) return null;
  try {
    const text = readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1');
    return BigInt(text.slice(0, text.indexOf(' ')));
  } catch {
    return null;
  }
}
