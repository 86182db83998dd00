// wasi:io (error, poll, streams) implemented in memory. We do not use preview2-shim's io: it
// routes every stream call through an extra I/O worker thread and falls back to the host's real
// stdin/stdout. Here a stream is either empty (stdin) or a bounded sink into the plug-in log.

/** wasi:io/error.error */
export class IoError extends Error {
  toDebugString(): string {
    return this.message;
  }
}

/** A pollable is ready at a monotonic instant (ns); streams here are always ready. */
export class Pollable {
  readonly #readyAt: bigint;
  readonly #sleep: (ns: bigint) => void;
  constructor(readyAtNs: bigint, sleep: (ns: bigint) => void) {
    this.#readyAt = readyAtNs;
    this.#sleep = sleep;
  }
  ready(): boolean {
    return process.hrtime.bigint() >= this.#readyAt;
  }
  block(): void {
    const left = this.#readyAt - process.hrtime.bigint();
    if (left > 0n) this.#sleep(left);
  }
  /** Instant at which it becomes ready (for poll over several). */
  get readyAt(): bigint {
    return this.#readyAt;
  }
}

const CLOSED = { tag: 'closed' } as const;

/** Blocks the worker thread; the supervisor's wall deadline still terminates it. */
const sleepCell = new Int32Array(new SharedArrayBuffer(4));
export function sleepNs(ns: bigint): void {
  const ms = Number(ns / 1_000_000n);
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
}

export class InputStream {
  // stdin is empty: every read reports a closed stream.
  read(_len: bigint): Uint8Array {
    throw CLOSED;
  }
  blockingRead(_len: bigint): Uint8Array {
    throw CLOSED;
  }
  skip(_len: bigint): bigint {
    throw CLOSED;
  }
  blockingSkip(_len: bigint): bigint {
    throw CLOSED;
  }
  subscribe(): Pollable {
    return new Pollable(0n, sleepNs);
  }
}

/** Where an output stream's bytes go. */
export type SinkWrite = (bytes: Uint8Array) => void;

const WRITE_BUDGET = 4096n;

export class OutputStream {
  readonly #write: SinkWrite;
  constructor(write: SinkWrite) {
    this.#write = write;
  }
  checkWrite(): bigint {
    return WRITE_BUDGET;
  }
  write(bytes: Uint8Array): void {
    this.#write(bytes);
  }
  blockingWriteAndFlush(bytes: Uint8Array): void {
    this.#write(bytes);
  }
  flush(): void {}
  blockingFlush(): void {}
  writeZeroes(len: bigint): void {
    this.#write(new Uint8Array(Number(len > WRITE_BUDGET ? WRITE_BUDGET : len)));
  }
  blockingWriteZeroesAndFlush(len: bigint): void {
    this.writeZeroes(len);
  }
  splice(_src: InputStream, _len: bigint): bigint {
    throw CLOSED;
  }
  blockingSplice(_src: InputStream, _len: bigint): bigint {
    throw CLOSED;
  }
  subscribe(): Pollable {
    return new Pollable(0n, sleepNs);
  }
}

export function wasiIo() {
  return {
    'wasi:io/error': { Error: IoError },
    'wasi:io/poll': {
      Pollable,
      poll(list: Pollable[]): Uint32Array {
        if (list.length === 0) throw new IoError('poll called with an empty list');
        const earliest = list.reduce((a, p) => (p.readyAt < a ? p.readyAt : a), list[0]!.readyAt);
        const left = earliest - process.hrtime.bigint();
        if (left > 0n) sleepNs(left);
        const now = process.hrtime.bigint();
        const ready: number[] = [];
        list.forEach((p, i) => {
          if (p.readyAt <= now) ready.push(i);
        });
        return new Uint32Array(ready);
      },
    },
    'wasi:io/streams': { InputStream, OutputStream },
  };
}
