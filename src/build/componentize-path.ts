// componentize-js 0.23 decides whether the source lies inside the working directory with a
// plain string prefix test (`dir.startsWith(cwd)`, after path.resolve), so with cwd /w/app a
// source under /w/app-cache is taken for one inside /w/app, its path is cut at the wrong
// place and the build fails with "Error loading module". Such a work directory is swapped for
// one that is not a mere string prefix match.
import { tmpdir } from 'node:os';
import { basename, join, resolve, sep } from 'node:path';

/** Whether componentize-js would take `dir` for a directory inside `cwd` when it is not. */
export function confusableWithCwd(dir: string, cwd: string): boolean {
  const d = resolve(dir);
  const c = resolve(cwd);
  return d.startsWith(c) && d !== c && d[c.length] !== sep;
}

/** `preferred` if componentize-js reads it right from `cwd`, else a directory under tmp. */
export function componentizeWorkDir(preferred: string, cwd: string): string {
  if (!confusableWithCwd(preferred, cwd)) return preferred;
  const alt = join(tmpdir(), `summit-plugin-${basename(preferred)}`);
  return confusableWithCwd(alt, cwd) ? preferred : alt;
}
