export { createHost, PluginHost } from './host/plugin-host.js';
export type { Plugin, PluginDescriptor, RenderOptions, RenderResult, RenderError, Usage, PluginLogLine } from './host/plugin-host.js';
export type { HostOptions, HostMode } from './config/host-options.js';
export { DEFAULT_LIMITS, type Limits } from './config/limits.js';
export * from './errors.js';
export { sanitizeWidgetHtml, type SanitizeResult, type Removal } from './host/sanitize.js';
export { completeInput, DEFAULT_CONTEXT, type RenderInput } from './authoring/render-input.js';
export { checkPlugin, type CheckReport, type CheckItem, type SampleReport } from './authoring/check.js';
export { parseManifest, readManifest, type Manifest } from './manifest/manifest.js';
