// The wrapper `summit-plugin build` puts around render(): exceptions become err results with
// the message and a stack mapped to the source (instead of an engine abort), async renders
// work, and a non-string result is a clear error. One componentize, cached by source hash.
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildWidget, type BuiltWidget } from '../../src/build/build-widget.js';
import type { Plugin, PluginHost, RenderError } from '../../src/index.js';
import { cacheRoot } from '../support/build.js';
import { rejection, testHost } from '../support/host.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
let host: PluginHost;
let plugin: Plugin;
let built: BuiltWidget;

beforeAll(async () => {
  built = await buildWidget({ entry: 'test/fixtures/widgets/wrapped-widget.ts', projectDir: root, cacheDir: cacheRoot, wrap: true });
  host = testHost();
  plugin = await host.load(built.bytes, { id: 'test/wrapped' });
}, 240_000);
afterAll(() => host?.close());

const render = (mode: string) => host.render(plugin, { props: { mode } });

describe('the render wrapper', () => {
  it('passes sync and async results through', async () => {
    expect((await render('sync')).output).toBe('<p>now</p>');
    expect((await render('async')).output).toBe('<p>later</p>');
  });

  it.each([
    ['throw', 'TypeError: widget bug in sync'],
    ['async-throw', 'TypeError: widget bug in async'],
  ])('%s: the exception becomes SPH_ERR_PLUGIN_ERROR with its stack, mapped to the source', async (mode, message) => {
    const err = await rejection<RenderError>(render(mode));
    expect(err.code).toBe('SPH_ERR_PLUGIN_ERROR');
    expect(err.message.split('\n')[0]).toBe(message);
    expect(built.mapPositions(err.message)).toMatch(/inner@test\/fixtures\/widgets\/wrapped-widget\.ts:8:\d+/);
    expect((await render('sync')).output).toBe('<p>now</p>'); // and the widget keeps working
  });

  it('a result that is not a string is a clear error', async () => {
    const err = await rejection<RenderError>(render('number'));
    expect(err).toMatchObject({ code: 'SPH_ERR_PLUGIN_ERROR', message: 'render() must return a string of HTML, got number' });
  });
});
