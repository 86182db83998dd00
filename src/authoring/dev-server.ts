// The preview server of `summit-plugin dev`: node:http on loopback only. It serves the preview
// page (dist/web), a snapshot of the session, server-sent events for every build and render,
// and a render endpoint for edited input. Local-only by construction: it binds 127.0.0.1,
// refuses other Host headers (DNS rebinding) and cross-origin writes, and the page runs under
// a strict Content-Security-Policy.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { SphError, InvalidArgError } from '../errors.js';
import type { DevSession } from './dev-session.js';
import { WIDGET_PAGE_CSP } from '../host/page-csp.js';

export const WEB_DIR = new URL('../../dist/web/', import.meta.url);

const CSP = WIDGET_PAGE_CSP;

const ASSETS: Record<string, { file: string; type: string }> = {
  '/': { file: 'preview.html', type: 'text/html; charset=utf-8' },
  '/assets/preview.js': { file: 'preview.js', type: 'text/javascript; charset=utf-8' },
  '/assets/preview.css': { file: 'preview.css', type: 'text/css; charset=utf-8' },
  '/assets/preview.js.map': { file: 'preview.js.map', type: 'application/json; charset=utf-8' },
};

const MAX_BODY = 1024 * 1024 + 4096;
const HEARTBEAT_MS = 15_000;

export interface DevServerOptions {
  session: DevSession;
  /** 0 picks a free port. */
  port: number;
  host?: '127.0.0.1' | '::1';
}

export class DevServer {
  readonly #session: DevSession;
  readonly #server: Server;
  readonly #clients = new Set<ServerResponse>();
  #port = 0;
  #host: string;
  #heartbeat: NodeJS.Timeout | undefined;
  readonly #onBuild = (b: unknown) => this.#broadcast('build', b);
  readonly #onRender = (r: unknown) => this.#broadcast('render', r);
  readonly #onManifest = (s: unknown) => this.#broadcast('snapshot', s);

  constructor(readonly opts: DevServerOptions) {
    this.#session = opts.session;
    this.#host = opts.host ?? '127.0.0.1';
    this.#server = createServer((req, res) => {
      this.#handle(req, res).catch((err) => this.#json(res, 500, { ok: false, error: { code: 'SPH_ERR_INTERNAL', message: String((err as Error).message) } }));
    });
    this.#server.keepAliveTimeout = 5_000;
  }

  get url(): string {
    const h = this.#host.includes(':') ? `[${this.#host}]` : this.#host;
    return `http://${h}:${this.#port}/`;
  }

  async listen(): Promise<string> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', (err: NodeJS.ErrnoException) => {
        reject(err.code === 'EADDRINUSE' ? new InvalidArgError(`port ${this.opts.port} is in use: pass --port <n> (or --port 0 for any free port)`) : err);
      });
      this.#server.listen(this.opts.port, this.#host, () => resolve());
    });
    this.#port = (this.#server.address() as AddressInfo).port;
    this.#session.on('build', this.#onBuild);
    this.#session.on('render', this.#onRender);
    this.#session.on('manifest', this.#onManifest);
    this.#heartbeat = setInterval(() => {
      for (const c of this.#clients) c.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    this.#heartbeat.unref();
    return this.url;
  }

  #allowedHost(req: IncomingMessage): boolean {
    const host = req.headers.host ?? '';
    return [`127.0.0.1:${this.#port}`, `localhost:${this.#port}`, `[::1]:${this.#port}`].includes(host);
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    if (!this.#allowedHost(req)) {
      return this.#json(res, 403, { ok: false, error: { code: 'SPH_ERR_INVALID_ARG', message: 'the dev server only answers requests for 127.0.0.1 or localhost' } });
    }
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (req.method === 'GET' || req.method === 'HEAD') {
      const asset = ASSETS[path];
      if (asset) return this.#asset(res, asset);
      if (path === '/favicon.ico') return void res.writeHead(204).end();
      if (path === '/api/state') return this.#json(res, 200, this.#session.snapshot());
      if (path === '/api/events') return this.#events(req, res);
      return this.#json(res, 404, { ok: false, error: { code: 'SPH_ERR_INVALID_ARG', message: `no such page: ${path}` } });
    }
    if (req.method === 'POST' && (path === '/api/render' || path === '/api/rebuild')) {
      // Same-origin JSON only: a page elsewhere cannot make a browser post here (a JSON
      // content type needs a CORS preflight, which this server never grants).
      const origin = req.headers.origin;
      if (origin !== undefined && origin !== this.url.slice(0, -1) && origin !== `http://localhost:${this.#port}`) {
        return this.#json(res, 403, { ok: false, error: { code: 'SPH_ERR_INVALID_ARG', message: 'cross-origin requests are refused' } });
      }
      if (!(req.headers['content-type'] ?? '').startsWith('application/json')) {
        return this.#json(res, 415, { ok: false, error: { code: 'SPH_ERR_INVALID_ARG', message: 'send application/json' } });
      }
      let body: unknown;
      try {
        body = JSON.parse(await readBody(req));
      } catch (err) {
        if (err instanceof InvalidArgError) return this.#json(res, 413, { ok: false, error: { code: err.code, message: err.message } });
        return this.#json(res, 400, { ok: false, error: { code: 'SPH_ERR_INVALID_ARG', message: `the body is not valid JSON: ${(err as Error).message}` } });
      }
      if (path === '/api/rebuild') {
        void this.#session.rebuild('rebuild requested from the page');
        return this.#json(res, 202, { ok: true });
      }
      const b = (body ?? {}) as { input?: unknown; sample?: unknown };
      try {
        if (b.sample !== undefined && typeof b.sample !== 'string') throw new InvalidArgError('sample must be a sample name');
        const r = await this.#session.render(b.sample !== undefined ? { sample: b.sample as string } : b.input !== undefined ? { input: b.input } : {});
        if (!r) return this.#json(res, 409, { ok: false, error: { code: 'SPH_ERR_BUILD_FAILED', message: 'nothing to render yet: the widget has not built' } });
        return this.#json(res, 200, r);
      } catch (err) {
        const e = SphError.isSphError(err) ? err : new InvalidArgError(String((err as Error).message));
        return this.#json(res, 400, { ok: false, error: { code: e.code, message: e.message } });
      }
    }
    res.setHeader('Allow', 'GET, POST');
    return this.#json(res, 405, { ok: false, error: { code: 'SPH_ERR_INVALID_ARG', message: `${req.method} is not supported here` } });
  }

  async #asset(res: ServerResponse, asset: { file: string; type: string }): Promise<void> {
    let body: Buffer;
    try {
      body = await readFile(new URL(asset.file, WEB_DIR));
    } catch {
      return this.#json(res, 500, { ok: false, error: { code: 'SPH_ERR_INTERNAL', message: `the preview page is missing (${asset.file}): run "npm run build" in summit-plugin-host` } });
    }
    res.writeHead(200, { 'Content-Type': asset.type, 'Content-Length': body.length, 'Content-Security-Policy': CSP });
    res.end(body);
  }

  #events(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive', 'X-Accel-Buffering': 'no' });
    res.write('retry: 1000\n\n');
    res.write(`event: snapshot\ndata: ${JSON.stringify(this.#session.snapshot())}\n\n`);
    this.#clients.add(res);
    req.on('close', () => this.#clients.delete(res));
  }

  #broadcast(event: string, data: unknown): void {
    const frame = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    for (const c of this.#clients) c.write(frame);
  }

  #json(res: ServerResponse, status: number, body: unknown): void {
    if (res.headersSent) return void res.end();
    const text = JSON.stringify(body);
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
    res.end(text);
  }

  get clients(): number {
    return this.#clients.size;
  }

  async close(): Promise<void> {
    clearInterval(this.#heartbeat);
    this.#session.off('build', this.#onBuild);
    this.#session.off('render', this.#onRender);
    this.#session.off('manifest', this.#onManifest);
    for (const c of this.#clients) c.end();
    this.#clients.clear();
    await new Promise<void>((resolve) => {
      this.#server.close(() => resolve());
      this.#server.closeAllConnections();
    });
  }
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      // Too large: keep reading (so the client gets the 413, not a reset), keep nothing, and
      // give up on a client that never stops.
      if (size > MAX_BODY * 16) req.destroy();
      else if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => (size > MAX_BODY ? reject(new InvalidArgError(`the body is over ${MAX_BODY} bytes`)) : resolve(Buffer.concat(chunks).toString('utf8'))));
    req.on('error', reject);
  });
}
