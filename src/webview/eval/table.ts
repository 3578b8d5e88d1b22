// The per-configuration results table: accuracy with its interval, latency, tokens, acceptance,
// speedup and accuracy difference against base-only. Sortable by any column; a SpecReason row
// offers "Use this threshold" in its pinned configuration cell (reachable however far the table scrolls).

import { configurationKey, configurationLabel } from '../../shared/evalForm';
import type { EvalConfigurationRow } from '../../shared/protocol';
import { h, setFlag, setText } from '../dom';
import { STEP_POLICIES } from '../../core/config';
import { DASH, formatCount, formatMs } from '../format';

type ColumnKey =
  | 'configuration'
  | 'runs'
  | 'accuracy'
  | 'mean'
  | 'median'
  | 'p90'
  | 'meanSmallTokens'
  | 'meanBaseTokens'
  | 'acceptance'
  | 'speedup'
  | 'accuracyDiff'
  | 'judgeCalls'
  | 'criticalPath';

interface Column {
  key: ColumnKey;
  label: string;
  title: string;
  /** Sort value; undefined sorts last whatever the direction. */
  value: (row: EvalConfigurationRow) => number | string | undefined;
  text: (row: EvalConfigurationRow) => string;
}

const percent = (x: number | undefined, digits = 1) => (x === undefined ? DASH : `${(x * 100).toFixed(digits)}%`);
const MODE_RANK = { specreason: 0, base: 1, small: 2 } as const;
/** Sorts SpecReason's own first, then the policies in their list's order, then the baselines. */
const rank = (r: EvalConfigurationRow) =>
  r.mode === 'specreason' ? STEP_POLICIES.indexOf(r.policy ?? 'specreason') : STEP_POLICIES.length + MODE_RANK[r.mode];
const paramOf = (r: EvalConfigurationRow) => Object.values(r.params ?? {})[0] ?? 0;
const meanCost = (x: number | undefined, digits = 1) => (x === undefined ? DASH : x.toFixed(digits));

function accuracyText(row: EvalConfigurationRow): string {
  if (row.accuracy === undefined) {
    return DASH;
  }
  const interval =
    row.accuracyLow !== undefined && row.accuracyHigh !== undefined
      ? ` [${(row.accuracyLow * 100).toFixed(0)}–${(row.accuracyHigh * 100).toFixed(0)}]`
      : '';
  return `${percent(row.accuracy)}${interval}`;
}

const COLUMNS: readonly Column[] = [
  {
    key: 'configuration',
    label: 'Configuration',
    title: 'Mode or step policy, its parameter, threshold and score method',
    value: (r) =>
      `${String(rank(r)).padStart(2, '0')}-${paramOf(r).toFixed(3).padStart(9, '0')}-${String(r.threshold ?? 0).padStart(4, '0')}-${r.scoreMethod ?? ''}`,
    text: (r) => configurationLabel(r),
  },
  {
    key: 'runs',
    label: 'Correct / runs',
    title: 'Finished runs (correct / all), failed runs in parentheses',
    value: (r) => r.runs,
    text: (r) => `${formatCount(r.correct)} / ${formatCount(r.runs)}${r.failed ? ` (${r.failed} failed)` : ''}`,
  },
  {
    key: 'accuracy',
    label: 'Accuracy [95% CI]',
    title: 'Mean pass@1 over repeats, with its 95% interval',
    value: (r) => r.accuracy,
    text: accuracyText,
  },
  {
    key: 'mean',
    label: 'Mean',
    title: 'Mean wall time per run',
    value: (r) => r.meanWallMs,
    text: (r) => formatMs(r.meanWallMs),
  },
  {
    key: 'median',
    label: 'Median',
    title: 'Median wall time per run',
    value: (r) => r.medianWallMs,
    text: (r) => formatMs(r.medianWallMs),
  },
  {
    key: 'p90',
    label: 'p90',
    title: '90th percentile of wall time per run',
    value: (r) => r.p90WallMs,
    text: (r) => formatMs(r.p90WallMs),
  },
  {
    key: 'meanSmallTokens',
    label: 'Small tokens / run',
    title: 'Output tokens of the small model per run (mean)',
    value: (r) => r.meanSmallTokens,
    text: (r) => formatCount(r.meanSmallTokens === undefined ? undefined : Math.round(r.meanSmallTokens)),
  },
  {
    key: 'meanBaseTokens',
    label: 'Base tokens / run',
    title: 'Output tokens of the base model per run (mean)',
    value: (r) => r.meanBaseTokens,
    text: (r) => formatCount(r.meanBaseTokens === undefined ? undefined : Math.round(r.meanBaseTokens)),
  },
  {
    key: 'acceptance',
    label: 'Acceptance',
    title: 'Share of drafted steps kept',
    value: (r) => r.acceptanceRate,
    text: (r) => (r.mode === 'specreason' ? percent(r.acceptanceRate) : DASH),
  },
  {
    key: 'speedup',
    label: 'Speedup vs base',
    title: 'Mean latency of base-only divided by this mean latency',
    value: (r) => r.speedupVsBase,
    text: (r) => (r.speedupVsBase === undefined ? DASH : `${r.speedupVsBase.toFixed(2)}×`),
  },
  {
    key: 'accuracyDiff',
    label: 'Δ accuracy vs base',
    title: 'Accuracy minus base-only accuracy, in percentage points',
    value: (r) => r.accuracyDiffVsBase,
    text: (r) =>
      r.accuracyDiffVsBase === undefined
        ? DASH
        : `${r.accuracyDiffVsBase > 0 ? '+' : r.accuracyDiffVsBase < 0 ? '−' : '±'}${Math.abs(r.accuracyDiffVsBase * 100).toFixed(1)} pp`,
  },
  {
    key: 'judgeCalls',
    label: 'Judge calls / run',
    title: 'Drafts scored by a judge prompt per run (mean), and requests to the small / base model',
    value: (r) => r.costs?.judgeCalls,
    text: (r) =>
      r.costs?.judgeCalls === undefined
        ? DASH
        : `${meanCost(r.costs.judgeCalls)} (${meanCost(r.costs.smallRequests)} / ${meanCost(r.costs.baseRequests)} req)`,
  },
  {
    key: 'criticalPath',
    label: 'Critical path / lower bound',
    title:
      'Time the run waited for its kept steps (mean), and the lower bound: each kept step written once by the model that wrote it, with no judge, waste or fallback',
    value: (r) => r.costs?.criticalPathMs,
    text: (r) =>
      r.costs?.criticalPathMs === undefined
        ? DASH
        : `${formatMs(r.costs.criticalPathMs)} / ${formatMs(r.costs.lowerBoundMs)}`,
  },
];

interface RowView {
  element: HTMLTableRowElement;
  cells: Map<ColumnKey, HTMLElement>;
  use?: HTMLButtonElement;
}

export class ResultsTable {
  readonly element: HTMLElement;
  private readonly _body = h('tbody');
  private readonly _headers = new Map<ColumnKey, HTMLElement>();
  private _sort: { key: ColumnKey; descending: boolean } = { key: 'configuration', descending: false };
  private _rows: readonly EvalConfigurationRow[] = [];
  private readonly _views = new Map<string, RowView>();
  private _threshold = Number.NaN;

  constructor(private readonly _useThreshold: (threshold: number) => void) {
    const headRow = h('tr');
    for (const column of COLUMNS) {
      const sortButton = h(
        'button',
        { className: 'sort', title: `${column.title}. Click to sort.`, attrs: { type: 'button' } },
        column.label,
      );
      sortButton.addEventListener('click', () => this.sortBy(column.key));
      const th = h('th', { attrs: { scope: 'col', 'data-col': column.key, 'aria-sort': 'none' } }, sortButton);
      this._headers.set(column.key, th);
      headRow.appendChild(th);
    }
    this.element = h(
      'div',
      { className: 'table-scroll' },
      h('table', { id: 'eval-table', className: 'eval-table' }, h('thead', {}, headRow), this._body),
    );
    this._body.addEventListener('click', (e) => {
      const button = (e.target as Element).closest('button.use-threshold');
      const threshold = button ? Number((button as HTMLElement).dataset.threshold) : Number.NaN;
      if (Number.isFinite(threshold)) {
        this._useThreshold(threshold);
      }
    });
    this.markSort();
  }

  sortBy(key: ColumnKey): void {
    this._sort =
      this._sort.key === key
        ? { key, descending: !this._sort.descending }
        : // Numbers read best from the largest down; the configuration column A→Z.
          { key, descending: key !== 'configuration' };
    this.markSort();
    this.render();
  }

  update(rows: readonly EvalConfigurationRow[], threshold: number): void {
    this._rows = rows;
    this._threshold = threshold;
    this.render();
  }

  private markSort(): void {
    for (const [key, th] of this._headers) {
      th.setAttribute(
        'aria-sort',
        key === this._sort.key ? (this._sort.descending ? 'descending' : 'ascending') : 'none',
      );
    }
  }

  /** Updates the rows in place (a frame of a running evaluation changes only numbers) and orders them. */
  private render(): void {
    const column = COLUMNS.find((c) => c.key === this._sort.key) ?? COLUMNS[0]!;
    const sign = this._sort.descending ? -1 : 1;
    const sorted = [...this._rows].sort((a, b) => {
      const x = column.value(a);
      const y = column.value(b);
      if (x === undefined || y === undefined) {
        return x === y ? 0 : x === undefined ? 1 : -1;
      }
      return sign * (x < y ? -1 : x > y ? 1 : 0);
    });
    const seen = new Set<string>();
    const order: HTMLTableRowElement[] = [];
    for (const row of sorted) {
      const key = configurationKey(row);
      seen.add(key);
      const view = this._views.get(key) ?? this.newRow(row, key);
      for (const c of COLUMNS) {
        setText(view.cells.get(c.key)!, c.text(row));
      }
      if (view.use) {
        const current = row.threshold === this._threshold;
        setText(view.use, current ? 'Current threshold' : 'Use this threshold');
        const title = current
          ? `specreason.threshold is ${row.threshold}`
          : `Set specreason.threshold to ${row.threshold}`;
        if (view.use.title !== title) {
          view.use.title = title;
        }
        setFlag(view.use, 'disabled', current);
      }
      order.push(view.element);
    }
    for (const [key, view] of this._views) {
      if (!seen.has(key)) {
        view.element.remove();
        this._views.delete(key);
      }
    }
    const inPlace =
      order.length === this._body.children.length && order.every((tr, i) => this._body.children[i] === tr);
    if (!inPlace) {
      this._body.replaceChildren(...order);
    }
  }

  private newRow(row: EvalConfigurationRow, key: string): RowView {
    const element = h('tr', {
      attrs: { 'data-mode': row.mode, 'data-policy': row.policy ?? '', 'data-config': key },
    });
    const cells = new Map<ColumnKey, HTMLElement>();
    let use: HTMLButtonElement | undefined;
    for (const c of COLUMNS) {
      if (c.key === 'configuration') {
        // The configuration column is pinned: its name, and "Use this threshold" under it, stay in view.
        const name = h('span', { className: 'config-name' });
        const cell = h('th', { attrs: { scope: 'row', 'data-col': c.key } }, name);
        // The threshold setting is SpecReason's own: another policy's row has its own parameter.
        if (row.mode === 'specreason' && (row.policy ?? 'specreason') === 'specreason' && row.threshold !== undefined) {
          use = h('button', {
            className: 'use-threshold secondary',
            attrs: { type: 'button', 'data-threshold': String(row.threshold) },
          });
          cell.appendChild(use);
        }
        cells.set(c.key, name);
        element.appendChild(cell);
      } else {
        const cell = h('td', { attrs: { 'data-col': c.key } });
        cells.set(c.key, cell);
        element.appendChild(cell);
      }
    }
    const view = { element, cells, use };
    this._views.set(key, view);
    return view;
  }
}
