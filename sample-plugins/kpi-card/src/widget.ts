// KPI card: one metric with its label, formatted for the locale, and its trend against a
// previous value. render() receives JSON text (Summit.Input) and returns an HTML fragment;
// throwing fails the render with SPH_ERR_PLUGIN_ERROR and the message.
import { log } from 'summit:widget/host@0.1.0';
import { formatNumber } from './format.js';

interface Props {
  label?: string;
  value?: number;
  previous?: number;
  /** Overrides the tenant's locale (context.locale), e.g. "en-IN". */
  locale?: string;
  decimals?: number;
  currency?: string;
  /** A unit shown after the number when there is no currency, e.g. "ms". */
  unit?: string;
  compact?: boolean;
  /** "up" (default): an increase is good; "down": a decrease is good (errors, latency). */
  good?: 'up' | 'down';
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const STYLE = `<style>
.kpi{font:14px/1.3 system-ui,sans-serif;padding:12px 16px;border-radius:8px;background:var(--kpi-bg,#fff);color:var(--kpi-fg,#1b1f24);border:1px solid #d8dee4;display:inline-flex;flex-direction:column;gap:4px;min-width:10em}
.kpi.dark{--kpi-bg:#22272e;--kpi-fg:#e6edf3;border-color:#444c56}
.kpi-label{font-size:12px;text-transform:uppercase;letter-spacing:.04em;opacity:.75}
.kpi-value{font-size:28px;font-weight:600;font-variant-numeric:tabular-nums}
.kpi-trend{font-size:13px}.kpi-good{color:#1a7f37}.kpi-bad{color:#cf222e}.kpi-flat{opacity:.7}
</style>`;

export function render(inputText: string): string {
  const input = JSON.parse(inputText) as Summit.Input<Props>;
  const props = input.props ?? {};
  if (typeof props.value !== 'number' || !Number.isFinite(props.value)) {
    throw 'props.value must be a finite number';
  }
  const locale = props.locale ?? input.context?.locale ?? 'en-US';
  const number = { locale, decimals: props.decimals, currency: props.currency, compact: props.compact };
  const label = escapeHtml(props.label ?? 'Metric');
  const unit = props.unit && !props.currency ? `<span class="kpi-unit">${escapeHtml(props.unit)}</span>` : '';
  let trend = '';
  if (typeof props.previous === 'number' && props.previous !== 0) {
    const change = ((props.value - props.previous) / Math.abs(props.previous)) * 100;
    const dir = change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
    const quality = dir === 'flat' ? 'flat' : dir === (props.good ?? 'up') ? 'good' : 'bad';
    const arrow = dir === 'up' ? '▲' : dir === 'down' ? '▼' : '■';
    trend = `<span class="kpi-trend kpi-${quality}" title="previous ${escapeHtml(formatNumber(props.previous, number))}">${arrow} ${formatNumber(Math.abs(change), { locale, decimals: 1 })}%</span>`;
  }
  log('debug', `kpi-card rendered ${label} for ${locale}`);
  const theme = input.context?.theme === 'dark' ? ' dark' : '';
  return `${STYLE}<div class="kpi${theme}" role="group" aria-label="${label}"><span class="kpi-label">${label}</span><span class="kpi-value">${formatNumber(props.value, number)}${unit ? ` ${unit}` : ''}</span>${trend}</div>`;
}
