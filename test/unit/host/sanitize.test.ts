// The widget allowlist against hostile markup: what must go, what must stay, and that every
// removal is reported (check shows it to the author).
import { describe, expect, it } from 'vitest';
import { sanitizeWidgetHtml, unsafeCss } from '../../../src/host/sanitize.js';

const clean = (html: string) => sanitizeWidgetHtml(html);

describe('sanitizeWidgetHtml keeps what widgets may use', () => {
  it.each([
    ['plain markup', '<div class="kpi"><span>Revenue</span><b>1.234,5</b></div>'],
    ['inline svg chart', '<svg viewBox="0 0 10 10" role="img" aria-label="chart"><rect x="0" y="2" width="3" height="8" fill="#36c"></rect><title>bars</title></svg>'],
    ['svg gradient by fragment', '<svg><defs><linearGradient id="g"><stop offset="0" stop-color="red"></stop></linearGradient></defs><rect fill="url(#g)" width="4" height="4"></rect></svg>'],
    ['data image', '<img src="data:image/png;base64,iVBORw0KGgo=" alt="dot">'],
    ['scoped style', '<style>.kpi { color: #333; background: url(data:image/png;base64,AAAA); }</style><p class="kpi">x</p>'],
    ['style attribute', '<p style="color: red; font-weight: 600">x</p>'],
    ['state buttons', '<button type="button" data-summit-state="{&quot;sort&quot;:&quot;name&quot;}" aria-pressed="true">Name</button>'],
    ['table', '<table><thead><tr><th scope="col">A</th></tr></thead><tbody><tr><td>1</td></tr></tbody></table>'],
    ['https link in a new tab', '<a href="https://acme.example/report" target="_blank">Report</a>'],
    ['fragment link', '<a href="#details">Details</a>'],
  ])('%s', (_name, html) => {
    const r = clean(html);
    expect(r.removed).toEqual([]);
    expect(r.html).toBe(html);
  });
});

describe('sanitizeWidgetHtml removes and reports', () => {
  it.each([
    ['script', '<p>x</p><script>alert(1)</script>', { kind: 'element', name: 'script' }],
    ['svg script', '<svg><script>alert(1)</script></svg>', { kind: 'element', name: 'script' }],
    ['event handler', '<img src="data:image/png;base64,AA" onerror="alert(1)">', { kind: 'attribute', name: 'onerror', reason: expect.stringContaining('event handlers') }],
    ['svg onload', '<svg onload="alert(1)"></svg>', { kind: 'attribute', name: 'onload' }],
    ['javascript: link', '<a href="javascript:alert(1)">x</a>', { kind: 'attribute', name: 'href' }],
    ['entity-encoded javascript: link', '<a href="jav&#x09;ascript:alert(1)">x</a>', { kind: 'attribute', name: 'href' }],
    ['data: link', '<a href="data:text/html,<script>alert(1)</script>">x</a>', { kind: 'attribute', name: 'href' }],
    ['external image', '<img src="https://tracker.example/p.gif">', { kind: 'attribute', name: 'src', element: 'img', reason: expect.stringContaining('data: URLs') }],
    ['protocol-relative image', '<img src="//tracker.example/p.gif">', { kind: 'attribute', name: 'src' }],
    ['srcset', '<img src="data:image/png;base64,AA" srcset="https://x.example/a.png 2x">', { kind: 'attribute', name: 'srcset' }],
    ['svg image from the network', '<svg><image href="https://x.example/a.png"></image></svg>', { kind: 'attribute', name: 'href', element: 'image' }],
    ['svg use of an external sprite', '<svg><use href="https://x.example/s.svg#i"></use></svg>', { kind: 'attribute', name: 'href', element: 'use' }],
    ['xlink use of an external sprite', '<svg><use xlink:href="/sprite.svg#i"></use></svg>', { kind: 'attribute', name: 'xlink:href' }],
    ['iframe', '<iframe src="https://x.example"></iframe>', { kind: 'element', name: 'iframe' }],
    ['object', '<object data="x.swf"></object>', { kind: 'element', name: 'object' }],
    ['embed', '<embed src="x.swf">', { kind: 'element', name: 'embed' }],
    ['form', '<form action="https://x.example"><input name="q"></form>', { kind: 'element', name: 'form' }],
    ['button formaction', '<button formaction="https://x.example">go</button>', { kind: 'attribute', name: 'formaction' }],
    ['base', '<base href="https://x.example/"><p>x</p>', { kind: 'element', name: 'base' }],
    ['meta refresh', '<meta http-equiv="refresh" content="0;url=https://x.example"><p>x</p>', { kind: 'element', name: 'meta' }],
    ['stylesheet link', '<link rel="stylesheet" href="https://x.example/a.css"><p>x</p>', { kind: 'element', name: 'link' }],
    ['video', '<video src="https://x.example/v.mp4"></video>', { kind: 'element', name: 'video' }],
    ['style url to the network', '<p style="background: url(https://x.example/a.png)">x</p>', { kind: 'attribute', name: 'style', reason: expect.stringContaining('external resource') }],
    ['style url hidden by an escape', '<p style="background: u\\72l(https://x.example/a.png)">x</p>', { kind: 'attribute', name: 'style' }],
    ['style element importing', '<style>@import "https://x.example/a.css";</style><p>x</p>', { kind: 'element', name: 'style', reason: expect.stringContaining('@import') }],
    ['style element with a font from the network', '<style>@font-face { font-family: x; src: url("https://x.example/f.woff2"); }</style>', { kind: 'element', name: 'style' }],
    ['image-set', '<p style="background-image: image-set(\'https://x.example/a.png\' 1x)">x</p>', { kind: 'attribute', name: 'style' }],
    ['target _top', '<a href="https://x.example" target="_top">x</a>', { kind: 'attribute', name: 'target' }],
    ['custom element', '<evil-thing>text</evil-thing>', { kind: 'element', name: 'evil-thing' }],
    ['mXSS through svg and style', '<svg><p><style><img src=x onerror=alert(1)></style></p></svg>', { kind: 'element', name: 'style' }],
  ])('%s', (_name, html, expected) => {
    const r = clean(html);
    expect(r.removed).toContainEqual(expect.objectContaining(expected as object));
    expect(r.html).not.toMatch(/<script|onerror=|onload=|javascript:|https?:\/\/[a-z.]*example\/[a-z]+\.(png|gif|svg|css|woff2|mp4)|<iframe|<object|<embed|<form|<base|<meta|<link/i);
  });

  it('keeps the content of a removed unknown element and the rest of the fragment', () => {
    const r = clean('<h1>Title</h1><evil-thing><b>kept</b></evil-thing><img src="https://x.example/a.png" alt="a">');
    expect(r.html).toBe('<h1>Title</h1><b>kept</b><img alt="a">');
    expect(r.removed).toHaveLength(2);
  });

  it('reports the value of a removed attribute, shortened', () => {
    const r = clean(`<img src="https://x.example/${'a'.repeat(300)}.png">`);
    expect(r.removed[0]!.value!.length).toBeLessThanOrEqual(121);
  });

  it('refuses non-strings', () => {
    expect(() => sanitizeWidgetHtml(42 as unknown as string)).toThrow(TypeError);
  });
});

describe('unsafeCss', () => {
  it.each([
    ['color: red', undefined],
    ['fill: url(#g)', undefined],
    ['background: url("data:image/svg+xml;utf8,<svg/>")', undefined],
    ['background: url( https://x.example/a.png )', 'external'],
    ['background: URL(https://x.example/a.png)', 'external'],
    ['@IMPORT url(x.css)', '@import'],
    ['@im/**/port "x.css"', '@import'],
    ['width: expression(alert(1))', 'runs code'],
    ['background: url(data:image/png;base64,AA), url("https://x.example")', 'external'],
  ])('%s', (css, verdict) => {
    const why = unsafeCss(css);
    if (verdict === undefined) expect(why).toBeUndefined();
    else expect(why).toContain(verdict);
  });
});
