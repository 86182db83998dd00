// Service status: fetches a Statuspage-style summary (GET /api/v2/summary.json) from the partner's
// status host and shows the overall state and each component. The request goes out through the
// host's mesh proxy, and only to the host the manifest allows (capabilities.egress.allowedHosts).
//
// A widget that fetches must expect the request to fail (no proxy in a local run, the partner's
// API down, a timeout): it then renders a placeholder instead of failing the page. The guest
// only ever sees "NetworkError"; the host's usage record and log say why.
import { log } from 'summit:widget/host@0.1.0';

interface Props {
  /** Status API of the partner; its host must be in the manifest's allowedHosts. */
  statusUrl?: string;
  title?: string;
  /** Components to show at most. */
  limit?: number;
}

interface Summary {
  status?: { indicator?: string; description?: string };
  components?: { name?: string; status?: string }[];
}

const DEFAULT_URL = 'https://status.acme.example/api/v2/summary.json';
const INDICATORS: Record<string, string> = { none: 'ok', minor: 'degraded', major: 'outage', critical: 'outage', maintenance: 'maintenance' };
const COMPONENT_STATES: Record<string, string> = {
  operational: 'ok',
  degraded_performance: 'degraded',
  partial_outage: 'outage',
  major_outage: 'outage',
  under_maintenance: 'maintenance',
};

const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function placeholder(title: string, why: string): string {
  log('warn', `service-status: ${why}`);
  return `<div class="status-card status-unknown"><span class="status-title">${title}</span><span class="status-text">Status unavailable</span></div>`;
}

export async function render(inputText: string): Promise<string> {
  const props = ((JSON.parse(inputText) as { props?: Props }).props ?? {}) as Props;
  const title = escapeHtml(props.title ?? 'Service status');
  const limit = Math.min(Math.max(props.limit ?? 5, 0), 20);
  let summary: Summary;
  try {
    const res = await fetch(props.statusUrl ?? DEFAULT_URL, { headers: { accept: 'application/json' } });
    if (!res.ok) return placeholder(title, `the status API answered ${res.status}`);
    summary = (await res.json()) as Summary;
  } catch (err) {
    return placeholder(title, `the status API could not be reached (${String(err)})`);
  }
  const state = INDICATORS[summary.status?.indicator ?? ''] ?? 'unknown';
  const description = escapeHtml(summary.status?.description ?? 'Unknown');
  const items = (summary.components ?? [])
    .slice(0, limit)
    .map((c) => `<li class="status-${COMPONENT_STATES[c.status ?? ''] ?? 'unknown'}">${escapeHtml(c.name ?? '?')}</li>`)
    .join('');
  return `<div class="status-card status-${state}"><span class="status-title">${title}</span><span class="status-text">${description}</span>${items ? `<ul>${items}</ul>` : ''}</div>`;
}
