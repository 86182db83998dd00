import { describe, expect, it } from 'vitest';
import { createProgress, formatMs } from '../../../src/cli/progress.js';

const io = (tty: boolean) => {
  const err: string[] = [];
  return { err, io: { stdout: () => {}, stderr: (s: string) => void err.push(s), stderrIsTTY: tty } };
};

describe('progress', () => {
  it('prints plain lines when stderr is not a terminal', () => {
    const { err, io: x } = io(false);
    const p = createProgress(x);
    p.note('building acme/w@1.0.0');
    p.start('componentizing')('componentized');
    expect(err.join('')).toMatch(/^building acme\/w@1\.0\.0\ncomponentizing\.\.\.\ncomponentized \(\d+ ms\)\n$/);
    expect(err.join('')).not.toContain('\r');
  });

  it('draws a spinner line on a terminal and clears it', async () => {
    const { err, io: x } = io(true);
    const end = createProgress(x).start('componentizing');
    await new Promise((r) => setTimeout(r, 250));
    end('done');
    const out = err.join('');
    // eslint-disable-next-line no-control-regex
    expect(out).toMatch(/\r\x1b\[K[⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏] componentizing \d+ ms/);
    expect(out.endsWith('\r\x1b[Kdone (' + out.split('done (')[1])).toBe(true);
    expect(err.length).toBeGreaterThan(2);
  });

  it('is silent with quiet', () => {
    const { err, io: x } = io(true);
    createProgress(x, { quiet: true }).start('x')('y');
    expect(err).toEqual([]);
  });

  it('formats durations', () => {
    expect(formatMs(12.4)).toBe('12 ms');
    expect(formatMs(2345)).toBe('2.3 s');
  });
});
