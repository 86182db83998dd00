// What the routes of the host service share: options, host, catalog, loader, limits, metrics.
import type { PluginHost } from '../host/plugin-host.js';
import type { ServiceMetrics } from './metrics.js';
import type { ResolvedServerOptions } from './server-options.js';
import type { TenantLimits } from './tenant-limits.js';
import type { WidgetCatalog } from './widget-catalog.js';
import type { WidgetGuard } from './widget-guard.js';
import type { WidgetLoader } from './widget-loader.js';

export interface ServiceContext {
  options: Readonly<ResolvedServerOptions>;
  host: PluginHost;
  catalog: WidgetCatalog;
  loader: WidgetLoader;
  tenants: TenantLimits;
  metrics: ServiceMetrics;
  guard: WidgetGuard;
}
