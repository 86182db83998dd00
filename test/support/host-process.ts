import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const dist = new URL('../../dist/index.js', import.meta.url).href;

/**
 * Runs `body` in a fresh Node process with `createHost` (from the built package, so its
 * threads start as they do in production, without a TypeScript loader) and `pino` in scope,
 * and returns the JSON object the body prints on its last stdout line. Used where the test
 * runner's own threads would blur a process-wide measurement (RSS, CPU time).
 */
export function inHostProcess<T>(body: string): Promise<T> {
  const script = `import { createHost } from ${JSON.stringify(dist)};\nimport { pino } from 'pino';\n${body}`;
  return new Promise<T>((resolve, reject) =>
    execFile(process.execPath, ['--input-type=module', '-e', script], { cwd: root }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`host process failed: ${stderr || err.message}`));
      try {
        resolve(JSON.parse(stdout.trim().split('\n').at(-1)!) as T);
      } catch {
        reject(new Error(`host process printed no JSON: ${stdout}`));
      }
    }),
  );
}
