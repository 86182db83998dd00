// Per-render meters and a small chart of the last renders, each as a share of its cap.
import { bytes, count, ms, percent } from './format.js';

export interface Caps {
  fuel: number;
  cpuMs: number;
  memoryBytes: number;
  wallMs: number;
  outputBytes: number;
}

export interface UsageLike {
  fuel: number | null;
  cpuMs: number;
  memoryBytes: number;
  wallMs: number;
}

export interface Share {
  fuel: number | null;
  cpuMs: number;
  memoryBytes: number;
  wallMs: number;
  outputBytes: number;
}

export const METRICS = [
  { key: 'fuel', label: 'Fuel', color: '#8250df', fmt: (v: number) => count(v) },
  { key: 'cpuMs', label: 'CPU', color: '#0969da', fmt: ms },
  { key: 'memoryBytes', label: 'Memory', color: '#1a7f37', fmt: bytes },
  { key: 'wallMs', label: 'Wall', color: '#bf8700', fmt: ms },
  { key: 'outputBytes', label: 'Output', color: '#57606a', fmt: bytes },
] as const;

type Key = (typeof METRICS)[number]['key'];
const SVG = 'http://www.w3.org/2000/svg';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, cls: string, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

export function drawMeters(box: HTMLElement, usage: UsageLike | undefined, outputBytes: number | undefined, share: Share | undefined, caps: Caps): void {
  box.replaceChildren();
  for (const m of METRICS) {
    const value = m.key === 'outputBytes' ? outputBytes : usage?.[m.key as keyof UsageLike];
    const p = share?.[m.key as Key] ?? null;
    const row = el('div', 'meter');
    row.dataset.meter = m.key;
    row.append(el('span', 'name', m.label));
    const bar = el('div', 'bar');
    const fill = el('div', `fill ${p === null ? '' : p >= 80 ? 'hot' : p >= 50 ? 'warm' : ''}`);
    fill.style.width = `${Math.min(100, p ?? 0)}%`;
    fill.style.background = m.color;
    bar.append(fill);
    row.append(bar);
    row.append(el('span', 'value', value === null || value === undefined ? '–' : m.fmt(value)));
    row.append(el('span', 'cap', `${percent(p)} of ${m.fmt(caps[m.key])}`));
    box.append(row);
  }
}

export function drawChart(box: HTMLElement, history: { seq: number; percent: Share | null; ok: boolean }[]): void {
  const W = 340;
  const H = 120;
  const pad = 22;
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${W} ${H}`);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', 'share of each cap over the last renders');
  const last = history.slice(-40);
  const max = Math.max(100, ...last.flatMap((h) => (h.percent ? METRICS.slice(0, 4).map((m) => h.percent![m.key as Key] ?? 0) : [])));
  const y = (p: number) => H - pad - (p / max) * (H - 2 * pad);
  const x = (i: number) => pad + (last.length <= 1 ? 0 : (i / (last.length - 1)) * (W - 2 * pad));
  const line = (x1: number, y1: number, x2: number, y2: number, stroke: string, dash = '') => {
    const l = document.createElementNS(SVG, 'line');
    for (const [k, v] of Object.entries({ x1, y1, x2, y2, stroke, 'stroke-dasharray': dash })) l.setAttribute(k, String(v));
    svg.append(l);
  };
  line(pad, y(100), W - pad, y(100), '#cf222e', '4 3');
  line(pad, y(0), W - pad, y(0), '#8c959f');
  const cap = document.createElementNS(SVG, 'text');
  cap.setAttribute('x', String(W - pad));
  cap.setAttribute('y', String(y(100) - 3));
  cap.setAttribute('text-anchor', 'end');
  cap.setAttribute('class', 'axis');
  cap.textContent = 'cap';
  svg.append(cap);
  for (const m of METRICS.slice(0, 4)) {
    const pts = last.map((h, i) => (h.percent && h.percent[m.key as Key] !== null ? `${x(i).toFixed(1)},${y(h.percent[m.key as Key] as number).toFixed(1)}` : null)).filter(Boolean);
    if (pts.length === 0) continue;
    const pl = document.createElementNS(SVG, 'polyline');
    pl.setAttribute('points', pts.join(' '));
    pl.setAttribute('fill', 'none');
    pl.setAttribute('stroke', m.color);
    pl.setAttribute('stroke-width', '2');
    pl.dataset.metric = m.key;
    svg.append(pl);
    const lastPt = pts.at(-1)!.split(',');
    const dot = document.createElementNS(SVG, 'circle');
    dot.setAttribute('cx', lastPt[0]!);
    dot.setAttribute('cy', lastPt[1]!);
    dot.setAttribute('r', '2.5');
    dot.setAttribute('fill', m.color);
    svg.append(dot);
  }
  const legend = el('div', 'legend');
  for (const m of METRICS.slice(0, 4)) {
    const item = el('span', 'key', m.label);
    item.style.setProperty('--key', m.color);
    legend.append(item);
  }
  box.replaceChildren(svg, legend);
}
