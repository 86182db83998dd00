// The hostile widgets of the demo, written in WAT and built when the demo starts (a few ms):
// one returns the XSS corpus (its HTML is sanitized, nothing runs), one spins forever (fuel
// stops it: a placeholder), one asks for memory until refused (the memory cap: a placeholder).
import { watString, watToComponent, widgetModule } from '../../build/wat-widget.js';
import { xssCorpusHtml } from './xss-corpus.js';

export interface DemoWidget {
  manifest: { id: string; version: string; displayName: string; description: string; world: string };
  bytes: Uint8Array;
}

const fixedOutput = (html: string) => `
  (data (i32.const 65536) "${watString(html)}")
  (func (export "render") (param i32 i32) (result i32)
    (call $ok (i32.const 65536) (i32.const ${Buffer.byteLength(html)})))`;

const BODIES: Record<string, { displayName: string; description: string; body: () => string }> = {
  'demo/xss-corpus': {
    displayName: 'Hostile: XSS corpus',
    description: 'Returns dozens of script-injection payloads; the host sanitizes them and the page runs none.',
    body: () => fixedOutput(xssCorpusHtml()),
  },
  'demo/spinner': {
    displayName: 'Hostile: infinite loop',
    description: 'Spins forever; fuel stops it after its CPU budget and the page shows a placeholder.',
    body: () => `(func (export "render") (param i32 i32) (result i32) (loop $forever (br $forever)) (i32.const 0))`,
  },
  'demo/memory-hog': {
    displayName: 'Hostile: memory bomb',
    description: 'Grows its memory until refused; the memory cap stops it and the page shows a placeholder.',
    body: () => `(func (export "render") (param i32 i32) (result i32)
      (loop $more (br_if $more (i32.ne (memory.grow (i32.const 1024)) (i32.const -1))))
      unreachable)`,
  },
};

export async function demoWidgets(): Promise<DemoWidget[]> {
  const out: DemoWidget[] = [];
  for (const [id, w] of Object.entries(BODIES)) {
    // The data segment sits at 64 KiB: give the memory room for it.
    const wat = widgetModule(w.body()).replace('(memory (export "memory") 1)', '(memory (export "memory") 4)');
    out.push({
      manifest: { id, version: '1.0.0', displayName: w.displayName, description: w.description, world: 'summit:widget/widget@0.1.0' },
      bytes: await watToComponent(wat),
    });
  }
  return out;
}
