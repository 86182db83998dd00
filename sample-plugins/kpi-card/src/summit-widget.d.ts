// Types for widgets of the summit:widget world (wit/widget.wit), for TypeScript authors.
// `summit-plugin init` copies this file into new projects as src/summit-widget.d.ts; it is also
// published as `summit-plugin-host/widget` (add it to "types" in tsconfig.json instead).

/** The host interface every widget may import. */
declare module 'summit:widget/host@0.1.0' {
  export type Level = 'debug' | 'info' | 'warn' | 'error';
  /**
   * One line for the plug-in log: `summit-plugin dev` shows it, production logs it with the
   * plug-in id, tenant and invocation id. Bounded per render (100 lines, 2 KiB each).
   */
  export function log(level: Level, message: string): void;
}

declare namespace Summit {
  /** Sent by the Summit UI with every render. */
  interface Context {
    tenant: string;
    /** BCP 47 language tag, like "de-DE". There is no Intl in the engine: format by hand. */
    locale: string;
    theme: 'light' | 'dark' | (string & {});
    [key: string]: unknown;
  }

  /**
   * What `render` receives, after `JSON.parse(input)`. `state` is what the widget asked for
   * last time through a `data-summit-state` attribute (null on the first render).
   */
  interface Input<Props = Record<string, unknown>, State = unknown> {
    props: Props;
    context: Context;
    state: State | null;
  }

  /**
   * The one export of a widget: JSON text in, an HTML fragment out. Throw a string or an Error
   * to fail the render with a message for the author. The HTML is sanitized: no scripts, event
   * handlers or external resources (inline SVG, <style> and data: images are fine). An element
   * with `data-summit-state='<json>'` renders the widget again with that state when clicked.
   */
  type Render = (input: string) => string;
}
