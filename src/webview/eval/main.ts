// Evaluate panel entry: owns the panel state, folds the host's messages into it and renders at most
// once per animation frame (the table and chart redrawn, the grid updated only where runs arrived).

import { configurationKey, formConfigurations, runConfiguration } from '../../shared/evalForm';
import {
  EVAL_PROTOCOL_VERSION,
  type EvalFormValues,
  type EvalPanelState,
  type EvalRunRow,
  type FromEvalWebview,
  type ToEvalWebview,
} from '../../shared/protocol';
import { button, simBadge } from '../controls';
import { h, setFlag, setText } from '../dom';
import { AccuracyLatencyChart } from './chart';
import { EvalForm } from './form';
import { ProblemGrid } from './grid';
import { ProgressView } from './progress';
import { ResultsTable } from './table';

/** What the webview keeps across being hidden and a window reload: the form the user was editing, and
 *  the problem set and output folder the host reopens the panel on (its WebviewPanelSerializer). */
interface SavedForm {
  datasetPath?: string;
  outDir?: string;
  form: EvalFormValues;
}

const vscode = acquireVsCodeApi<SavedForm>();
const post = (message: FromEvalWebview) => vscode.postMessage(message);

document.addEventListener('securitypolicyviolation', (e) => {
  post({ type: 'webview/cspViolation', directive: e.violatedDirective, blocked: e.blockedURI });
});

const STATUS_LABEL = {
  idle: 'Not started',
  running: 'Running',
  cancelled: 'Cancelled',
  finished: 'Finished',
  error: 'Error',
} as const;

const runKey = (r: EvalRunRow) => JSON.stringify([configurationKey(runConfiguration(r)), r.problemId, r.repeat]);

class EvalView {
  private _state?: EvalPanelState;
  private readonly _runIndex = new Map<string, number>();
  private _pendingRuns: EvalRunRow[] = [];
  private _gridReset = true;
  private _frame?: number;
  private _clock?: ReturnType<typeof setInterval>;

  private readonly _dataset = h('span', { id: 'eval-dataset', className: 'view-kind' });
  private readonly _simBadge = simBadge();
  private readonly _simNotice = h('span', { id: 'sim-notice', className: 'sim-notice', hidden: true });
  private readonly _status = h(
    'span',
    { id: 'status', className: 'status', attrs: { role: 'status', 'aria-live': 'polite' } },
    'Waiting for the extension…',
  );
  private readonly _error = h('div', { id: 'error', className: 'error', hidden: true, attrs: { role: 'alert' } });
  private readonly _outDir = h('p', { id: 'eval-out', className: 'out-dir muted', hidden: true });
  private readonly _run = button('btn-run', 'Run', 'Start the evaluation', () => this.start(), 'primary');
  private readonly _cancel = button('btn-cancel', 'Cancel', 'Stop: finished runs are kept', () =>
    post({ type: 'eval/cancel' }),
  );
  private readonly _resume = button('btn-resume', 'Resume', 'Complete the missing and failed runs of this folder', () =>
    post({ type: 'eval/resume' }),
  );
  private readonly _exports: HTMLButtonElement[];
  private readonly _exportSvg: HTMLButtonElement;
  private readonly _target = h(
    'select',
    { id: 'eval-threshold-target', title: 'Where "Use this threshold" writes specreason.threshold' },
    h('option', { attrs: { value: 'user' } }, 'User settings'),
    h('option', { attrs: { value: 'workspace' } }, 'Workspace settings'),
  );
  private readonly _form = new EvalForm(
    () => this.onFormChange(),
    () => post({ type: 'eval/pickFolder' }),
  );
  private readonly _progress = new ProgressView();
  private readonly _table = new ResultsTable((threshold) =>
    post({ type: 'eval/useThreshold', threshold, target: this._target.value === 'workspace' ? 'workspace' : 'user' }),
  );
  private readonly _chart = new AccuracyLatencyChart();
  private readonly _grid = new ProblemGrid((run) =>
    post({
      type: 'eval/openRun',
      run: { ...runConfiguration(run), problemId: run.problemId, repeat: run.repeat },
    }),
  );
  private readonly _results = h('div', { id: 'eval-results', className: 'eval-results', hidden: true });

  constructor(app: HTMLElement) {
    this._exports = (
      [
        ['csv', 'CSV', 'results.csv'],
        ['json', 'JSON', 'results.json'],
        ['markdown', 'Markdown', 'the Markdown report'],
      ] as const
    ).map(([format, label, file]) =>
      button(`btn-export-${format}`, `Export ${label}`, `Save ${file} of this evaluation`, () =>
        post({ type: 'eval/export', format }),
      ),
    );
    this._exportSvg = button('btn-export-svg', 'Export Chart', 'Save the chart as an SVG file', () =>
      post({ type: 'eval/export', format: 'svg', svg: this._chart.toSvgFile() }),
    );
    const toolbar = h(
      'div',
      { className: 'toolbar', attrs: { role: 'toolbar', 'aria-label': 'Evaluation actions' } },
      this._run,
      this._cancel,
      this._resume,
      h('span', { className: 'toolbar-gap' }),
      ...this._exports,
      this._exportSvg,
      button('btn-open-folder', 'Open Folder', 'Reveal the output folder', () =>
        post({ type: 'eval/command', command: 'openFolder' }),
      ),
      button('btn-history', 'History', 'Past evaluations of this workspace', () =>
        post({ type: 'eval/command', command: 'showHistory' }),
      ),
    );
    const header = h(
      'header',
      { className: 'panel-header' },
      h(
        'div',
        { className: 'title-row' },
        h('h1', {}, 'SpecReason'),
        h('span', { className: 'view-kind' }, 'Evaluate'),
        this._dataset,
        this._simBadge,
        this._simNotice,
        h('span', { className: 'status-line' }, this._status),
      ),
      this._outDir,
    );
    this._results.append(
      h(
        'section',
        { className: 'results-section', attrs: { 'aria-label': 'Results per configuration' } },
        h(
          'div',
          { className: 'section-head' },
          h('h2', { className: 'section-title' }, 'Results per configuration'),
          h(
            'label',
            { className: 'target-label', attrs: { for: 'eval-threshold-target' } },
            'Use this threshold writes to ',
          ),
          this._target,
        ),
        this._table.element,
      ),
      h(
        'figure',
        { className: 'chart-figure' },
        this._chart.element,
        h(
          'figcaption',
          { className: 'muted' },
          'Up and to the left is better. The dashed line joins the configurations no other one beats on both latency and accuracy (the Pareto front); whiskers are 95% intervals.',
        ),
      ),
      h(
        'section',
        { className: 'grid-section', attrs: { 'aria-label': 'Per problem' } },
        h('h2', { className: 'section-title' }, 'Per problem'),
        h(
          'p',
          { className: 'muted grid-hint' },
          '✓ correct, ✗ wrong, ? not graded (the grader could not decide), with the run’s wall time. Click a run to open its reasoning.',
        ),
        this._grid.element,
      ),
    );
    app.replaceChildren(header, toolbar, this._error, this._form.element, this._progress.element, this._results);
    setFlag(this._simBadge, 'hidden', app.dataset.simulated !== 'true');
    this.setButtons();
  }

  handle(message: ToEvalWebview): void {
    switch (message.type) {
      case 'eval/snapshot': {
        this._state = message.state;
        this._runIndex.clear();
        message.state.runs.forEach((r, i) => this._runIndex.set(runKey(r), i));
        this._pendingRuns = [];
        this._gridReset = true;
        const saved = vscode.getState();
        const useSaved =
          message.state.status === 'idle' && saved?.form && saved.datasetPath === message.state.dataset?.path;
        this._form.set(useSaved ? saved.form : message.state.form, message.state.dataset?.problems ?? 0);
        this._target.value = message.state.thresholdTarget;
        this.save();
        break;
      }
      case 'eval/didUpdate': {
        const state = this._state;
        if (!state) {
          return;
        }
        for (const run of message.runs) {
          const key = runKey(run);
          const at = this._runIndex.get(key);
          if (at === undefined) {
            this._runIndex.set(key, state.runs.length);
            state.runs.push(run);
          } else {
            state.runs[at] = run;
          }
          this._pendingRuns.push(run);
        }
        state.configurations = [...message.configurations];
        if (message.progress) {
          state.progress = message.progress;
        }
        break;
      }
      case 'eval/status':
        if (!this._state) {
          return;
        }
        this._state.status = message.status;
        this._state.error = message.error;
        if (message.outDir !== undefined) {
          this._state.outDir = message.outDir;
          this.save();
        }
        break;
      case 'eval/folderPicked':
        this._form.setOutDir(message.outDir);
        this.onFormChange();
        return;
      case 'eval/thresholdDidChange':
        if (!this._state) {
          return;
        }
        this._state.threshold = message.threshold;
        this._state.thresholdTarget = message.target;
        if (document.activeElement !== this._target) {
          this._target.value = message.target;
        }
        break;
      default: {
        const never: never = message;
        return never;
      }
    }
    this._frame ??= requestAnimationFrame(() => this.render());
  }

  private render(): void {
    this._frame = undefined;
    const state = this._state;
    if (!state) {
      return;
    }
    setText(this._dataset, state.dataset ? `${state.dataset.name} · ${state.dataset.problems} problems` : '');
    this._dataset.title = state.dataset?.path ?? '';
    setFlag(this._simBadge, 'hidden', this._simBadge.hidden && !state.simulated);
    const unscripted = state.simulated ? (state.simulatedWithoutScript ?? 0) : 0;
    setFlag(this._simNotice, 'hidden', unscripted === 0);
    setText(
      this._simNotice,
      unscripted
        ? `The simulated pair has no script for ${unscripted === state.dataset?.problems ? 'these problems' : `${unscripted} of these problems`}: ` +
            "its replies are the sample problem's steps (the rectangle), so their accuracy means nothing."
        : '',
    );
    setText(this._status, STATUS_LABEL[state.status]);
    this._status.dataset.status = state.status;
    setFlag(this._outDir, 'hidden', !state.outDir);
    setText(this._outDir, state.outDir ? `Output folder: ${state.outDir}` : '');
    setFlag(this._error, 'hidden', !state.error);
    setText(this._error, state.error ?? '');
    this._form.setDisabled(state.status === 'running');
    this._progress.update(state.progress, state.status, state.runs);
    setFlag(this._results, 'hidden', state.configurations.length === 0 && state.runs.length === 0);
    this._table.update(state.configurations, state.threshold);
    this._chart.update(state.configurations);
    if (this._gridReset) {
      this._gridReset = false;
      this._grid.reset(formConfigurations(state.form), state.runs, state.form.repeats, state.problems);
    } else if (this._pendingRuns.length > 0) {
      this._grid.add(this._pendingRuns);
    }
    this._pendingRuns = [];
    this.setButtons();
    this.runClock();
  }

  private setButtons(): void {
    const state = this._state;
    const running = state?.status === 'running';
    setFlag(this._run, 'disabled', !state?.dataset || running || !this._form.valid);
    setFlag(this._cancel, 'disabled', !running);
    const incomplete = !!state?.progress && state.progress.done < state.progress.total;
    setFlag(
      this._resume,
      'hidden',
      !state?.outDir || !(state.status === 'cancelled' || state.status === 'error' || incomplete),
    );
    setFlag(this._resume, 'disabled', running);
    const haveResults = !!state?.outDir && state.configurations.length > 0;
    for (const b of this._exports) {
      setFlag(b, 'disabled', !haveResults || running);
    }
    setFlag(this._exportSvg, 'disabled', !state || state.configurations.every((c) => c.accuracy === undefined));
  }

  private runClock(): void {
    const running = this._state?.status === 'running';
    if (running && this._clock === undefined) {
      this._clock = setInterval(() => this._progress.tick(), 1000);
    } else if (!running && this._clock !== undefined) {
      clearInterval(this._clock);
      this._clock = undefined;
    }
  }

  private onFormChange(): void {
    this.save();
    this.setButtons();
  }

  private save(): void {
    vscode.setState({
      datasetPath: this._state?.dataset?.path,
      outDir: this._state?.outDir,
      form: this._form.values(),
    });
  }

  private start(): void {
    if (!this._form.validate() || !this._state) {
      return;
    }
    const form = this._form.values();
    this._state.form = form;
    post({ type: 'eval/start', form });
  }
}

const MESSAGE_TYPES: ReadonlySet<string> = new Set<ToEvalWebview['type']>([
  'eval/snapshot',
  'eval/didUpdate',
  'eval/status',
  'eval/folderPicked',
  'eval/thresholdDidChange',
]);

const app = document.getElementById('app') ?? document.body.appendChild(h('div', { id: 'app' }));
const panel = new EvalView(app);

window.addEventListener('message', (event: MessageEvent<unknown>) => {
  const data = event.data;
  if (typeof data === 'object' && data !== null && MESSAGE_TYPES.has(String((data as { type?: unknown }).type))) {
    panel.handle(data as ToEvalWebview);
  }
});

post({ type: 'eval/ready', protocolVersion: EVAL_PROTOCOL_VERSION });
