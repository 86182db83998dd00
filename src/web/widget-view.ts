// Shows a widget's already-sanitized HTML the way the Summit UI does, in the browser: inside
// a shadow root (the widget's <style> stays in, the page's styles stay out), contained (a
// `position: fixed` element cannot cover the page: `contain` makes the host its containing
// block), and interactive only through data-summit-state. Shared by the dev preview and the
// <summit-widget> element.

export const WIDGET_BASE_CSS = ':host{display:block;position:relative;contain:content;overflow:auto;max-width:100%}';

export interface WidgetViewOptions {
  /** A click on an element with data-summit-state: render again with this state. */
  onState?: (state: unknown, element: Element) => void;
}

export interface WidgetView {
  readonly root: ShadowRoot;
  /** Replaces the widget's content. `html` must already be sanitized by the host. */
  update(html: string): void;
}

/** Reads the state an element asks for; undefined when its JSON is broken. */
export function stateOf(el: Element): unknown {
  try {
    return JSON.parse(el.getAttribute('data-summit-state') ?? 'null');
  } catch {
    return undefined;
  }
}

export function mountWidget(host: HTMLElement, opts: WidgetViewOptions = {}): WidgetView {
  const root = host.shadowRoot ?? host.attachShadow({ mode: 'open' });
  root.addEventListener('click', (ev) => {
    const start = ev.target instanceof Element ? ev.target : null;
    const el = start?.closest('[data-summit-state]');
    if (!el || !root.contains(el)) return;
    ev.preventDefault();
    const state = stateOf(el);
    if (state !== undefined) opts.onState?.(state, el);
  });
  return {
    root,
    update(html: string) {
      root.innerHTML = `<style>${WIDGET_BASE_CSS}</style>${html}`;
    },
  };
}
