// The per-problem grid: a row per problem, a column per configuration, a mark per repeat (correct or
// wrong, with its latency). Clicking a mark asks the host to open that run in the reasoning panel; hovering or
// focusing it shows the run's answer and the gold answer typeset (KaTeX: inert DOM, never HTML from the run).
// Rows are contained blocks (ARIA table roles) rather than a <table>: a new or changed row is laid
// out alone and off-screen rows are skipped, so thousands of runs cost only the cells that changed.

import { configurationKey, configurationLabel, runConfiguration, type ConfigurationId } from '../../shared/evalForm';
import type { EvalRunRow } from '../../shared/protocol';
import { h } from '../dom';
import { formatMs } from '../format';
import { renderTex } from '../math';

interface Row {
  element: HTMLElement;
  gold: HTMLElement;
  /** The gold answer typeset in `gold` (typesetting again only when it changes). */
  goldTex?: string;
  cells: Map<string, HTMLElement>;
}

/** Seconds, short enough for a fixed-width mark: "0.84s", "9.1s", "125s". */
function shortSeconds(ms: number): string {
  const s = ms / 1000;
  return `${s < 1 ? s.toFixed(2) : s < 100 ? s.toFixed(1) : Math.round(s)}s`;
}

const failed = (run: EvalRunRow) => run.error !== undefined || run.stopReason === 'error';
/** The grader could not decide (its symbolic rule did not load): neither correct nor wrong. */
const ungraded = (run: EvalRunRow) => run.rule === 'cas-unavailable';
const verdictOf = (run: EvalRunRow) =>
  failed(run) ? 'failed' : ungraded(run) ? 'not graded' : run.correct ? 'correct' : 'wrong';

function markText(run: EvalRunRow): string {
  return failed(run) ? '! fail' : `${ungraded(run) ? '?' : run.correct ? '✓' : '✗'} ${shortSeconds(run.wallMs)}`;
}

const UNGRADED_TEXT =
  'not graded: the symbolic rule (compute-engine.js) did not load; reinstall SpecReason, then re-grade';

const verdictLine = (run: EvalRunRow, label: string) =>
  `${label}, repeat ${run.repeat}: ${verdictOf(run)}${run.rule ? ` (rule ${run.rule})` : ''}`;

/** A mark's accessible name: everything its card shows, as plain text (answers as the model wrote them). */
function markLabel(run: EvalRunRow, label: string): string {
  const parts = [
    verdictLine(run, label),
    `answer: ${run.answer ?? '(none)'}`,
    `gold: ${run.gold}`,
    `${formatMs(run.wallMs)}, stop: ${run.stopReason}`,
  ];
  if (ungraded(run)) {
    parts.push(UNGRADED_TEXT);
  }
  if (run.error) {
    parts.push(`error: ${run.error}`);
  }
  return `${parts.join('\n')}\nClick to open this run.`;
}

/**
 * The card shown over a mark on hover or focus (instead of a native tooltip, which is text only): the verdict,
 * the run's answer and the gold answer typeset, the time and stop reason. One card for the grid, kept inside
 * the viewport; Escape or leaving the mark hides it.
 */
class MarkCard {
  readonly element = h('div', { id: 'mark-card', className: 'mark-card', attrs: { role: 'tooltip' } });
  private _mark?: HTMLElement;

  constructor() {
    this.element.hidden = true;
  }

  show(mark: HTMLElement, run: EvalRunRow, label: string): void {
    if (this._mark !== mark) {
      this._mark = mark;
      const math = (name: string, tex: string | null | undefined) =>
        h(
          'div',
          { className: 'card-line', attrs: { 'data-field': name.toLowerCase() } },
          h('span', { className: 'card-name' }, `${name}: `),
          tex === undefined || tex === null ? h('span', { className: 'muted' }, '(none)') : renderTex(tex, false),
        );
      this.element.replaceChildren(
        h('div', { className: 'card-head' }, verdictLine(run, label)),
        math('Answer', run.answer),
        math('Gold', run.gold),
        h('div', { className: 'muted' }, `${formatMs(run.wallMs)}, stop: ${run.stopReason}`),
        ...(ungraded(run) ? [h('div', { className: 'card-warning' }, UNGRADED_TEXT)] : []),
        ...(run.error ? [h('div', { className: 'card-warning' }, `error: ${run.error}`)] : []),
        h('div', { className: 'muted' }, 'Click to open this run.'),
      );
    }
    if (!this.element.isConnected) {
      document.body.appendChild(this.element);
    }
    this.element.hidden = false;
    mark.setAttribute('aria-describedby', this.element.id);
    this.place();
  }

  /** Below the mark, or above it when there is no room; never past the viewport's sides (position: fixed). */
  place(): void {
    const mark = this._mark;
    if (!mark || this.element.hidden) {
      return;
    }
    if (!mark.isConnected) {
      this.hide();
      return;
    }
    const at = mark.getBoundingClientRect();
    const card = this.element.getBoundingClientRect();
    const left = Math.max(4, Math.min(at.left, window.innerWidth - card.width - 4));
    const below = at.bottom + 4;
    const top = below + card.height <= window.innerHeight - 4 ? below : Math.max(4, at.top - card.height - 4);
    this.element.style.left = `${Math.round(left)}px`;
    this.element.style.top = `${Math.round(top)}px`;
  }

  hide(): void {
    this._mark?.removeAttribute('aria-describedby');
    this._mark = undefined;
    this.element.hidden = true;
  }
}

/** A problem id's hover text: the id, then the problem's text when the panel has it. */
const problemTitle = (id: string, text: string | undefined) => (text ? `${id}\n\n${text}` : id);

const markKey = (run: EvalRunRow) =>
  JSON.stringify([configurationKey(runConfiguration(run)), run.problemId, run.repeat]);

export class ProblemGrid {
  readonly element: HTMLElement;
  private readonly _head = h('div', { className: 'grid-row grid-head', attrs: { role: 'row' } });
  private readonly _body = h('div', { className: 'grid-body', attrs: { role: 'rowgroup' } });
  private readonly _grid: HTMLElement;
  private readonly _rows = new Map<string, Row>();
  private readonly _marks = new Map<string, HTMLButtonElement>();
  private readonly _runOf = new WeakMap<Element, EvalRunRow>();
  private readonly _card = new MarkCard();
  private _columns: ConfigurationId[] = [];
  private _columnKeys: string[] = [];
  private _repeats = 1;
  /** Problems' text by id, shown on hover over a problem's id. */
  private _problems: Readonly<Record<string, string>> = {};

  constructor(private readonly _open: (run: EvalRunRow) => void) {
    this._grid = h(
      'div',
      {
        id: 'eval-grid',
        className: 'eval-grid',
        attrs: { role: 'table', 'aria-label': 'Runs per problem and configuration' },
      },
      h('div', { attrs: { role: 'rowgroup' } }, this._head),
      this._body,
    );
    this.element = h('div', { className: 'grid-scroll' }, this._grid);
    this._body.addEventListener('click', (e) => {
      const mark = (e.target as Element).closest('button.mark');
      const run = mark ? this._runOf.get(mark) : undefined;
      if (run) {
        this._open(run);
      }
    });
    const showCard = (e: Event) => {
      const mark = (e.target as Element).closest<HTMLElement>('button.mark');
      const run = mark ? this._runOf.get(mark) : undefined;
      if (mark && run) {
        this._card.show(mark, run, configurationLabel(runConfiguration(run)));
      }
    };
    const hideCard = (e: Event) => {
      const to = (e as MouseEvent | FocusEvent).relatedTarget as Element | null;
      if (!to?.closest?.('button.mark')) {
        this._card.hide();
      }
    };
    this._body.addEventListener('mouseover', showCard);
    this._body.addEventListener('focusin', showCard);
    this._body.addEventListener('mouseout', hideCard);
    this._body.addEventListener('focusout', hideCard);
    this._body.addEventListener('keydown', (e) => {
      if (e.key === 'Escape') {
        this._card.hide();
      }
    });
    // Scrolling moves the mark: the card follows it.
    window.addEventListener('scroll', () => this._card.place(), { capture: true, passive: true });
  }

  /** Start over with these columns and runs (a snapshot, or a new configuration appeared). */
  reset(
    columns: readonly ConfigurationId[],
    runs: readonly EvalRunRow[],
    repeats = 1,
    problems: Readonly<Record<string, string>> = {},
  ): void {
    this._problems = problems;
    this._columns = [...columns];
    this._columnKeys = this._columns.map(configurationKey);
    this._repeats = Math.max(1, repeats, ...runs.map((r) => r.repeat + 1));
    for (const run of runs) {
      const config = runConfiguration(run);
      const key = configurationKey(config);
      if (!this._columnKeys.includes(key)) {
        this._columns.push(config);
        this._columnKeys.push(key);
      }
    }
    this._rows.clear();
    this._marks.clear();
    this._head.replaceChildren(
      h('div', { className: 'problem-id', attrs: { role: 'columnheader' } }, 'Problem'),
      h('div', { className: 'gold', attrs: { role: 'columnheader' } }, 'Gold'),
      ...this._columns.map((c) =>
        h(
          'div',
          {
            className: 'cell',
            title: configurationLabel(c),
            attrs: { role: 'columnheader', 'data-config': configurationKey(c), 'data-mode': c.mode },
          },
          c.mode === 'specreason' && (c.policy ?? 'specreason') === 'specreason'
            ? `t=${c.threshold} ${c.scoreMethod}`
            : configurationLabel(c, false),
        ),
      ),
    );
    this.size();
    this._body.replaceChildren();
    this.add(runs);
  }

  /** Add or replace runs; a run of an unseen configuration rebuilds the grid. */
  add(runs: readonly EvalRunRow[]): void {
    if (runs.some((r) => !this._columnKeys.includes(configurationKey(runConfiguration(r))))) {
      this.reset(this._columns, dedupe([...this.allRuns(), ...runs]), this._repeats, this._problems);
      return;
    }
    const repeats = Math.max(this._repeats, ...runs.map((r) => r.repeat + 1));
    if (repeats !== this._repeats) {
      this._repeats = repeats;
      this.size();
    }
    for (const run of runs) {
      this.place(run);
    }
  }

  /** Column widths through CSS variables (set with the CSSOM, which the CSP allows). */
  private size(): void {
    this._grid.style.setProperty('--repeats', String(this._repeats));
    this._grid.style.setProperty('--columns', String(this._columns.length));
  }

  private allRuns(): EvalRunRow[] {
    const list: EvalRunRow[] = [];
    for (const mark of this._marks.values()) {
      const run = this._runOf.get(mark);
      if (run) {
        list.push(run);
      }
    }
    return list;
  }

  private row(run: EvalRunRow): Row {
    let row = this._rows.get(run.problemId);
    if (!row) {
      const gold = h('div', { className: 'gold', attrs: { role: 'cell' } });
      const element = h(
        'div',
        { className: 'grid-row', attrs: { role: 'row' } },
        h(
          'div',
          {
            className: 'problem-id',
            title: problemTitle(run.problemId, this._problems[run.problemId]),
            attrs: { role: 'rowheader' },
          },
          run.problemId,
        ),
        gold,
      );
      const cells = new Map<string, HTMLElement>();
      for (const key of this._columnKeys) {
        const cell = h('div', { className: 'cell', attrs: { role: 'cell', 'data-config': key } });
        cells.set(key, cell);
        element.appendChild(cell);
      }
      row = { element, gold, cells };
      this._rows.set(run.problemId, row);
      this._body.appendChild(element);
    }
    return row;
  }

  private place(run: EvalRunRow): void {
    const config = runConfiguration(run);
    const row = this.row(run);
    if (row.goldTex !== run.gold) {
      // Typeset (inert: KaTeX builds DOM nodes, and shows the source as text when it cannot parse it).
      row.goldTex = run.gold;
      row.gold.replaceChildren(renderTex(run.gold, false));
      row.gold.title = `Gold answer: ${run.gold}`;
    }
    const cell = row.cells.get(configurationKey(config));
    if (!cell) {
      return;
    }
    const mark = h(
      'button',
      {
        className: 'mark',
        attrs: {
          type: 'button',
          'aria-label': markLabel(run, configurationLabel(config)),
          'data-verdict': verdictOf(run).replace(' ', '-'),
          ...(run.rule ? { 'data-rule': run.rule } : {}),
          'data-repeat': String(run.repeat),
        },
      },
      markText(run),
    );
    this._runOf.set(mark, run);
    const key = markKey(run);
    const old = this._marks.get(key);
    this._marks.set(key, mark);
    if (old) {
      old.replaceWith(mark);
      return;
    }
    // Repeats in order within the cell.
    const after = [...cell.children].find((m) => Number((m as HTMLElement).dataset.repeat) > run.repeat);
    cell.insertBefore(mark, after ?? null);
  }
}

/** The last run of each (configuration, problem, repeat). */
function dedupe(runs: readonly EvalRunRow[]): EvalRunRow[] {
  const byKey = new Map<string, EvalRunRow>();
  for (const run of runs) {
    byKey.set(markKey(run), run);
  }
  return [...byKey.values()];
}
