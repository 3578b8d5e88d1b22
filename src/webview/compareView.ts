// The compare view: two or more modes of the same problem side by side — step policies (SpecReason's own and
// its follow-ups) and base-only (and small-only) decoding: a column of reasoning each, a row each in the table.

import { COMPARE_COLUMNS, compareRow, type CompareColumn, type CompareRow } from '../core/presentation/compareTable';
import { RUN_MODES } from '../core/config';
import { comparisonRounds, panelRunKey, type PanelRun, type PanelState } from '../shared/protocol';
import { h, setText } from './dom';
import {
  DASH,
  formatCount,
  formatMs,
  formatRate,
  runLabel,
  runSettingsText,
  STATUS_LABEL,
  STOP_REASON_LABEL,
} from './format';
import { CompareSummary } from './compareSummary';
import { SPECULATION_TITLE, speculationText } from './decision';
import { legend } from './legend';
import { renderTex } from './math';
import { LiveStepView, StepsList } from './steps';

const byMode = (a: PanelRun, b: PanelRun) => RUN_MODES.indexOf(a.mode) - RUN_MODES.indexOf(b.mode);

/** What each run spent besides tokens (PolicyCosts), comparable across policies and baselines. */
type CostColumn = 'requests' | 'judge' | 'critical';

type Column = 'status' | CompareColumn | CostColumn;

const COLUMNS: ReadonlyArray<readonly [Column, string]> = [
  ['status', 'Status'],
  ...COMPARE_COLUMNS,
  ['requests', 'Requests small / base'],
  ['judge', 'Judge calls'],
  ['critical', 'Critical path'],
];

const COLUMN_TITLES: Partial<Record<Column, string>> = {
  requests: 'Generation and score requests sent to each model (a batched request counts once)',
  judge: 'Drafts scored by a judge prompt, by either model',
  critical:
    'Time the loop waited for its kept steps; the lower bound (≥) is each kept step written once by the model whose text was kept',
};

/** A run's costs as cell text (runs recorded before costs existed: a dash). */
function costCells(costs: NonNullable<PanelRun['summary']>['costs']): Record<CostColumn, string> {
  return {
    requests: costs ? `${formatCount(costs.requests.small)} / ${formatCount(costs.requests.base)}` : DASH,
    judge: costs ? formatCount(costs.judgeCalls) : DASH,
    critical: costs ? `${formatMs(costs.criticalPathMs)} (≥ ${formatMs(costs.lowerBoundMs)})` : DASH,
  };
}

/** Tokens of the completed steps: what a running run's row shows until its summary arrives. */
function stepTokens(run: PanelRun, pick: (s: PanelRun['steps'][number]) => number | null): number {
  return run.steps.reduce((total, s) => total + (pick(s) ?? 0), 0);
}

class RunRow {
  readonly element: HTMLTableRowElement;
  readonly numbered: boolean;
  private readonly _cells = new Map<Column, HTMLTableCellElement>();
  private _answer?: string;

  /** `round`: 0-based, named in the row's heading when the comparison has several. */
  constructor(
    readonly run: PanelRun,
    round: number | undefined,
  ) {
    const mode = run.mode;
    this.numbered = round !== undefined;
    this.element = h(
      'tr',
      {
        attrs: {
          'data-mode': mode,
          'data-key': panelRunKey(run),
          ...(round === undefined ? {} : { 'data-round': String(round + 1) }),
        },
      },
      h('th', { attrs: { scope: 'row' } }, round === undefined ? runLabel(run) : `${runLabel(run)} #${round + 1}`),
    );
    for (const [key] of COLUMNS) {
      const cell = h('td', { attrs: { 'data-col': key } });
      this._cells.set(key, cell);
      this.element.appendChild(cell);
    }
  }

  update(run: PanelRun): void {
    const row: CompareRow | undefined = run.summary && compareRow(run.summary);
    const text: Record<Exclude<Column, 'answer'>, string> = {
      status: STATUS_LABEL[run.status],
      wall: formatMs(row?.wallMs),
      ttft: formatMs(row?.ttftMs),
      small: formatCount(row?.smallTokens ?? stepTokens(run, (s) => s.num_output_tokens_small)),
      base: formatCount(row?.baseTokens ?? stepTokens(run, (s) => s.num_output_tokens_base)),
      steps: formatCount(row?.steps ?? run.steps.length),
      acceptance: run.mode === 'specreason' && row ? formatRate(row.acceptanceRate) : DASH,
      stop: row ? STOP_REASON_LABEL[row.stopReason] : DASH,
      wasted: formatCount(row?.wastedTokens),
      ...costCells(run.summary?.costs),
    };
    for (const [key, value] of Object.entries(text) as Array<[Exclude<Column, 'answer'>, string]>) {
      const cell = this._cells.get(key);
      if (cell) {
        setText(cell, value);
      }
    }
    const answerCell = this._cells.get('answer');
    const answer = row?.answer;
    if (answerCell && answer !== this._answer) {
      this._answer = answer;
      answerCell.replaceChildren(answer === undefined ? DASH : renderTex(answer, false));
    }
  }
}

/** One run's text: its steps (one baseline record holds the whole reasoning) and its live step. */
class RunColumn {
  readonly element: HTMLElement;
  private readonly _status = h('span', { className: 'column-status' });
  private readonly _body: HTMLElement;
  private readonly _steps = new StepsList();
  private readonly _live = new LiveStepView();
  private _following = false;
  private readonly _settings = h('p', {
    className: 'run-settings muted',
    title: 'The settings and models this run used',
  });
  private readonly _speculation = h('p', { className: 'run-speculation muted', title: SPECULATION_TITLE });

  constructor(readonly run: PanelRun) {
    this._body = h(
      'div',
      { className: 'column-body', attrs: { tabindex: '0', 'aria-label': `${runLabel(run)} reasoning` } },
      this._steps.element,
      this._live.element,
    );
    this.element = h(
      'section',
      { className: 'compare-column', attrs: { 'data-mode': run.mode, 'data-key': panelRunKey(run) } },
      h(
        'header',
        { className: 'column-head' },
        h('h2', {}, runLabel(run)),
        this._status,
        this._settings,
        this._speculation,
      ),
      this._body,
    );
  }

  update(): void {
    const body = this._body;
    // Follow the stream while the reader is at the bottom; leave them be once they scroll up.
    const following = body.scrollTop + body.clientHeight >= body.scrollHeight - 24;
    this._steps.sync(this.run);
    this._live.update(this.run);
    const wall = this.run.summary ? ` · ${formatMs(this.run.summary.wallMs)}` : '';
    setText(this._status, `${STATUS_LABEL[this.run.status]}${wall}`);
    setText(this._settings, runSettingsText(this.run));
    const speculation = speculationText(this.run);
    this._speculation.hidden = speculation === undefined;
    setText(this._speculation, speculation ?? '');
    this.element.dataset.status = this.run.status;
    if (following) {
      body.scrollTop = body.scrollHeight;
    }
    this._following = following;
  }

  /** Builds the steps in view (after the frame's scrolling), then keeps a followed column at its bottom. */
  buildVisible(): boolean {
    const more = this._steps.buildVisible();
    if (this._following) {
      this._body.scrollTop = this._body.scrollHeight;
    }
    return more;
  }
}

export class CompareView {
  readonly element: HTMLElement;
  /** The summary card and the table: shown when the comparison ends. */
  readonly result: HTMLElement;
  private readonly _summary = new CompareSummary();
  private readonly _metrics = h('p', { className: 'server-metrics muted' });
  private readonly _tbody = h('tbody');
  private readonly _columnsBox = h('div', { className: 'compare-columns' });
  private readonly _rows = new Map<string, RunRow>();
  private readonly _columns = new Map<string, RunColumn>();

  constructor() {
    const head = h(
      'tr',
      {},
      h('th', { attrs: { scope: 'col' } }, 'Run'),
      ...COLUMNS.map(([key, label]) =>
        h('th', { attrs: { scope: 'col', 'data-col': key }, title: COLUMN_TITLES[key] ?? '' }, label),
      ),
    );
    const table = h(
      'table',
      { className: 'compare-table' },
      h('caption', { className: 'visually-hidden' }, 'Runs compared'),
      h('thead', {}, head),
      this._tbody,
    );
    this.result = h(
      'section',
      { id: 'result', className: 'compare-summary', attrs: { 'aria-label': 'Comparison' } },
      this._summary.element,
      // The Run column stays in view while the others scroll sideways (position: sticky).
      h('div', { className: 'table-scroll', attrs: { tabindex: '0', 'aria-label': 'Comparison table' } }, table),
      this._metrics,
    );
    this.element = h('div', { className: 'compare-view' }, this.result, legend(), this._columnsBox);
  }

  update(state: PanelState): void {
    // A repeated comparison: every run has its row in the table; the columns show the latest round's text.
    const rounds = comparisonRounds(state.runs).map((round) => [...round].sort(byMode));
    const runs = rounds[rounds.length - 1] ?? [];
    const planned = Math.max(state.rounds ?? 1, rounds.length);
    this.syncChildren(runs, rounds.flat(), planned > 1);
    for (const run of rounds.flat()) {
      this._rows.get(run.runId)?.update(run);
    }
    for (const run of runs) {
      this._columns.get(run.runId)?.update();
    }
    this._summary.update(rounds, planned, state.problem);
    this._columnsBox.style.setProperty('--runs', String(Math.max(1, runs.length)));
    const m = state.metrics;
    setText(
      this._metrics,
      `Server metrics: spec-decode acceptance ${m?.specDecodeEnabled === false ? 'off' : formatRate(m?.specDecodeAcceptance)}` +
        ` · prefix-cache hit rate ${formatRate(m?.prefixCacheHitRate)}`,
    );
  }

  /** Builds the steps in view in each column; returns whether some are left for the next frame. */
  buildVisible(): boolean {
    let more = false;
    for (const column of this._columns.values()) {
      more = column.buildVisible() || more;
    }
    return more;
  }

  /**
   * Rows (every run, `numbered` by round when repeated) and columns (`runs`: the latest round's) keyed by run id;
   * a new run object for an id (a re-run) gets fresh ones.
   */
  private syncChildren(runs: readonly PanelRun[], all: readonly PanelRun[], numbered: boolean): void {
    const shown = new Set(runs);
    for (const [id, column] of [...this._columns]) {
      if (!shown.has(column.run)) {
        this._columns.delete(id);
      }
    }
    const rowIds = new Set(all.map((r) => r.runId));
    for (const [id, row] of [...this._rows]) {
      if (!rowIds.has(id) || !all.includes(row.run) || row.numbered !== numbered) {
        this._rows.delete(id);
      }
    }
    for (const run of runs) {
      if (!this._columns.has(run.runId)) {
        this._columns.set(run.runId, new RunColumn(run));
      }
    }
    const roundOf = new Map(comparisonRounds(all).flatMap((round, i) => round.map((r) => [r, i] as const)));
    for (const run of all) {
      if (!this._rows.has(run.runId)) {
        this._rows.set(run.runId, new RunRow(run, numbered ? roundOf.get(run) : undefined));
      }
    }
    const columns = runs
      .map((r) => this._columns.get(r.runId)?.element)
      .filter((e): e is HTMLElement => e !== undefined);
    const rows = all
      .map((r) => this._rows.get(r.runId)?.element)
      .filter((e): e is HTMLTableRowElement => e !== undefined);
    if (!sameChildren(this._columnsBox, columns)) {
      this._columnsBox.replaceChildren(...columns);
    }
    if (!sameChildren(this._tbody, rows)) {
      this._tbody.replaceChildren(...rows);
    }
  }
}

function sameChildren(parent: Element, children: readonly Element[]): boolean {
  return parent.children.length === children.length && children.every((c, i) => parent.children[i] === c);
}
