// The `summit-plugin dev` preview page: follows the session over server-sent events (every
// build and render), shows the widget through the shared widget view, and lets the author
// edit the input. Everything from the server is put in the page as text, never as markup,
// except the widget's HTML, which the server has sanitized and which lives in a shadow root.
import { mountWidget } from '../widget-view.js';
import { bytes, ms } from './format.js';
import { drawChart, drawMeters, type Caps, type Share, type UsageLike } from './meters.js';

interface DevError {
  code: string;
  message: string;
  problems?: { message: string; location?: { file: string; line: number; column: number; lineText?: string } }[];
  details?: Record<string, unknown>;
}
interface BuildInfo {
  seq: number;
  status: 'building' | 'ok' | 'failed';
  reason: string;
  fromCache?: boolean;
  digest?: string;
  sizeBytes?: number;
  imports?: string[];
  denied?: { name: string; reason: string }[];
  timings?: { bundleMs: number; componentizeMs: number; prepareMs: number; totalMs: number };
  error?: DevError;
}
interface RenderInfo {
  seq: number;
  buildSeq: number;
  sample: string | null;
  input: unknown;
  ok: boolean;
  html?: string;
  removed: { kind: string; name: string; element?: string; value?: string; reason: string }[];
  outputBytes?: number;
  usage?: UsageLike;
  percent?: Share;
  caps: Caps;
  error?: DevError;
  logs: { level: string; message: string }[];
  renderMs: number;
  stale: boolean;
}
interface Snapshot {
  project: { id?: string; version?: string; displayName?: string; entry?: string; dir: string };
  samples: { name: string; input: unknown }[];
  sample: string | null;
  input: unknown;
  build: BuildInfo | null;
  render: RenderInfo | null;
  history: { seq: number; percent: Share | null; ok: boolean }[];
  caps: Caps;
  manifestError?: DevError;
}

const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;
const text = (tag: string, s: string, cls = '') => {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  e.textContent = s;
  return e;
};

let caps: Caps = { fuel: 1, cpuMs: 500, memoryBytes: 256 * 1048576, wallMs: 1500, outputBytes: 1048576 };
let history: Snapshot['history'] = [];
let currentInput: unknown = { props: {} };
let samples: Snapshot['samples'] = [];

const view = mountWidget($('widget'), {
  onState: (state) => {
    const base = (currentInput ?? {}) as Record<string, unknown>;
    void requestRender({ input: { ...base, state } });
  },
});

async function requestRender(body: { input?: unknown; sample?: string }): Promise<void> {
  $('input-error').textContent = '';
  const res = await fetch('/api/render', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  if (!res.ok) {
    const j = (await res.json().catch(() => ({}))) as { error?: DevError };
    $('input-error').textContent = j.error ? `${j.error.code}: ${j.error.message}` : `HTTP ${res.status}`;
  }
  // The render itself arrives as a server-sent event, like every other render.
}

function showErrorBox(box: HTMLElement, title: string, err: DevError | undefined): void {
  box.replaceChildren();
  box.hidden = !err;
  if (!err) return;
  box.append(text('strong', `${title}: ${err.code}`));
  box.append(text('pre', err.message));
  box.dataset.code = err.code;
}

function onSnapshot(s: Snapshot): void {
  caps = s.caps;
  history = s.history;
  samples = s.samples;
  document.title = `${s.project.id ?? 'widget'} · summit-plugin dev`;
  $('title').textContent = s.project.displayName ? `${s.project.displayName} (${s.project.id}@${s.project.version})` : s.project.dir;
  const select = $<HTMLSelectElement>('sample');
  select.replaceChildren(...s.samples.map((x) => {
    const o = document.createElement('option');
    o.value = x.name;
    o.textContent = x.name;
    return o;
  }), Object.assign(document.createElement('option'), { value: '', textContent: '(edited)' }));
  select.value = s.sample ?? '';
  setInput(s.input);
  if (s.build) onBuild(s.build);
  if (s.manifestError) showErrorBox($('build-error'), 'summit-plugin.json', s.manifestError);
  if (s.render) onRender(s.render);
  else drawMeters($('meters'), undefined, undefined, undefined, caps);
  drawChart($('chart'), history);
}

function setInput(input: unknown): void {
  currentInput = input;
  const ta = $<HTMLTextAreaElement>('input');
  if (document.activeElement !== ta) ta.value = JSON.stringify(input, null, 2);
}

function onBuild(b: BuildInfo): void {
  const badge = $('build-status');
  badge.dataset.status = b.status;
  badge.dataset.seq = String(b.seq);
  badge.textContent = b.status === 'building' ? `building #${b.seq}…` : b.status === 'ok' ? `ready #${b.seq}` : `build #${b.seq} failed`;
  if (b.status === 'building') return;
  const meta = $('build-meta');
  meta.textContent = b.status === 'ok' && b.timings
    ? `${b.reason} · bundle ${ms(b.timings.bundleMs)} · componentize ${b.fromCache ? 'cached' : ms(b.timings.componentizeMs)} · prepare ${ms(b.timings.prepareMs)}`
    : b.reason;
  showErrorBox($('build-error'), b.status === 'failed' ? 'Build failed (the preview shows the last good build)' : '', b.status === 'failed' ? b.error : undefined);
  if (b.error?.problems?.length) {
    const list = document.createElement('ul');
    for (const p of b.error.problems) list.append(text('li', p.location ? `${p.location.file}:${p.location.line}:${p.location.column} ${p.message}` : p.message));
    $('build-error').append(list);
  }
  const dl = $('build');
  dl.replaceChildren();
  const row = (k: string, v: string) => dl.append(text('dt', k), text('dd', v));
  if (b.digest) row('digest', b.digest);
  if (b.sizeBytes) row('size', bytes(b.sizeBytes));
  if (b.timings) row('total', ms(b.timings.totalMs));
  const imports = $('imports');
  imports.replaceChildren();
  for (const i of b.imports ?? []) imports.append(text('li', i, 'allowed'));
  const denied = b.denied ?? [];
  for (const d of denied) imports.append(text('li', `${d.name}: denied (${d.reason})`, 'denied'));
  if (!b.imports && denied.length === 0) imports.append(text('li', b.status === 'failed' ? 'not loaded' : '–', 'muted'));
}

function onRender(r: RenderInfo): void {
  caps = r.caps;
  if (!history.some((h) => h.seq === r.seq)) history = [...history, { seq: r.seq, percent: r.percent ?? null, ok: r.ok }].slice(-60);
  setInput(r.input);
  $<HTMLSelectElement>('sample').value = r.sample ?? '';
  const frame = $('frame');
  frame.dataset.renderSeq = String(r.seq);
  frame.classList.toggle('stale', r.stale);
  if (r.ok && r.html !== undefined) view.update(r.html);
  showErrorBox($('render-error'), 'Render failed', r.ok ? undefined : r.error);
  drawMeters($('meters'), r.usage, r.outputBytes, r.percent, r.caps);
  drawChart($('chart'), history);
  $('render-meta').textContent = `render #${r.seq}${r.sample ? ` (${r.sample})` : ''} · ${ms(r.renderMs)} round trip`;

  const logs = $('logs');
  logs.replaceChildren(...r.logs.map((l) => text('li', `[${l.level}] ${l.message}`, `log ${l.level}`)));
  if (r.logs.length === 0) logs.append(text('li', 'no log lines', 'muted'));
  const removed = $('removed');
  removed.replaceChildren(...r.removed.map((x) => text('li', `${x.kind === 'element' ? `<${x.name}>` : `${x.name}="${x.value ?? ''}" on <${x.element}>`}: ${x.reason}`, 'removed')));
  if (r.removed.length === 0) removed.append(text('li', r.ok ? 'nothing removed: production shows exactly this' : '–', 'muted'));
}

$('render').addEventListener('click', () => renderFromEditor());
$('input').addEventListener('keydown', (ev) => {
  if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) renderFromEditor();
});
$('reset').addEventListener('click', () => {
  const name = $<HTMLSelectElement>('sample').value || samples[0]?.name;
  if (name) void requestRender({ sample: name });
});
$('sample').addEventListener('change', () => {
  const name = $<HTMLSelectElement>('sample').value;
  if (name) void requestRender({ sample: name });
});
$('rebuild').addEventListener('click', () => void fetch('/api/rebuild', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' }));

function renderFromEditor(): void {
  let input: unknown;
  try {
    input = JSON.parse($<HTMLTextAreaElement>('input').value);
  } catch (err) {
    $('input-error').textContent = `not valid JSON: ${(err as Error).message}`;
    return;
  }
  void requestRender({ input });
}

function connect(): void {
  const es = new EventSource('/api/events');
  const conn = $('conn');
  es.addEventListener('open', () => {
    conn.textContent = 'live';
    conn.dataset.state = 'open';
  });
  es.addEventListener('error', () => {
    conn.textContent = 'reconnecting…';
    conn.dataset.state = 'closed';
  });
  es.addEventListener('snapshot', (ev) => onSnapshot(JSON.parse((ev as MessageEvent).data) as Snapshot));
  es.addEventListener('build', (ev) => onBuild(JSON.parse((ev as MessageEvent).data) as BuildInfo));
  es.addEventListener('render', (ev) => onRender(JSON.parse((ev as MessageEvent).data) as RenderInfo));
}

connect();
