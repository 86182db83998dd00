// Points engine positions back at the author's sources: SpiderMonkey reports errors and stack
// frames against the bundle (`widget.bundle.js:12:9`); with esbuild's source map they become
// `src/widget.ts:4:9`. Used for build errors (exceptions while the engine initializes),
// render errors in `dev` and `check`, and plug-in log lines.
import { relative, resolve } from 'node:path';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { BUNDLE_NAME } from './bundle.js';

const POSITION = new RegExp(`(?:[\\w./-]*/)?${BUNDLE_NAME.replace(/\./g, '\\.')}:(\\d+):(\\d+)`, 'g');

export type PositionMapper = (text: string) => string;

/** A mapper for one bundle's source map; sources are shown relative to projectDir. */
export function createPositionMapper(mapJson: string, projectDir: string): PositionMapper {
  let map: TraceMap;
  try {
    map = new TraceMap(mapJson);
  } catch {
    return (text) => text;
  }
  // esbuild writes sources relative to the output file, which sits in projectDir.
  const show = (source: string) => relative(projectDir, resolve(projectDir, source)).split('\\').join('/');
  return (text) =>
    text
      .replace(POSITION, (whole, line: string, col: string) => {
        const pos = originalPositionFor(map, { line: Number(line), column: Math.max(0, Number(col) - 1) });
        if (pos.source === null || pos.line === null) return whole;
        if (pos.source.endsWith('summit-entry.js')) return whole;
        return `${show(pos.source)}:${pos.line}:${pos.column + 1}`;
      })
      .split('\n')
      // Stack frames of the generated wrapper and of componentize-js's bindings mean nothing to
      // the author: after mapping, any frame still in them goes.
      .filter((l) => !STACK_NOISE.test(l))
      .join('\n');
}

const STACK_NOISE = new RegExp(`^\\s*[\\w$.<>]*@\\S*(?:${BUNDLE_NAME.replace(/\./g, '\\.')}|/initializer\\.js):\\d+:\\d+\\s*$`);
