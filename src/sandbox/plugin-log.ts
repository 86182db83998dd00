// The plug-in's log for one invocation: host `log` calls and stdout/stderr lines, bounded in
// line count and line length so a log flood cannot bloat the host. What is dropped is counted.
import type { LogLevel } from './capabilities/index.js';

export interface PluginLogLine {
  level: LogLevel;
  message: string;
  stream?: 'stdout' | 'stderr';
}

export interface PluginLogOptions {
  maxLines: number;
  maxLineBytes: number;
  emit: (line: PluginLogLine) => void;
}

export class PluginLog {
  readonly #opts: PluginLogOptions;
  #lines = 0;
  #dropped = 0;
  readonly #partial = { stdout: '', stderr: '' };
  readonly #decoder = new TextDecoder();

  constructor(opts: PluginLogOptions) {
    this.#opts = opts;
  }

  get dropped(): number {
    return this.#dropped;
  }

  log = (level: LogLevel, message: string, stream?: 'stdout' | 'stderr'): void => {
    if (this.#lines >= this.#opts.maxLines) {
      this.#dropped++;
      return;
    }
    this.#lines++;
    const max = this.#opts.maxLineBytes;
    const text = message.length > max ? `${message.slice(0, max)}… [truncated]` : message;
    this.#opts.emit(stream ? { level, message: text, stream } : { level, message: text });
  };

  #stream(stream: 'stdout' | 'stderr', bytes: Uint8Array): void {
    if (this.#lines >= this.#opts.maxLines) {
      this.#dropped++;
      return;
    }
    let buf = this.#partial[stream] + this.#decoder.decode(bytes);
    let nl: number;
    while ((nl = buf.indexOf('\n')) !== -1) {
      this.#emitStream(stream, buf.slice(0, nl));
      buf = buf.slice(nl + 1);
    }
    // Keep at most one line's worth of an unterminated line.
    this.#partial[stream] = buf.length > this.#opts.maxLineBytes ? buf.slice(0, this.#opts.maxLineBytes) : buf;
  }

  #emitStream(stream: 'stdout' | 'stderr', line: string): void {
    this.log(stream === 'stderr' ? 'warn' : 'info', line, stream);
  }

  stdout = (bytes: Uint8Array): void => this.#stream('stdout', bytes);
  stderr = (bytes: Uint8Array): void => this.#stream('stderr', bytes);

  /** Emits unterminated stdout/stderr text at the end of the invocation. */
  flush(): void {
    for (const stream of ['stdout', 'stderr'] as const) {
      if (this.#partial[stream]) this.#emitStream(stream, this.#partial[stream]);
      this.#partial[stream] = '';
    }
  }
}
