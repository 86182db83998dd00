export { createHost, PluginHost } from './host/plugin-host.js';
export type { Plugin, PluginDescriptor, RenderOptions, RenderResult, RenderError, Usage, PluginLogLine } from './host/plugin-host.js';
export type { HostOptions, HostMode } from './config/host-options.js';
export { DEFAULT_LIMITS, type Limits } from './config/limits.js';
export * from './errors.js';
export { sanitizeWidgetHtml, type SanitizeResult, type Removal } from './host/sanitize.js';
