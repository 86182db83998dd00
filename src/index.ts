export { createHost, PluginHost } from './host/plugin-host.js';
export type { Plugin, PluginDescriptor, RenderOptions, RenderResult, RenderError, Usage, PluginLogLine } from './host/plugin-host.js';
export type { EgressUsage, EgressLogEntry, EgressIssue } from './host/plugin-host.js';
export type { EgressOptions } from './egress/options.js';
export { DEFAULT_EGRESS } from './egress/options.js';
export type { HostOptions, HostMode } from './config/host-options.js';
export { DEFAULT_LIMITS, type Limits } from './config/limits.js';
export * from './errors.js';
