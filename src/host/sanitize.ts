// The widget HTML allowlist: every widget's output passes through here before anyone sees it
// (the dev preview, `summit-plugin check`, the host service). DOMPurify on a server-side DOM
// (jsdom: the same HTML parser rules as browsers, so no parser differential) does the
// structural work; the hooks below add what widgets specifically may not do:
//   - no scripts, event handlers or javascript: URLs (DOMPurify's defaults);
//   - no external resources: images only from data: URLs, SVG references only to #fragments,
//     CSS without url() to anything but data: images and fragments, no @import;
//   - no forms, frames, plug-ins, media elements, <base>, <link> or <meta>;
//   - links only to http(s)/mailto, opening in a new tab at most (never replacing the app).
// Inline SVG, <style> (scoped by the embed's shadow root) and data-* attributes are fine;
// data-summit-state is how a widget asks to be rendered again with new state.
// Everything removed is reported, so `check` can tell authors what their widget lost.
import { createRequire } from 'node:module';
import type { DOMPurify, UponSanitizeAttributeHookEvent, WindowLike } from 'dompurify';

// Loaded on first use (both are CommonJS): jsdom costs a few hundred ms to import, and most
// users of this package (the CLI's `run`, a host that never sanitizes) should not pay for it.
const require = createRequire(import.meta.url);

export interface Removal {
  kind: 'element' | 'attribute';
  /** Tag name (for elements) or attribute name. */
  name: string;
  /** For attributes: the element it was on. */
  element?: string;
  /** The removed value, shortened (attributes only). */
  value?: string;
  reason: string;
}

export interface SanitizeResult {
  html: string;
  /** What the allowlist took out; empty when the HTML was already clean. */
  removed: Removal[];
}

const FORBID_TAGS = [
  'form', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'portal', 'base', 'link', 'meta',
  'audio', 'video', 'source', 'track', 'noscript', 'foreignobject',
];
// Attributes that fetch or navigate by themselves; no widget needs them.
const FORBID_ATTR = ['srcset', 'action', 'formaction', 'ping', 'poster', 'background', 'lowsrc', 'dynsrc', 'longdesc', 'cite', 'manifest', 'codebase'];
const DATA_IMAGE = /^data:image\/(?:png|gif|jpe?g|webp|avif|bmp|svg\+xml)[;,]/i;
const FRAGMENT = /^#[^\s]*$/;
const LINK = /^(?:https?:\/\/|mailto:)/i;
const SVG_NS = 'http://www.w3.org/2000/svg';
const MAX_VALUE = 120;

/** Decodes CSS escapes and drops comments, so `u\72l(` or `@im/**\/port` cannot hide. */
function normalizeCss(css: string): string {
  return css
    .replace(/\/\*[\s\S]*?(?:\*\/|$)/g, '')
    .replace(/\\([0-9a-f]{1,6})\s?/gi, (_, hex: string) => {
      const cp = Number.parseInt(hex, 16);
      return cp > 0 && cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
    })
    .replace(/\\(.)/g, '$1')
    .toLowerCase();
}

/** Why this CSS may not stay, or undefined when it is fine. */
export function unsafeCss(css: string): string | undefined {
  const n = normalizeCss(css);
  if (/@import/.test(n)) return 'CSS @import loads an external stylesheet';
  if (/expression\s*\(|-moz-binding|behavior\s*:|javascript:/.test(n)) return 'CSS that runs code';
  if (/(?:^|[^a-z-])(?:-webkit-)?image-set\s*\(|(?:^|[^a-z-])image\s*\(|(?:^|[^a-z-])src\s*\(/.test(n)) return 'CSS image-set()/image()/src() may load external resources';
  for (const m of n.matchAll(/url\s*\(\s*(['"]?)([^'")]*)\1\s*\)/g)) {
    const target = m[2]!.trim();
    if (!DATA_IMAGE.test(target) && !FRAGMENT.test(target)) return `CSS url(${target.slice(0, 60)}) loads an external resource (use a data: image)`;
  }
  // A url( the pattern above could not parse (unbalanced quotes, nested parens): refuse.
  if ((n.match(/url\s*\(/g) ?? []).length !== [...n.matchAll(/url\s*\(\s*(['"]?)([^'")]*)\1\s*\)/g)].length) return 'CSS url() that cannot be checked';
  return undefined;
}

function urlProblem(tag: string, attr: string, value: string, isSvg: boolean): string | undefined {
  const v = value.trim();
  if (attr === 'src') {
    if (tag === 'img' && DATA_IMAGE.test(v)) return undefined;
    return 'images must be data: URLs (no external resources)';
  }
  if (attr === 'href' || attr === 'xlink:href') {
    if (tag === 'a') return LINK.test(v) || FRAGMENT.test(v) ? undefined : 'links may only go to http(s):, mailto: or #fragments';
    if ((tag === 'image' || tag === 'feimage') && (DATA_IMAGE.test(v) || FRAGMENT.test(v))) return undefined;
    if (isSvg && FRAGMENT.test(v)) return undefined;
    return 'SVG references must point to #fragments or data: images (no external resources)';
  }
  return undefined;
}

class WidgetSanitizer {
  readonly #purify: DOMPurify;
  #reasons = new Map<object, Map<string, string>>();
  #extra: Removal[] = [];

  constructor() {
    const { JSDOM } = require('jsdom') as typeof import('jsdom');
    const createDOMPurify = require('dompurify') as (w: WindowLike) => DOMPurify;
    const { window } = new JSDOM('<!DOCTYPE html>');
    this.#purify = createDOMPurify(window as unknown as WindowLike);
    this.#purify.addHook('uponSanitizeElement', (node, data) => {
      if (data.tagName === 'style' && node.textContent) {
        const why = unsafeCss(node.textContent);
        if (why) {
          this.#extra.push({ kind: 'element', name: 'style', reason: why });
          (node as unknown as { remove(): void }).remove();
        }
      }
    });
    this.#purify.addHook('uponSanitizeAttribute', (node, data: UponSanitizeAttributeHookEvent) => {
      const el = node as unknown as Element;
      const tag = el.localName.toLowerCase();
      const name = data.attrName;
      let why: string | undefined;
      if (name === 'style') why = unsafeCss(data.attrValue);
      else if (name === 'src' || name === 'href' || name === 'xlink:href') why = urlProblem(tag, name, data.attrValue, el.namespaceURI === SVG_NS);
      else if (name === 'target') why = data.attrValue === '_blank' ? undefined : 'links may only open in a new tab (target="_blank")';
      if (why) {
        data.keepAttr = false;
        let m = this.#reasons.get(el);
        if (!m) this.#reasons.set(el, (m = new Map()));
        m.set(name, why);
      }
    });
  }

  sanitize(html: string): SanitizeResult {
    this.#reasons = new Map();
    this.#extra = [];
    const out = this.#purify.sanitize(html, {
      USE_PROFILES: { html: true, svg: true, svgFilters: true },
      FORBID_TAGS,
      FORBID_ATTR,
      // <use> is off DOMPurify's SVG list because it can pull external sprites; the href hook
      // above limits it to #fragments, which icon sprites inside one widget need.
      ADD_TAGS: ['use'],
      ADD_ATTR: ['target'],
      // Parse as a fragment in <body>: otherwise a leading <style>, <meta> or <base> lands in
      // <head> and vanishes without being reported.
      FORCE_BODY: true,
      ALLOW_DATA_ATTR: true,
      ALLOW_ARIA_ATTR: true,
      ALLOW_UNKNOWN_PROTOCOLS: false,
      WHOLE_DOCUMENT: false,
      RETURN_TRUSTED_TYPE: false,
    }) as string;
    const removed: Removal[] = [...this.#extra];
    let ownMarker = true;
    for (const r of this.#purify.removed) {
      if ('element' in r && r.element) {
        const name = ((r.element as Node).nodeName ?? '#node').toLowerCase();
        // FORCE_BODY's own <remove> marker (the first one) is not something the widget wrote.
        if (name === 'remove' && ownMarker) {
          ownMarker = false;
          continue;
        }
        removed.push({ kind: 'element', name, reason: elementReason(name) });
      } else if ('attribute' in r && r.attribute) {
        const attr = r.attribute as Attr;
        const from = r.from as unknown as Element;
        const element = from?.localName?.toLowerCase() ?? '?';
        const value = attr.value.length > MAX_VALUE ? `${attr.value.slice(0, MAX_VALUE)}…` : attr.value;
        const reason = this.#reasons.get(from)?.get(attr.name.toLowerCase()) ?? attributeReason(attr.name.toLowerCase(), attr.value);
        removed.push({ kind: 'attribute', name: attr.name, element, value, reason });
      }
    }
    return { html: out, removed };
  }
}

function elementReason(name: string): string {
  if (name === 'script') return 'scripts are not allowed in widgets';
  if (name === '#comment') return 'comments that could break out of their context';
  if (FORBID_TAGS.includes(name)) return `<${name}> is not allowed in widgets (frames, forms, media and document-level elements are refused)`;
  return `<${name}> is not on the widget allowlist`;
}

function attributeReason(name: string, value: string): string {
  if (name.startsWith('on')) return 'event handlers are not allowed in widgets (use data-summit-state for interaction)';
  if (/^\s*(?:javascript|vbscript|data):/i.test(value)) return 'script or data URLs are not allowed here';
  if (FORBID_ATTR.includes(name)) return `${name} loads or navigates by itself`;
  return `${name} is not on the widget allowlist`;
}

let shared: WidgetSanitizer | undefined;

/**
 * Sanitizes a widget's HTML fragment to the widget allowlist. Synchronous; the first call
 * builds the DOM (a few hundred ms), later calls reuse it.
 */
export function sanitizeWidgetHtml(html: string): SanitizeResult {
  if (typeof html !== 'string') throw new TypeError('sanitizeWidgetHtml(html): html must be a string');
  shared ??= new WidgetSanitizer();
  return shared.sanitize(html);
}
