// The demo page of `npm start`: one card per published widget, each a <summit-widget> (the
// same embed the Summit UI uses), with the usage of its last render or the code that put it
// behind its placeholder; an admin panel that revokes and restores widgets in the registry.
// The page never changes a widget itself after a revocation: the element hears of it on the
// host's event stream, which is the point of the demo.
import type { DemoCard } from '../../server/demo/demo-routes.js';
import '../embed/summit-widget.js';

interface Card extends DemoCard {
  revoked: boolean;
}

interface Usage {
  fuel: number;
  cpuMs: number;
  memoryBytes: number;
  wallMs: number;
}

const $ = (id: string) => document.getElementById(id)!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string> = {}, text?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function describeUsage(u: Usage): string {
  return `fuel ${u.fuel.toLocaleString('en')} · cpu ${u.cpuMs.toFixed(1)} ms · mem ${(u.memoryBytes / 1048576).toFixed(1)} MiB · wall ${u.wallMs.toFixed(1)} ms`;
}

function card(c: Card): HTMLElement {
  const root = el('article', { class: 'card', 'data-kind': c.kind, 'data-widget': c.id });
  const title = el('h2', {}, c.displayName);
  title.append(el('span', { class: 'badge' }, c.kind === 'hostile' ? 'hostile' : 'partner'));
  const widget = el('summit-widget', { widget: c.id, tenant: 'demo' });
  if (c.props !== undefined) widget.setAttribute('props', JSON.stringify(c.props));
  if (c.context?.locale) widget.setAttribute('locale', c.context.locale);
  if (c.context?.theme) widget.setAttribute('theme', c.context.theme);
  const usage = el('div', { class: 'usage', 'data-status': 'pending' }, 'rendering…');
  widget.addEventListener('summit-render', (ev) => {
    const d = (ev as CustomEvent<{ usage: Usage }>).detail;
    usage.dataset.status = 'ok';
    usage.textContent = describeUsage(d.usage);
  });
  widget.addEventListener('summit-error', (ev) => {
    const d = (ev as CustomEvent<{ code: string; message: string }>).detail;
    usage.dataset.status = 'error';
    usage.textContent = `placeholder: ${d.code}`;
    usage.title = d.message;
  });
  root.append(title, el('div', { class: 'id' }, c.id), el('p', { class: 'desc' }, c.description), widget, usage);
  return root;
}

function adminRow(c: Card): HTMLElement {
  const li = el('li', { 'data-widget': c.id });
  const button = el('button', { type: 'button' });
  const show = (revoked: boolean) => {
    button.dataset.revoked = String(revoked);
    button.textContent = revoked ? 'Restore' : 'Revoke';
  };
  show(c.revoked);
  button.addEventListener('click', () => {
    const action = button.dataset.revoked === 'true' ? 'restore' : 'revoke';
    button.disabled = true;
    void fetch('/demo/api/revocations', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-summit-demo': '1' },
      body: JSON.stringify({ id: c.id, action }),
    })
      .then(async (res) => {
        const body = (await res.json()) as { ok?: boolean; snapshotVersion?: number; error?: { code: string; message: string } };
        if (!res.ok || !body.ok) throw new Error(body.error ? `${body.error.code}: ${body.error.message}` : `HTTP ${res.status}`);
        show(action === 'revoke');
        $('admin-status').textContent = `${c.id} ${action === 'revoke' ? 'revoked' : 'restored'} (snapshot ${body.snapshotVersion})`;
      })
      .catch((err: Error) => {
        $('admin-status').textContent = `${action} failed: ${err.message}`;
      })
      .finally(() => {
        button.disabled = false;
      });
  });
  li.append(el('span', {}, c.id), button);
  return li;
}

/** A payload that ran would set window.__summitXss; the flag says whether any did. */
function watchXssFlag(): void {
  const flag = $('xss-flag');
  const check = () => {
    const ran = (window as unknown as { __summitXss?: unknown }).__summitXss !== undefined;
    flag.dataset.state = ran ? 'bad' : 'ok';
    flag.textContent = ran ? 'a script payload RAN in this page' : 'no script payload has run in this page';
  };
  check();
  setInterval(check, 500);
}

function watchStream(): void {
  const flag = $('stream-flag');
  const source = new EventSource('/v1/widgets/events');
  source.addEventListener('open', () => {
    flag.dataset.state = 'ok';
    flag.textContent = 'revocations: live';
  });
  source.addEventListener('error', () => {
    flag.dataset.state = 'bad';
    flag.textContent = 'revocations: reconnecting…';
  });
  source.addEventListener('widgets', (ev) => {
    const { widgets } = JSON.parse((ev as MessageEvent<string>).data) as { widgets: string[] };
    $('admin-status').textContent = `registry snapshot changed: ${widgets.join(', ')}`;
  });
}

async function main(): Promise<void> {
  watchXssFlag();
  watchStream();
  const res = await fetch('/demo/api/widgets');
  const { widgets } = (await res.json()) as { widgets: Card[] };
  const grid = $('grid');
  const list = $('admin-list');
  for (const c of widgets) {
    grid.append(card(c));
    list.append(adminRow(c));
  }
  document.body.dataset.ready = 'true';
}

void main();
