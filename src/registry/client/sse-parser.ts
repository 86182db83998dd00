// A server-sent events parser (the WHATWG "event stream" format): fed raw chunks, yields
// complete events. Bounded: a server that never ends an event cannot make it buffer forever.

export interface SseEvent {
  event: string;
  data: string;
  id?: string;
}

export class SseParser {
  readonly #decoder = new TextDecoder('utf-8');
  readonly #maxEventBytes: number;
  #buffer = '';
  #data: string[] = [];
  #dataBytes = 0;
  #event = '';
  #id: string | undefined;
  #first = true;
  /** The reconnection delay the server asked for (`retry:`), if any. */
  retryMs: number | undefined;

  constructor(opts: { maxEventBytes?: number } = {}) {
    this.#maxEventBytes = opts.maxEventBytes ?? 16 * 1024 * 1024;
  }

  push(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    if (this.#first && text.length > 0) {
      this.#first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    this.#buffer += text;
    const out: SseEvent[] = [];
    for (;;) {
      const m = /\r\n|\r|\n/.exec(this.#buffer);
      if (!m) break;
      // A lone \r at the very end may be the first half of \r\n: wait for the next chunk.
      if (m[0] === '\r' && m.index === this.#buffer.length - 1) break;
      const line = this.#buffer.slice(0, m.index);
      this.#buffer = this.#buffer.slice(m.index + m[0].length);
      const ev = this.#line(line);
      if (ev) out.push(ev);
    }
    if (this.#buffer.length + this.#dataBytes > this.#maxEventBytes) {
      throw new Error(`server-sent event larger than ${this.#maxEventBytes} bytes`);
    }
    return out;
  }

  #line(line: string): SseEvent | undefined {
    if (line === '') {
      if (this.#data.length === 0) {
        this.#event = '';
        return undefined;
      }
      const ev: SseEvent = { event: this.#event || 'message', data: this.#data.join('\n') };
      if (this.#id !== undefined) ev.id = this.#id;
      this.#data = [];
      this.#dataBytes = 0;
      this.#event = '';
      return ev;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'data':
        this.#data.push(value);
        this.#dataBytes += value.length + 1;
        break;
      case 'event':
        this.#event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.#id = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.retryMs = Number(value);
        break;
    }
    return undefined;
  }
}
