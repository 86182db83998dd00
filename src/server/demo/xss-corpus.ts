// What a hostile widget returns to try to run script in the page that embeds it. Each payload
// would set `window.__summitXss` (or call it) if it ever executed; the demo shows the widget
// and the Chromium test clicks, focuses and hovers everything it rendered, then checks the flag
// is still unset. Classic vectors, filter evasions and the mutation-XSS shapes that broke
// sanitizers before (namespace confusion, <noscript>/<template> parsing, comment tricks).
const F = 'window.__summitXss=1';

export const XSS_CORPUS: readonly string[] = [
  `<script>${F}</script>`,
  `<script src="data:text/javascript,${F}"></script>`,
  `<img src=x onerror="${F}">`,
  `<img src="x" onerror=${F}//`,
  `<svg onload="${F}"></svg>`,
  `<svg><script>${F}</script></svg>`,
  `<svg><animate onbegin="${F}" attributeName="x" dur="1s"></animate></svg>`,
  `<svg><set attributeName="onmouseover" to="${F}"></set></svg>`,
  `<svg><a xlink:href="javascript:${F}"><text x="10" y="20">svg link</text></a></svg>`,
  `<math><mtext><table><mglyph><style><img src=x onerror="${F}"></style></mglyph></table></mtext></math>`,
  `<math><mi xlink:href="javascript:${F}">math link</mi></math>`,
  `<a href="javascript:${F}">javascript link</a>`,
  `<a href="jav&#x09;ascript:${F}">tab-split link</a>`,
  `<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;${F}">entity link</a>`,
  `<a href="data:text/html,<script>${F}</script>">data link</a>`,
  `<a href="#" onclick="${F}">onclick link</a>`,
  `<button onclick="${F}">button</button>`,
  `<form><button formaction="javascript:${F}">form button</button></form>`,
  `<input autofocus onfocus="${F}" value="focus me">`,
  `<details open ontoggle="${F}"><summary>details</summary></details>`,
  `<div onmouseover="${F}" style="padding:4px">hover me</div>`,
  `<body onload="${F}">`,
  `<iframe src="javascript:${F}"></iframe>`,
  `<iframe srcdoc="<script>parent.${F}</script>"></iframe>`,
  `<object data="javascript:${F}"></object>`,
  `<embed src="javascript:${F}">`,
  `<video><source onerror="${F}"></video>`,
  `<audio src=x onerror="${F}"></audio>`,
  `<marquee onstart="${F}">marquee</marquee>`,
  `<meta http-equiv="refresh" content="0;url=javascript:${F}">`,
  `<base href="javascript:${F}//">`,
  `<link rel="stylesheet" href="javascript:${F}">`,
  `<style>@import "javascript:${F}";</style>`,
  `<div style="background-image:url(javascript:${F})">css url</div>`,
  `<div style="width:expression(${F})">css expression</div>`,
  `<noscript><p title="</noscript><img src=x onerror=${F}>"></p></noscript>`,
  `<template><script>${F}</script></template>`,
  `<!--<img src="--><img src=x onerror=${F}//">`,
  `<img src=x:x onerror=${F}>`,
  `<isindex action="javascript:${F}" type="image">`,
  `<x onclick="${F}">custom element</x>`,
  `<p id="__summitXss">clobbering</p><form name="__summitXss"></form>`,
  `<img srcset="x 1x" onerror="${F}">`,
  `<svg><foreignObject><img src=x onerror="${F}"></foreignObject></svg>`,
  `<select><option><style></option></select><img src=x onerror="${F}"></style>`,
  `<table><td background="javascript:${F}">table cell</td></table>`,
];

/** The corpus as one HTML fragment, framed so the demo can say what it is. */
export function xssCorpusHtml(): string {
  return `<div class="xss-corpus"><p><strong>${XSS_CORPUS.length} script-injection payloads</strong>, after the host's sanitizer:</p>${XSS_CORPUS.map((p) => `<div class="payload">${p}</div>`).join('')}</div>`;
}
