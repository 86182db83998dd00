// SVG chart: bars or a line from data in props, drawn as inline SVG (no scripts, no external
// resources: the sanitizer keeps inline SVG). Scales to its container through the viewBox;
// accessible through role="img", a <title> and a table of the values for screen readers.
import { log } from 'summit:widget/host@0.1.0';

interface Point {
  label: string;
  value: number;
}

interface Props {
  title?: string;
  kind?: 'bar' | 'line';
  data?: Point[];
  /** Fill/stroke colour: a hex colour like #2f81f7. */
  color?: string;
  unit?: string;
  /** Draw a reference line (a target or a threshold). */
  target?: number;
}

const W = 480;
const H = 240;
const PAD = { top: 28, right: 16, bottom: 36, left: 48 };
const MAX_POINTS = 200;

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
const num = (v: number): string => String(Math.round(v * 10) / 10);

/** 1, 2 or 5 times a power of ten: readable axis steps. */
function niceStep(range: number, ticks: number): number {
  const raw = range / Math.max(1, ticks);
  const pow = 10 ** Math.floor(Math.log10(raw));
  const f = raw / pow;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * pow;
}

function validate(props: Props): Point[] {
  const data = props.data;
  if (!Array.isArray(data) || data.length === 0) throw 'props.data must be a non-empty array of {label, value}';
  if (data.length > MAX_POINTS) throw `props.data has ${data.length} points; at most ${MAX_POINTS} are drawn`;
  return data.map((p, i) => {
    if (typeof p?.value !== 'number' || !Number.isFinite(p.value)) throw `props.data[${i}].value must be a finite number`;
    return { label: String(p.label ?? i + 1), value: p.value };
  });
}

export function render(inputText: string): string {
  const input = JSON.parse(inputText) as Summit.Input<Props>;
  const props = input.props ?? {};
  const data = validate(props);
  const kind = props.kind === 'line' ? 'line' : 'bar';
  const color = /^#[0-9a-fA-F]{3,8}$/.test(props.color ?? '') ? props.color! : '#2f81f7';
  const dark = input.context?.theme === 'dark';
  const fg = dark ? '#e6edf3' : '#1f2328';
  const grid = dark ? '#444c56' : '#d0d7de';
  const unit = props.unit ? ` ${esc(props.unit)}` : '';
  const title = esc(props.title ?? 'Chart');

  const values = data.map((p) => p.value).concat(props.target ?? []);
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values);
  const step = niceStep(hi - lo || 1, 4);
  const min = Math.floor(lo / step) * step;
  const max = Math.ceil(hi / step) * step || step;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const y = (v: number) => PAD.top + plotH - ((v - min) / (max - min)) * plotH;
  const slot = plotW / data.length;
  const x = (i: number) => PAD.left + slot * i + slot / 2;

  const parts: string[] = [];
  for (let t = min; t <= max + step / 2; t += step) {
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${num(y(t))}" y2="${num(y(t))}" stroke="${grid}" stroke-width="1"></line>`);
    parts.push(`<text x="${PAD.left - 6}" y="${num(y(t) + 4)}" text-anchor="end" font-size="11" fill="${fg}">${num(t)}</text>`);
  }
  if (kind === 'bar') {
    const bw = Math.max(1, slot * 0.7);
    data.forEach((p, i) => {
      const top = y(Math.max(p.value, 0));
      const h = Math.max(1, Math.abs(y(p.value) - y(0)));
      parts.push(`<rect x="${num(x(i) - bw / 2)}" y="${num(top)}" width="${num(bw)}" height="${num(h)}" fill="${color}" rx="2"><title>${esc(p.label)}: ${num(p.value)}${unit}</title></rect>`);
    });
  } else {
    const path = data.map((p, i) => `${i === 0 ? 'M' : 'L'}${num(x(i))} ${num(y(p.value))}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2.5" stroke-linejoin="round" stroke-linecap="round"></path>`);
    data.forEach((p, i) => parts.push(`<circle cx="${num(x(i))}" cy="${num(y(p.value))}" r="3.5" fill="${color}"><title>${esc(p.label)}: ${num(p.value)}${unit}</title></circle>`));
  }
  if (typeof props.target === 'number' && Number.isFinite(props.target)) {
    parts.push(`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${num(y(props.target))}" y2="${num(y(props.target))}" stroke="#cf222e" stroke-dasharray="4 3" stroke-width="1.5"></line>`);
  }
  // Every label when they fit, otherwise about eight.
  const every = Math.ceil(data.length / 8);
  data.forEach((p, i) => {
    if (i % every === 0) parts.push(`<text x="${num(x(i))}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="11" fill="${fg}">${esc(p.label.slice(0, 12))}</text>`);
  });
  parts.push(`<text x="${PAD.left}" y="16" font-size="13" font-weight="600" fill="${fg}">${title}</text>`);

  const rows = data.map((p) => `<tr><th scope="row">${esc(p.label)}</th><td>${num(p.value)}${unit}</td></tr>`).join('');
  log('debug', `svg-chart drew ${data.length} points as ${kind}`);
  return (
    `<figure class="chart" style="margin:0;font-family:system-ui,sans-serif">` +
    `<svg viewBox="0 0 ${W} ${H}" width="100%" role="img" aria-label="${title}"><title>${title}</title>${parts.join('')}</svg>` +
    `<table class="chart-values" style="position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0)"><caption>${title}</caption>${rows}</table>` +
    `</figure>`
  );
}
