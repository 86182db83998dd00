// wasi:io (error, poll, streams) implemented in memory. We do not use preview2-shim's io: it
// routes every stream call through an extra I/O worker thread and falls back to the host's real
// stdin/stdout. Here an input stream reads bytes already in memory (empty for stdin, a response
// body for egress) and an output stream is a bounded sink (the plug-in log, a request body).

/** wasi:io/error.error */
export class IoError extends Error {
  toDebugString(): string {
    return this.message;
  }
}

/** What a pollable waits for: a monotonic instant (timers, always-ready streams) or an event (egress). */
export interface PollSource {
  ready(): boolean;
  /** Monotonic instant (ns) at which it is ready; null when it waits for an event instead. */
  readonly readyAt: bigint | null;
  /** Blocks until ready. */
  block(): void;
  /** For event sources: blocks until some event may have happened, or until `untilNs` (monotonic ns). */
  waitEvent?(untilNs: bigint | null): void;
}

export class Pollable {
  readonly #src: PollSource;
  constructor(src: PollSource) {
    this.#src = src;
  }
  ready(): boolean {
    return this.#src.ready();
  }
  block(): void {
    this.#src.block();
  }
  get source(): PollSource {
    return this.#src;
  }
}

/** Ready at a monotonic instant; blocking sleeps the worker (the wall cap still applies). */
export function timerPollable(readyAtNs: bigint): Pollable {
  return new Pollable({
    readyAt: readyAtNs,
    ready: () => process.hrtime.bigint() >= readyAtNs,
    block() {
      const left = readyAtNs - process.hrtime.bigint();
      if (left > 0n) sleepNs(left);
    },
  });
}

export const readyPollable = (): Pollable => timerPollable(0n);

const CLOSED = { tag: 'closed' } as const;

/** Blocks the worker thread; the supervisor's wall deadline still terminates it. */
const sleepCell = new Int32Array(new SharedArrayBuffer(4));
export function sleepNs(ns: bigint): void {
  const ms = Number(ns) / 1e6;
  if (ms > 0) Atomics.wait(sleepCell, 0, 0, ms);
}

/** A readable stream over bytes already in memory (empty for stdin, a response body for egress). */
export class InputStream {
  #data: Uint8Array;
  #offset = 0;
  constructor(data: Uint8Array = new Uint8Array(0)) {
    this.#data = data;
  }
  read(len: bigint): Uint8Array {
    const left = this.#data.byteLength - this.#offset;
    if (left <= 0) throw CLOSED;
    const n = Number(len > BigInt(left) ? BigInt(left) : len);
    const out = this.#data.slice(this.#offset, this.#offset + n);
    this.#offset += n;
    if (this.#offset >= this.#data.byteLength) {
      this.#data = new Uint8Array(0); // let a large body go as soon as it is read
      this.#offset = 0;
    }
    return out;
  }
  blockingRead(len: bigint): Uint8Array {
    return this.read(len);
  }
  skip(len: bigint): bigint {
    return BigInt(this.read(len).byteLength);
  }
  blockingSkip(len: bigint): bigint {
    return this.skip(len);
  }
  subscribe(): Pollable {
    return readyPollable();
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
    return readyPollable();
  }
}

/**
 * Blocks until at least one pollable is ready; returns the indices of the ready ones. Timers
 * sleep until the earliest instant; egress pollables wait for the supervisor's answer (one
 * shared signal, so waiting on any of them wakes for all).
 */
export function poll(list: Pollable[]): Uint32Array {
  if (list.length === 0) throw new IoError('poll called with an empty list');
  for (;;) {
    const ready: number[] = [];
    let earliest: bigint | null = null;
    let event: PollSource | null = null;
    for (let i = 0; i < list.length; i++) {
      const src = list[i]!.source;
      if (src.ready()) ready.push(i);
      else if (src.readyAt !== null) earliest = earliest === null || src.readyAt < earliest ? src.readyAt : earliest;
      else event ??= src;
    }
    if (ready.length > 0) return new Uint32Array(ready);
    if (event?.waitEvent) event.waitEvent(earliest);
    else if (earliest !== null) sleepNs(earliest - process.hrtime.bigint());
    else event?.block();
  }
}

export function wasiIo() {
  return {
    'wasi:io/error': { Error: IoError },
    'wasi:io/poll': { Pollable, poll },
    'wasi:io/streams': { InputStream, OutputStream },
  };
}
