// <summit-widget widget="acme/kpi-card" tenant="t1" props='{"value":3}'>: the browser embed of
// the host service. It asks the render API for the widget's HTML (sanitized by the host) and
// shows it through the shared widget view (a shadow root; clicks on data-summit-state render
// again with that state). Any failure, a revocation included, shows a neutral placeholder and
// never breaks the page. It renders again when its attributes change, and when the host's
// event stream says the widget was revoked or restored.
//
// Attributes: widget (publisher/name), tenant, props (JSON), state (JSON), locale, theme, and
// api (base URL of the host service; default: the origin this script came from).
// Events: `summit-render` ({ usage, invocationId, widget }) and `summit-error` ({ code, message }).
import { mountWidget, type WidgetView } from '../widget-view.js';

const SCRIPT_ORIGIN = (() => {
  try {
    return new URL(import.meta.url).origin;
  } catch {
    return location.origin;
  }
})();

const PLACEHOLDER_CSS = `.summit-placeholder{box-sizing:border-box;display:flex;align-items:center;justify-content:center;min-height:3rem;padding:.75rem;border:1px dashed #c4c9d0;border-radius:6px;color:#6b7280;font:13px/1.4 system-ui,sans-serif;background:#f8f9fb}`;

interface RenderAnswer {
  html?: string;
  usage?: unknown;
  invocationId?: string;
  widget?: { id: string; version: string; digest: string };
  error?: { code: string; message: string };
}

/** One event stream per host service, shared by every element that uses it. */
const streams = new Map<string, { source: EventSource; elements: Set<SummitWidget> }>();

function follow(api: string, el: SummitWidget): () => void {
  let s = streams.get(api);
  if (!s && typeof EventSource !== 'undefined') {
    const source = new EventSource(new URL('v1/widgets/events', api));
    const elements = new Set<SummitWidget>();
    source.addEventListener('widgets', (ev) => {
      let ids: string[] = [];
      try {
        ids = (JSON.parse((ev as MessageEvent<string>).data) as { widgets: string[] }).widgets;
      } catch {
        return;
      }
      for (const e of elements) if (ids.includes(e.widgetId)) e.refresh();
    });
    s = { source, elements };
    streams.set(api, s);
  }
  if (!s) return () => {};
  const stream = s;
  stream.elements.add(el);
  return () => {
    stream.elements.delete(el);
    if (stream.elements.size === 0) {
      stream.source.close();
      streams.delete(api);
    }
  };
}

function parseJson(attr: string | null, what: string): { ok: true; value: unknown } | { ok: false; message: string } {
  if (attr === null || attr.trim() === '') return { ok: true, value: undefined };
  try {
    return { ok: true, value: JSON.parse(attr) as unknown };
  } catch {
    return { ok: false, message: `the ${what} attribute is not valid JSON` };
  }
}

export class SummitWidget extends HTMLElement {
  static readonly observedAttributes = ['widget', 'tenant', 'props', 'state', 'locale', 'theme', 'api'];

  #view: WidgetView | undefined;
  #state: unknown = undefined;
  #seq = 0;
  #abort: AbortController | undefined;
  #scheduled = false;
  #unfollow: (() => void) | undefined;
  #followed = '';

  get widgetId(): string {
    return this.getAttribute('widget') ?? '';
  }

  get #api(): string {
    const a = this.getAttribute('api');
    const base = a ? new URL(a, location.href).href : `${SCRIPT_ORIGIN}/`;
    return base.endsWith('/') ? base : `${base}/`;
  }

  connectedCallback(): void {
    this.#view ??= mountWidget(this, {
      onState: (state) => {
        this.#state = state;
        this.refresh();
      },
    });
    this.#follow();
    this.refresh();
  }

  disconnectedCallback(): void {
    this.#abort?.abort();
    this.#unfollow?.();
    this.#unfollow = undefined;
    this.#followed = '';
  }

  attributeChangedCallback(name: string, old: string | null, value: string | null): void {
    if (old === value || !this.isConnected) return;
    if (name === 'state') this.#state = undefined; // the attribute wins over a clicked state
    if (name === 'api') this.#follow();
    this.refresh();
  }

  /** Renders again (coalesced: several changes in one task make one request). */
  refresh(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    queueMicrotask(() => {
      this.#scheduled = false;
      void this.#render();
    });
  }

  #follow(): void {
    if (this.#followed === this.#api) return;
    this.#unfollow?.();
    this.#followed = this.#api;
    this.#unfollow = follow(this.#api, this);
  }

  async #render(): Promise<void> {
    const seq = ++this.#seq;
    this.#abort?.abort();
    const abort = (this.#abort = new AbortController());
    const widget = this.widgetId;
    const tenant = this.getAttribute('tenant') ?? '';
    const props = parseJson(this.getAttribute('props'), 'props');
    const state = parseJson(this.getAttribute('state'), 'state');
    if (!/^[a-z0-9-]+\/[a-z0-9-]+$/.test(widget)) return this.#fail(seq, 'SPH_ERR_INVALID_ARG', 'the widget attribute must be publisher/name');
    if (!props.ok) return this.#fail(seq, 'SPH_ERR_INVALID_ARG', props.message);
    if (!state.ok) return this.#fail(seq, 'SPH_ERR_INVALID_ARG', state.message);
    const context: Record<string, string> = {};
    for (const k of ['locale', 'theme'] as const) {
      const v = this.getAttribute(k);
      if (v) context[k] = v;
    }
    const input = { props: props.value ?? {}, context, state: this.#state ?? state.value ?? null };
    this.setAttribute('aria-busy', 'true');
    let answer: RenderAnswer;
    try {
      const res = await fetch(new URL(`v1/widgets/${widget}/render`, this.#api), {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ tenant, input }),
        signal: abort.signal,
        credentials: 'same-origin',
      });
      answer = (await res.json().catch(() => ({ error: { code: 'SPH_ERR_INTERNAL', message: `HTTP ${res.status}` } }))) as RenderAnswer;
      if (!res.ok && !answer.error) answer.error = { code: 'SPH_ERR_INTERNAL', message: `HTTP ${res.status}` };
    } catch (err) {
      if (abort.signal.aborted) return;
      answer = { error: { code: 'SPH_ERR_INTERNAL', message: `the host service cannot be reached (${(err as Error).message})` } };
    }
    if (seq !== this.#seq) return; // a newer render was asked for meanwhile
    this.removeAttribute('aria-busy');
    if (answer.error || typeof answer.html !== 'string') {
      const e = answer.error ?? { code: 'SPH_ERR_INTERNAL', message: 'no HTML in the answer' };
      this.#fail(seq, e.code, e.message);
      return;
    }
    this.#view!.update(answer.html);
    this.setAttribute('data-status', 'ok');
    this.removeAttribute('data-code');
    this.dispatchEvent(new CustomEvent('summit-render', { detail: { usage: answer.usage, invocationId: answer.invocationId, widget: answer.widget } }));
  }

  /** The neutral placeholder: our own static markup, the message only as text. */
  #fail(seq: number, code: string, message: string): void {
    if (seq !== this.#seq) return;
    this.removeAttribute('aria-busy');
    const root = this.#view!.root;
    root.innerHTML = `<style>${PLACEHOLDER_CSS}</style><div class="summit-placeholder" part="placeholder" role="status">This widget is not available right now.</div>`;
    this.setAttribute('data-status', 'error');
    this.setAttribute('data-code', code);
    this.dispatchEvent(new CustomEvent('summit-error', { detail: { code, message } }));
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'summit-widget': SummitWidget;
  }
}

if (!customElements.get('summit-widget')) customElements.define('summit-widget', SummitWidget);
