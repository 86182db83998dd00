import { describe, expect, it } from 'vitest';
import { WidgetGuard } from '../../../src/server/widget-guard.js';

function clock() {
  let t = 1_000_000;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}
const OPTIONS = { tripAfter: 3, coolDownMs: 5000, maxCoolDownMs: 20_000, suspectForMs: 30_000, suspectConcurrency: 1 };
const code = (f: () => unknown) => {
  try {
    f();
    return 'admitted';
  } catch (e) {
    return (e as { code: string }).code;
  }
};

describe('widget guard', () => {
  it('suspends a widget after renders in a row hit an expensive cap, then probes it once', () => {
    const c = clock();
    const g = new WidgetGuard(OPTIONS, c.now);
    for (let i = 0; i < 3; i++) {
      g.admit('w', 'd').done('SPH_ERR_FUEL_EXHAUSTED');
      c.advance(1);
    }
    expect(code(() => g.admit('w', 'd'))).toBe('SPH_ERR_CIRCUIT_OPEN');
    expect(g.open).toBe(1);
    // Another version of the widget is not affected.
    expect(code(() => g.admit('w', 'other').done('ok'))).toBe('admitted');
    c.advance(5000);
    const probe = g.admit('w', 'd');
    expect(code(() => g.admit('w', 'd'))).toBe('SPH_ERR_CIRCUIT_OPEN'); // one probe at a time
    probe.done('SPH_ERR_WALL_TIMEOUT');
    // Failed probe: suspended twice as long.
    c.advance(9999);
    expect(code(() => g.admit('w', 'd'))).toBe('SPH_ERR_CIRCUIT_OPEN');
    c.advance(1);
    g.admit('w', 'd').done('ok');
    expect(g.open).toBe(0);
    c.advance(30_000);
    expect(code(() => g.admit('w', 'd').done('ok'))).toBe('admitted');
  });

  it('oversize output counts as expensive (it is made, copied and measured before it is refused)', () => {
    const g = new WidgetGuard(OPTIONS, clock().now);
    for (let i = 0; i < 3; i++) g.admit('w', 'd').done('SPH_ERR_OUTPUT_LIMIT');
    expect(code(() => g.admit('w', 'd'))).toBe('SPH_ERR_CIRCUIT_OPEN');
  });

  it('cheap failures do not trip it, and a success resets the streak', () => {
    const g = new WidgetGuard(OPTIONS, clock().now);
    for (let i = 0; i < 10; i++) g.admit('w', 'd').done('SPH_ERR_PLUGIN_ERROR');
    g.admit('w', 'd').done('SPH_ERR_FUEL_EXHAUSTED');
    g.admit('w', 'd').done('SPH_ERR_FUEL_EXHAUSTED');
    g.admit('w', 'd').done('ok');
    g.admit('w', 'd').done('SPH_ERR_FUEL_EXHAUSTED');
    expect(g.open).toBe(0);
  });

  it('a widget that hit a cap recently holds at most its share of workers', () => {
    const c = clock();
    const g = new WidgetGuard(OPTIONS, c.now);
    g.admit('w', 'd').done('SPH_ERR_MEMORY_LIMIT');
    const first = g.admit('w', 'd');
    expect(code(() => g.admit('w', 'd'))).toBe('SPH_ERR_OVERLOADED');
    first.done('ok');
    expect(code(() => g.admit('w', 'd').done('ok'))).toBe('admitted');
    // Well-behaved widgets are never limited by it.
    const many = Array.from({ length: 5 }, () => g.admit('good', 'g'));
    expect(many).toHaveLength(5);
    c.advance(30_000);
    const a = g.admit('w', 'd');
    expect(code(() => g.admit('w', 'd'))).toBe('admitted');
    a.done('ok');
  });

  it('suspect widgets share one lane: several of them together hold at most its workers', () => {
    const g = new WidgetGuard({ ...OPTIONS, suspectConcurrency: 2 }, clock().now);
    for (const w of ['a', 'b', 'c']) g.admit(w, 'd').done('SPH_ERR_FUEL_EXHAUSTED');
    const a = g.admit('a', 'd');
    const b = g.admit('b', 'd');
    expect(code(() => g.admit('c', 'd'))).toBe('SPH_ERR_OVERLOADED');
    expect(code(() => g.admit('good', 'g'))).toBe('admitted');
    a.done('SPH_ERR_FUEL_EXHAUSTED');
    a.done('ok'); // reported twice: counted once
    const c = g.admit('c', 'd');
    expect(code(() => g.admit('a', 'd'))).toBe('SPH_ERR_OVERLOADED');
    b.done('ok');
    c.done('ok');
    expect(code(() => g.admit('a', 'd').done('ok'))).toBe('admitted');
  });
});
