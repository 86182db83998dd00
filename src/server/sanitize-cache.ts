// Sanitizing is a pure function of the widget's HTML, and a server-side DOM makes it cost
// 1-10 ms a render; a dashboard asks for the same widget with the same props again and again,
// so the same HTML comes back. Remember the last answers, bounded by entries and by bytes
// (least recently used first out). Only for a sanitizer that is pure, like the default one.
export interface SanitizeCacheOptions {
  maxEntries?: number;
  /** Sum of input and output lengths kept, in UTF-16 code units x 2 (about bytes). */
  maxBytes?: number;
  /** Outputs longer than this are not kept (one big answer must not push out all others). */
  maxEntryBytes?: number;
}

export function cachedSanitizer(sanitize: (html: string) => string, o: SanitizeCacheOptions = {}): (html: string) => string {
  const maxEntries = o.maxEntries ?? 2000;
  const maxBytes = o.maxBytes ?? 16 * 1024 * 1024;
  const maxEntryBytes = o.maxEntryBytes ?? 256 * 1024;
  const memo = new Map<string, string>();
  let bytes = 0;
  return (html: string) => {
    const hit = memo.get(html);
    if (hit !== undefined) {
      memo.delete(html);
      memo.set(html, hit); // most recently used goes last
      return hit;
    }
    const out = sanitize(html);
    const size = (html.length + out.length) * 2;
    if (size > maxEntryBytes) return out;
    memo.set(html, out);
    bytes += size;
    for (const [k, v] of memo) {
      if (memo.size <= maxEntries && bytes <= maxBytes) break;
      memo.delete(k);
      bytes -= (k.length + v.length) * 2;
    }
    return out;
  };
}
