// GET /embed/summit-widget.js: the <summit-widget> custom element (src/web/embed), bundled by
// `npm run build` into dist/web. Served by the host service so a page can load it from the
// same origin as the render API.
import { readFile } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';

const WEB_DIR = new URL('../../../dist/web/', import.meta.url);
const FILES: Record<string, string> = {
  'summit-widget.js': 'text/javascript; charset=utf-8',
  'summit-widget.js.map': 'application/json; charset=utf-8',
};

export function embedRoute(app: FastifyInstance): void {
  app.get<{ Params: { file: string } }>('/embed/:file', async (req, reply) => {
    const type = FILES[req.params.file];
    if (!type) return reply.callNotFound();
    const body = await readFile(new URL(req.params.file, WEB_DIR));
    return reply.type(type).header('cache-control', 'public, max-age=300').send(body);
  });
}
