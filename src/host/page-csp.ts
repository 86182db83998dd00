// The Content-Security-Policy of the pages this project serves that show widgets (the dev
// preview, the `npm start` demo): the second wall after the sanitizer. Nothing but the page's
// own script runs, nothing loads from elsewhere; widgets style themselves with <style> and
// style attributes inside their shadow roots, and may show data: images.
export const WIDGET_PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');
