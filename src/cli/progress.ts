// Progress of slow steps on stderr (stdout is for results and --json). On a terminal a
// spinner with the elapsed time; otherwise (CI logs, pipes) one plain line per step.
import type { Io } from './output.js';

const FRAMES = ['⠋', '⠙', '⠹', '⠸', '⠼', '⠴', '⠦', '⠧', '⠇', '⠏'];

export interface Progress {
  /** Starts a step; the returned function ends it with a result line. */
  start(label: string): (result: string) => void;
  /** A line of its own. */
  note(line: string): void;
  /** Ends a running step without a result (on failure). */
  stop(): void;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

export function createProgress(io: Io, opts: { quiet?: boolean } = {}): Progress {
  if (opts.quiet) return { start: () => () => {}, note: () => {}, stop: () => {} };
  const tty = io.stderrIsTTY === true;
  let timer: NodeJS.Timeout | undefined;
  let line = '';
  const clear = () => {
    if (timer) clearInterval(timer);
    timer = undefined;
    if (tty && line) io.stderr('\r\x1b[K');
    line = '';
  };
  return {
    start(label) {
      clear();
      const t0 = performance.now();
      if (tty) {
        let i = 0;
        const draw = () => {
          line = `${FRAMES[i++ % FRAMES.length]} ${label} ${formatMs(performance.now() - t0)}`;
          io.stderr(`\r\x1b[K${line}`);
        };
        draw();
        timer = setInterval(draw, 100);
        timer.unref();
      } else {
        io.stderr(`${label}...\n`);
      }
      return (result) => {
        clear();
        io.stderr(`${result} (${formatMs(performance.now() - t0)})\n`);
      };
    },
    note(l) {
      clear();
      io.stderr(`${l}\n`);
    },
    stop: clear,
  };
}
