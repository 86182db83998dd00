// KPI card: one metric with its label, formatted for the tenant's locale, and its trend.
// render() receives JSON text {"props": ..., "context": {...}} and returns an HTML fragment;
// throwing a string makes the host report SPH_ERR_PLUGIN_ERROR with that message.
import { log } from 'summit:widget/host@0.1.0';

interface Props {
  label?: string;
  value?: number;
  previous?: number;
  unit?: string;
  decimals?: number;
}

interface Input {
  props?: Props;
  context?: { locale?: string; tenant?: string; theme?: string };
}

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

/** Groups digits by locale without Intl (the engine ships without locale data). */
function formatNumber(value: number, decimals: number, locale: string): string {
  const [group, point] = /^(de|fr|es|it|nl|pt|ru|pl)/.test(locale) ? ['.', ','] : [',', '.'];
  const fixed = Math.abs(value).toFixed(decimals);
  const [int, frac] = fixed.split('.');
  const grouped = int!.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  return `${value < 0 ? '-' : ''}${grouped}${frac ? point + frac : ''}`;
}

export function render(inputText: string): string {
  const input = JSON.parse(inputText) as Input;
  const props = input.props ?? {};
  if (typeof props.value !== 'number' || !Number.isFinite(props.value)) {
    throw 'props.value must be a finite number';
  }
  const locale = input.context?.locale ?? 'en-US';
  const decimals = Math.min(Math.max(props.decimals ?? 0, 0), 6);
  const label = escapeHtml(props.label ?? 'Metric');
  const unit = props.unit ? ` ${escapeHtml(props.unit)}` : '';
  let trend = '';
  if (typeof props.previous === 'number' && props.previous !== 0) {
    const change = ((props.value - props.previous) / Math.abs(props.previous)) * 100;
    const dir = change > 0 ? 'up' : change < 0 ? 'down' : 'flat';
    const arrow = dir === 'up' ? '▲' : dir === 'down' ? '▼' : '■';
    trend = `<span class="kpi-trend kpi-${dir}">${arrow} ${formatNumber(Math.abs(change), 1, locale)}%</span>`;
  }
  log('debug', `kpi-card rendered ${label}`);
  return `<div class="kpi-card"><span class="kpi-label">${label}</span><span class="kpi-value">${formatNumber(props.value, decimals, locale)}${unit}</span>${trend}</div>`;
}
