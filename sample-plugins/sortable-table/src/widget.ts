// Sortable table: a stateful widget without scripts. Each column header is a button whose
// data-summit-state holds the state to render next ({"sort": key, "dir": "asc"|"desc"}); when
// it is clicked, the Summit UI (and `summit-plugin dev`) renders the widget again with that
// state in input.state. The widget itself keeps nothing between renders.
import { log } from 'summit:widget/host@0.1.0';

interface Column {
  key: string;
  label?: string;
  /** Sort and align as numbers. */
  numeric?: boolean;
}

interface Props {
  caption?: string;
  columns?: Column[];
  rows?: Record<string, unknown>[];
  /** Initial sort when there is no state yet. */
  sort?: string;
  /** Show at most this many rows (after sorting). */
  limit?: number;
}

interface State {
  sort?: string;
  dir?: 'asc' | 'desc';
}

const MAX_ROWS = 500;

const esc = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

function compare(a: unknown, b: unknown, numeric: boolean): number {
  if (a === b) return 0;
  if (a === undefined || a === null) return 1; // empty cells last
  if (b === undefined || b === null) return -1;
  if (numeric) return Number(a) - Number(b);
  const x = String(a).toLowerCase();
  const y = String(b).toLowerCase();
  return x < y ? -1 : x > y ? 1 : 0;
}

export function render(inputText: string): string {
  const input = JSON.parse(inputText) as Summit.Input<Props, State>;
  const props = input.props ?? {};
  const columns = props.columns;
  if (!Array.isArray(columns) || columns.length === 0) throw 'props.columns must be a non-empty array of {key, label?, numeric?}';
  const rows = Array.isArray(props.rows) ? props.rows : [];
  if (rows.length > MAX_ROWS) throw `props.rows has ${rows.length} rows; at most ${MAX_ROWS}`;

  const state = input.state ?? {};
  const sortKey = columns.some((c) => c.key === state.sort) ? state.sort! : props.sort ?? columns[0]!.key;
  const dir = state.dir === 'desc' ? 'desc' : 'asc';
  const col = columns.find((c) => c.key === sortKey)!;
  // Stable: equal keys keep their order from props.
  const sorted = rows
    .map((row, i) => ({ row, i }))
    .sort((a, b) => compare(a.row[sortKey], b.row[sortKey], col.numeric === true) * (dir === 'asc' ? 1 : -1) || a.i - b.i)
    .map((x) => x.row)
    .slice(0, Math.max(1, Math.min(props.limit ?? MAX_ROWS, MAX_ROWS)));

  const head = columns
    .map((c) => {
      const active = c.key === sortKey;
      const next: State = { sort: c.key, dir: active && dir === 'asc' ? 'desc' : 'asc' };
      const ariaSort = active ? (dir === 'asc' ? 'ascending' : 'descending') : 'none';
      const arrow = active ? (dir === 'asc' ? ' ▲' : ' ▼') : '';
      return `<th scope="col" aria-sort="${ariaSort}"${c.numeric ? ' class="num"' : ''}><button type="button" data-summit-state="${esc(JSON.stringify(next))}">${esc(c.label ?? c.key)}${arrow}</button></th>`;
    })
    .join('');
  const body = sorted
    .map((r) => `<tr>${columns.map((c) => `<td${c.numeric ? ' class="num"' : ''}>${esc(r[c.key] === undefined || r[c.key] === null ? '' : String(r[c.key]))}</td>`).join('')}</tr>`)
    .join('');
  log('debug', `sortable-table: ${sorted.length} rows by ${sortKey} ${dir}`);
  const dark = input.context?.theme === 'dark';
  return (
    `<style>` +
    `table{border-collapse:collapse;font:13px/1.4 system-ui,sans-serif;color:${dark ? '#e6edf3' : '#1f2328'};min-width:20em}` +
    `caption{text-align:left;font-weight:600;padding:4px 0}th,td{padding:4px 10px;border-bottom:1px solid ${dark ? '#444c56' : '#d0d7de'}}` +
    `th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer;color:inherit}.num{text-align:right;font-variant-numeric:tabular-nums}` +
    `</style>` +
    `<table>${props.caption ? `<caption>${esc(props.caption)}</caption>` : ''}<thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`
  );
}
