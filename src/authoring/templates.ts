// The files `summit-plugin init` writes: a widget project that installs, builds, renders,
// passes `check` and has a test, before the author changes a line.
export interface TemplateParams {
  /** npm package name and the name part of the id. */
  name: string;
  id: string;
  displayName: string;
  /** How the project depends on summit-plugin-host (a version range or a file: path). */
  hostSpec: string;
  versions: { componentizeJs: string; esbuild: string; typescript: string };
  /** Contents of types/summit-widget.d.ts. */
  widgetTypes: string;
}

const json = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

export function projectFiles(p: TemplateParams): Record<string, string> {
  return {
    'package.json': json({
      name: p.name,
      version: '0.1.0',
      private: true,
      type: 'module',
      description: `${p.displayName}: a Summit widget.`,
      scripts: {
        build: 'summit-plugin build',
        dev: 'summit-plugin dev',
        check: 'summit-plugin check .',
        typecheck: 'tsc --noEmit',
        test: 'summit-plugin build --quiet && node --test',
      },
      devDependencies: {
        'summit-plugin-host': p.hostSpec,
        '@bytecodealliance/componentize-js': p.versions.componentizeJs,
        esbuild: p.versions.esbuild,
        typescript: p.versions.typescript,
      },
    }),
    'summit-plugin.json': json({
      $schema: './node_modules/summit-plugin-host/schema/summit-plugin.schema.json',
      id: p.id,
      version: '0.1.0',
      displayName: p.displayName,
      description: 'A list with a title; shows three items until the user asks for all.',
      world: 'summit:widget/widget@0.1.0',
      component: `dist/${p.name}.wasm`,
      build: { entry: 'src/widget.ts', features: [] },
      samples: [
        { name: 'default', input: { props: { title: `Hello from ${p.displayName}`, items: ['Plan', 'Build', 'Check', 'Submit'] } } },
        { name: 'expanded', input: { props: { title: `Hello from ${p.displayName}`, items: ['Plan', 'Build', 'Check', 'Submit'] }, state: { expanded: true } } },
      ],
    }),
    'tsconfig.json': json({
      compilerOptions: {
        target: 'ES2022',
        // Widgets run in a JavaScript engine inside WebAssembly: no DOM, no Node.js.
        lib: ['ES2022'],
        module: 'ESNext',
        moduleResolution: 'Bundler',
        strict: true,
        noUncheckedIndexedAccess: true,
        noEmit: true,
        types: [],
        skipLibCheck: true,
      },
      include: ['src'],
    }),
    'src/widget.ts': `// ${p.displayName}: render() gets the input as JSON text (Summit.Input) and returns an HTML
// fragment. The host sanitizes it (no scripts, no event handlers, no external resources) and
// shows it in the Summit UI. Throw a string or an Error to fail the render with a message.
import { log } from 'summit:widget/host@0.1.0';

interface Props {
  title?: string;
  items?: string[];
}

/** Widgets keep nothing between renders: state comes back in the input. */
interface State {
  expanded?: boolean;
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function render(inputText: string): string {
  const input = JSON.parse(inputText) as Summit.Input<Props, State>;
  const title = input.props.title ?? 'Hello';
  const items = input.props.items ?? [];
  if (!Array.isArray(items)) throw 'props.items must be an array of strings';

  const expanded = input.state?.expanded === true;
  const shown = expanded ? items : items.slice(0, 3);
  log('info', \`showing \${shown.length} of \${items.length} items for tenant \${input.context.tenant}\`);

  // A click on an element with data-summit-state renders the widget again with that state.
  const toggle =
    items.length > 3
      ? \`<button type="button" data-summit-state="\${escapeHtml(JSON.stringify({ expanded: !expanded }))}">\${expanded ? 'Show fewer' : \`Show all \${items.length}\`}</button>\`
      : '';
  const list = shown.map((item) => \`<li>\${escapeHtml(String(item))}</li>\`).join('');
  return \`<style>.card{font:14px/1.4 system-ui,sans-serif;padding:12px 16px;border:1px solid #d0d7de;border-radius:8px}h2{font-size:16px;margin:0 0 8px}</style><section class="card"><h2>\${escapeHtml(title)}</h2><ul>\${list}</ul>\${toggle}</section>\`;
}
`,
    'src/summit-widget.d.ts': p.widgetTypes,
    'test/widget.test.js': `// Renders every sample of summit-plugin.json in the same sandbox the Summit host uses, and
// checks the HTML survives the host's sanitizer untouched. Run with \`npm test\` (it builds first).
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';

process.env.SUMMIT_LOG_LEVEL ??= 'error';
const { completeInput, createHost, sanitizeWidgetHtml } = await import('summit-plugin-host');

const manifest = JSON.parse(await readFile(new URL('../summit-plugin.json', import.meta.url), 'utf8'));
const host = createHost({ mode: 'development', workers: 1 });
after(() => host.close());
const plugin = await host.load(fileURLToPath(new URL(\`../\${manifest.component}\`, import.meta.url)), {
  id: manifest.id,
  limits: manifest.limits,
});

for (const sample of manifest.samples) {
  test(\`sample "\${sample.name}" renders clean HTML\`, async () => {
    const { output } = await host.render(plugin, completeInput(sample.input));
    assert.match(output, /<section class="card">/);
    assert.deepEqual(sanitizeWidgetHtml(output).removed, []);
  });
}

test('shows three items until expanded', async () => {
  const props = { title: 'T', items: ['a', 'b', 'c', 'd'] };
  const collapsed = (await host.render(plugin, completeInput({ props }))).output;
  assert.equal(collapsed.match(/<li>/g).length, 3);
  const expanded = (await host.render(plugin, completeInput({ props, state: { expanded: true } }))).output;
  assert.equal(expanded.match(/<li>/g).length, 4);
});

test('escapes what it is given', async () => {
  const { output } = await host.render(plugin, completeInput({ props: { title: '<img src=x onerror=alert(1)>' } }));
  assert.ok(output.includes('&lt;img src=x onerror=alert(1)&gt;'));
});

test('bad props fail with a message for the author', async () => {
  await assert.rejects(host.render(plugin, completeInput({ props: { items: 'nope' } })), {
    code: 'SPH_ERR_PLUGIN_ERROR',
    message: 'props.items must be an array of strings',
  });
});
`,
    'README.md': `# ${p.displayName}

A widget for Summit, written in TypeScript and compiled to a WebAssembly component of the
\`summit:widget\` world. Made with \`summit-plugin init\`.

\`\`\`sh
npm install
npm run dev        # live preview on http://127.0.0.1:8790/, rebuilds on save
npm test           # builds, then renders every sample in the sandbox
npm run check      # the conformance gate: run it before you submit
\`\`\`

| file | what it is |
|---|---|
| \`src/widget.ts\` | \`render(input: string): string\`: JSON in, an HTML fragment out |
| \`src/summit-widget.d.ts\` | types for the input (\`Summit.Input\`) and the host \`log\` function |
| \`summit-plugin.json\` | the manifest: id, version, build settings, limits, sample inputs |
| \`test/widget.test.js\` | renders the samples through the same sandbox the host uses |
| \`dist/${p.name}.wasm\` | the component \`npm run build\` makes (and its \`.build.json\` record) |

## What a widget can and cannot do

- It computes HTML from its input: \`props\` (yours), \`context\` (tenant, locale, theme) and
  \`state\`. Nothing is kept between renders.
- The HTML is sanitized: no scripts, no event handlers, no \`javascript:\` URLs, no external
  resources (images as \`data:\` URLs; inline SVG and \`<style>\` are fine). \`npm run check\`
  lists anything the sanitizer would remove.
- Interaction without scripts: a click on an element with \`data-summit-state='<json>'\`
  renders the widget again with that JSON as \`input.state\`.
- Caps per render: 500 cpu-ms, 256 MiB, 1.5 s, 1 MiB of HTML. \`summit-plugin.json\` may only
  lower them (\`"limits": { "cpuMs": 100 }\`). The dev preview shows each render against them.
- The engine has no DOM, no Node.js APIs and no \`Intl\`. With no \`build.features\`, \`Date.now()\`
  is fixed at build time, \`Math.random()\` repeats and \`console\` output is dropped; add
  \`"clocks"\`, \`"random"\` or \`"stdio"\` to enable them. Use \`log()\` for messages.
`,
    '.gitignore': 'node_modules/\ndist/\n',
  };
}
