// The parts every view shares: header with the problem, toolbar, tuning strip, status line and
// errors. They outlive snapshots, so a replayed snapshot never steals focus from a control.

import type { FromWebview, PanelRun, PanelState, RunStatus, TuningValues } from '../shared/protocol';
import { CompareView } from './compareView';
import { button, simBadge } from './controls';
import { h, setText } from './dom';
import { formatMs, MODE_LABEL, settingsSummary, SETTINGS_TERMS, STATUS_LABEL } from './format';
import { ProblemHeader } from './problemHeader';
import { SolveView } from './solveView';
import { TuningStrip } from './tuning';

type Post = (message: FromWebview) => void;

/** Up to this width the panel is compact: secondary actions in a menu, the tuning strip folded. */
export const NARROW_QUERY = '(max-width: 480px)';

/** One status for the whole panel: any run still going means running, then error, cancelled, finished. */
function overallStatus(runs: readonly PanelRun[]): RunStatus | undefined {
  for (const status of ['running', 'error', 'cancelled', 'finished'] as const) {
    if (runs.some((r) => r.status === status)) {
      return status;
    }
  }
  return undefined;
}

export class Shell {
  private readonly _title = h('span', { className: 'view-kind' });
  private readonly _simBadge = simBadge();
  private readonly _simNotice = h(
    'span',
    { id: 'sim-notice', className: 'sim-notice', hidden: true },
    "The simulated pair has no script for this problem: its replies are the sample problem's steps (the rectangle), not an answer to this one.",
  );
  private readonly _status = h(
    'span',
    { id: 'status', className: 'status', attrs: { role: 'status', 'aria-live': 'polite' } },
    'Waiting for the extension…',
  );
  private readonly _elapsed = h('span', { id: 'elapsed', className: 'elapsed', title: 'Elapsed time' });
  private readonly _error = h('div', { id: 'error', className: 'error', hidden: true, attrs: { role: 'alert' } });
  private readonly _body = h('main', { className: 'body' });
  private readonly _cancel: HTMLButtonElement;
  private readonly _rerun: HTMLButtonElement;
  private readonly _exports: HTMLButtonElement[];
  private readonly _tuning: TuningStrip;
  private readonly _problem: ProblemHeader;
  private readonly _pin: HTMLButtonElement;
  private readonly _more: HTMLButtonElement;
  private readonly _menu: HTMLElement;
  private readonly _tuningBox: HTMLDetailsElement;
  private readonly _tuningSummary = h('span', {
    id: 'tuning-summary',
    className: 'muted',
    title: SETTINGS_TERMS,
  });
  private _pinned = false;
  private _errorKey?: string;
  private _view?: { state: PanelState; view: SolveView | CompareView };
  private _runs: readonly PanelRun[] = [];
  private _kind: PanelState['kind'] = 'solve';

  constructor(
    app: HTMLElement,
    private readonly _post: Post,
    private readonly _simulatedByHost: boolean,
  ) {
    this._cancel = button('btn-cancel', 'Cancel', 'Stop the running run (the steps so far are kept)', () =>
      _post({ type: 'run/cancel' }),
    );
    this._rerun = button(
      'btn-rerun',
      'Re-run',
      'Run the same problem again with the current settings',
      () => _post({ type: 'run/rerun' }),
      'primary',
    );
    this._exports = [
      button('btn-export-json', 'Export JSON', 'Save the run record as JSON', () => _post({ type: 'export/json' })),
      button('btn-copy-md', 'Copy as Markdown', 'Copy the reasoning and numbers as Markdown', () =>
        _post({ type: 'export/markdown' }),
      ),
    ];
    // Secondary actions: inline when the panel is wide, behind "More" when it is narrow (CSS decides).
    const secondary = [
      ...this._exports,
      button(
        'btn-settings',
        'Settings',
        'Open the SpecReason settings',
        () => _post({ type: 'command/run', command: 'openSettings' }),
        'secondary',
      ),
      button(
        'btn-check-servers',
        'Check Servers',
        'Check that both vLLM servers answer',
        () => _post({ type: 'command/run', command: 'checkServers' }),
        'secondary',
      ),
    ];
    const menu = h('div', { id: 'more-menu', className: 'more-menu', attrs: { role: 'group' } }, ...secondary);
    this._menu = menu;
    this._more = button('btn-more', 'More ▾', 'Export, copy, settings and server check', () =>
      this.toggleMenu(!menu.hasAttribute('data-open')),
    );
    this._more.setAttribute('aria-haspopup', 'true');
    this._more.setAttribute('aria-expanded', 'false');
    this._more.setAttribute('aria-controls', 'more-menu');
    this._closeMenuOnLeave();
    const toolbar = h(
      'div',
      { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Run actions' } },
      this._rerun,
      this._cancel,
      h('span', { className: 'toolbar-gap' }),
      this._more,
      menu,
    );
    this._pin = button(
      'btn-pin',
      'Pin',
      'Keep this panel: the next Solve or Compare opens a panel of its own instead of reusing this one',
      () => _post({ type: 'panel/pin', pinned: !this._pinned }),
      'secondary pin',
    );
    this._pin.setAttribute('aria-pressed', 'false');
    this._tuning = new TuningStrip(_post);
    this._problem = new ProblemHeader(_post);
    // The tuning strip folds away (narrow panels start folded); its summary says what the next run uses.
    this._tuningBox = h(
      'details',
      { id: 'tuning-box', className: 'tuning-box' },
      h('summary', { className: 'tuning-summary' }, h('span', {}, 'Tuning for the next run'), this._tuningSummary),
      this._tuning.element,
    );
    foldWhenNarrow(this._tuningBox);
    const header = h(
      'header',
      { className: 'panel-header' },
      h(
        'div',
        { className: 'title-row' },
        h('h1', {}, 'SpecReason'),
        this._title,
        this._simBadge,
        this._simNotice,
        h('span', { className: 'status-line' }, this._status, this._elapsed, this._pin),
      ),
      this._problem.element,
    );
    app.replaceChildren(header, toolbar, this._tuningBox, this._error, this._body);
    this._simBadge.hidden = !_simulatedByHost;
    this.setButtons([]);
  }

  /** Brings everything up to date; a different state object (a snapshot) gets a fresh view. */
  render(state: PanelState): void {
    this._runs = state.runs;
    this._kind = state.kind;
    this._elapsed.title =
      state.kind === 'compare' ? 'Total time of the comparison: every run, one after the other' : 'Elapsed time';
    setText(this._title, state.kind === 'compare' ? 'Compare' : 'Solve');
    this._simNotice.hidden = !state.simulatedWithoutScript;
    this._simBadge.hidden = !(state.simulated || this._simulatedByHost);
    this._problem.update(state);
    if (this._pinned !== !!state.pinned) {
      this._pinned = !!state.pinned;
      this._pin.setAttribute('aria-pressed', String(this._pinned));
      setText(this._pin, this._pinned ? 'Pinned' : 'Pin');
    }
    const status = overallStatus(state.runs);
    setText(this._status, status ? STATUS_LABEL[status] : 'No run yet');
    this._status.dataset.status = status ?? 'idle';
    this.setButtons(state.runs);
    this.renderErrors(state.runs, state.kind === 'compare');
    if (this._view?.state !== state) {
      // Tuning values come only with snapshots and settings/didChange: refreshing them on every
      // frame would revert a value the user just committed before the host echoes it.
      this._tuning.update(state.tuning);
      this.summarizeTuning(state.tuning);
      const view = state.kind === 'compare' ? new CompareView() : new SolveView();
      this._view = { state, view };
      this._body.replaceChildren(view.element);
    }
    this._view.view.update(state);
    this.tick();
  }

  /**
   * Builds the steps in view (call after the frame's scrolling), the newest first when the panel follows a solve's
   * stream; returns whether some are left for the next frame.
   */
  buildVisible(following = false): boolean {
    const view = this._view?.view;
    return view instanceof SolveView ? view.buildVisible(following) : (view?.buildVisible() ?? false);
  }

  /** Scroll the run's result (the answer and numbers, or the comparison card) to the top of the panel. */
  revealResult(): void {
    this._view?.view.result.scrollIntoView({ block: 'start' });
  }

  setTuning(values: TuningValues): void {
    this._tuning.update(values);
    this.summarizeTuning(values);
  }

  private summarizeTuning(v: TuningValues): void {
    setText(this._tuningSummary, settingsSummary({ ...v, mode: 'specreason' }));
  }

  /** An action taken, Escape, or a click elsewhere closes the "More" menu. */
  private _closeMenuOnLeave(): void {
    const menu = this._menu;
    menu.addEventListener('click', (e) => {
      if ((e.target as Element).closest('button')) {
        this.toggleMenu(false);
      }
    });
    document.addEventListener('keydown', (e) => {
      if (e.key === 'Escape' && menu.hasAttribute('data-open')) {
        this.toggleMenu(false);
        this._more.focus();
      }
    });
    document.addEventListener('click', (e) => {
      if (!(e.target as Element).closest('.more-menu, #btn-more')) {
        this.toggleMenu(false);
      }
    });
  }

  private toggleMenu(open: boolean): void {
    this._menu.toggleAttribute('data-open', open);
    this._more.setAttribute('aria-expanded', String(open));
    if (open) {
      this._menu.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
    }
  }

  /**
   * Elapsed time: a solve's clock while it runs, its wall time once it ended; a comparison's own total, from its
   * first run's start to now (running) or to its last run's end (every run and round, not one run's time).
   */
  tick(): void {
    const running = this._runs.filter((r) => r.status === 'running');
    let ms: number | undefined;
    if (this._kind === 'compare' && this._runs.length > 0) {
      const start = Math.min(...this._runs.map((r) => r.startedAt));
      const end =
        running.length > 0 ? Date.now() : Math.max(...this._runs.map((r) => r.startedAt + (r.summary?.wallMs ?? 0)));
      ms = Math.max(0, end - start);
    } else if (running.length > 0) {
      ms = Math.max(0, Date.now() - Math.min(...running.map((r) => r.startedAt)));
    } else {
      const walls = this._runs.flatMap((r) => (r.summary ? [r.summary.wallMs] : []));
      ms = walls.length > 0 ? Math.max(...walls) : undefined;
    }
    setText(this._elapsed, ms === undefined ? '' : formatMs(ms));
  }

  get running(): boolean {
    return this._runs.some((r) => r.status === 'running');
  }

  private setButtons(runs: readonly PanelRun[]): void {
    const running = runs.some((r) => r.status === 'running');
    this._cancel.disabled = !running;
    this._rerun.disabled = running;
    for (const b of this._exports) {
      b.disabled = runs.length === 0;
    }
  }

  /** Errors inline with what to do next; partial steps stay visible below. */
  private renderErrors(runs: readonly PanelRun[], named: boolean): void {
    const failed = runs.flatMap((run) => (run.error ? [{ run, error: run.error }] : []));
    const key = JSON.stringify(failed.map(({ run, error }) => [run.runId, error]));
    if (key === this._errorKey) {
      return;
    }
    this._errorKey = key;
    this._error.hidden = failed.length === 0;
    this._error.replaceChildren(
      ...failed.map(({ run, error }) =>
        h(
          'div',
          { className: 'error-item', attrs: { 'data-code': error.code } },
          h('p', { className: 'error-title' }, `${named ? `${MODE_LABEL[run.mode]}: ` : ''}${error.message}`),
          error.hint && h('p', { className: 'error-hint' }, error.hint),
          h(
            'p',
            { className: 'error-code muted' },
            `code: ${error.code}${error.server ? ` · ${error.server.role} server ${error.server.url}` : ''}`,
          ),
        ),
      ),
    );
    if (failed.length > 0) {
      this._error.appendChild(
        h(
          'div',
          { className: 'error-actions' },
          failed.some(({ error }) => error.code === 'server_down') &&
            button(
              '',
              'Start Servers',
              'Start both servers on this machine (SpecReason: Start Servers)',
              () => this._post({ type: 'command/run', command: 'startServers' }),
              'primary',
            ),
          button('', 'Re-run', 'Run the same problem again', () => this._post({ type: 'run/rerun' }), 'primary'),
          button(
            '',
            'Check Servers',
            'Check that both vLLM servers answer',
            () => this._post({ type: 'command/run', command: 'checkServers' }),
            'secondary',
          ),
          button(
            '',
            'Show Log',
            'Open the SpecReason log',
            () => this._post({ type: 'command/run', command: 'showLog' }),
            'secondary',
          ),
        ),
      );
    }
  }
}

/** Open on a wide panel, folded on a narrow one, following the panel's width as it changes. */
function foldWhenNarrow(details: HTMLDetailsElement): void {
  const narrow = window.matchMedia(NARROW_QUERY);
  details.open = !narrow.matches;
  narrow.addEventListener('change', () => {
    details.open = !narrow.matches;
  });
}
