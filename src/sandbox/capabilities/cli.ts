// wasi:cli stdio and terminal: stdin is empty, stdout/stderr go to the plug-in log (bounded
// there), and there is no terminal. Environment, arguments and exit are not offered at all:
// a component importing them is refused at load (no env, DESIGN.md section 5).
import { InputStream, OutputStream, type SinkWrite } from './io.js';

class TerminalInput {}
class TerminalOutput {}

export function wasiCli(sinks: { stdout: SinkWrite; stderr: SinkWrite }) {
  const stdin = new InputStream();
  const stdout = new OutputStream(sinks.stdout);
  const stderr = new OutputStream(sinks.stderr);
  return {
    'wasi:cli/stdin': { getStdin: () => stdin },
    'wasi:cli/stdout': { getStdout: () => stdout },
    'wasi:cli/stderr': { getStderr: () => stderr },
    'wasi:cli/terminal-input': { TerminalInput },
    'wasi:cli/terminal-output': { TerminalOutput },
    'wasi:cli/terminal-stdin': { getTerminalStdin: () => undefined },
    'wasi:cli/terminal-stdout': { getTerminalStdout: () => undefined },
    'wasi:cli/terminal-stderr': { getTerminalStderr: () => undefined },
  };
}
