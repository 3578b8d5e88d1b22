// The Evaluate panel's configuration form: the options of `specreason eval`, validated as the
// settings are, with the estimated number of runs shown before starting.

import type { ScoreMethod } from '../../core/config';
import { EVAL_MODES, POLICY_SWEEPS, type EvalMode, type PolicySweep, type SweepKey } from '../../core/eval/modes';
import { RUN_SETTINGS } from '../../core/settingsTable';
import {
  EVAL_LIMITS,
  estimatedRuns,
  evalFormProblems,
  formConfigurations,
  parseIdList,
  parseNumberList,
  selectedProblems,
  SWEEP_THRESHOLDS,
  type EvalField,
} from '../../shared/evalForm';
import type { EvalFormValues } from '../../shared/protocol';
import { h, setFlag, setText } from '../dom';
import { formatCount, MODE_LABEL, POLICY_LABEL } from '../format';

const modeLabel = (mode: EvalMode) => (mode === 'base' || mode === 'small' ? MODE_LABEL[mode] : POLICY_LABEL[mode]);

/** The sweep input's label: "first-token: entropy thresholds (nats)". */
const SWEEP_LABEL: Readonly<Record<SweepKey, string>> = {
  entropyThresholds: 'first-token entropy thresholds',
  selfCheckThresholds: 'self-check thresholds',
  lookaheadSteps: 'lookahead steps (k)',
  draftCounts: 'multi-draft drafts (n)',
};

function checkbox(id: string, label: string, title: string): { box: HTMLInputElement; element: HTMLElement } {
  const box = h('input', { id, attrs: { type: 'checkbox' } });
  return { box, element: h('label', { className: 'check', title, attrs: { for: id } }, box, label) };
}

function numberInput(id: string, min: number, max: number, title: string, placeholder = ''): HTMLInputElement {
  return h('input', {
    id,
    title,
    attrs: { type: 'number', min: String(min), max: String(max), step: '1', inputmode: 'numeric', placeholder },
  });
}

function field(label: string, forId: string, ...controls: Node[]): HTMLElement {
  return h('div', { className: 'field' }, h('label', { attrs: { for: forId } }, label), ...controls);
}

/** An empty optional number is undefined; anything else its number (NaN when not a number). */
function optionalNumber(input: HTMLInputElement): number | undefined {
  return input.value.trim() === '' ? undefined : Number(input.value);
}

export class EvalForm {
  readonly element: HTMLElement;
  private readonly _modes = new Map<EvalMode, HTMLInputElement>();
  /** One list per policy parameter (`entropyThresholds`…): the values its configurations sweep. */
  private readonly _sweeps = new Map<SweepKey, HTMLInputElement>();
  private readonly _methods = new Map<ScoreMethod, HTMLInputElement>();
  private readonly _thresholds = h('input', {
    id: 'eval-thresholds',
    className: 'wide',
    title: 'SpecReason thresholds, separated by commas (each 0–9, as the specreason.threshold setting)',
    attrs: { type: 'text', spellcheck: 'false', placeholder: '7' },
  });
  private readonly _repeats = numberInput(
    'eval-repeats',
    EVAL_LIMITS.repeats.min,
    EVAL_LIMITS.repeats.max,
    'Runs of each problem per configuration',
  );
  private readonly _concurrency = numberInput(
    'eval-concurrency',
    EVAL_LIMITS.concurrency.min,
    EVAL_LIMITS.concurrency.max,
    'Runs at once. 1 measures latency alone (the paper); more measures throughput, and latency then includes queueing',
  );
  private readonly _limit = numberInput('eval-limit', 1, EVAL_LIMITS.limit.max, 'Only the first N problems', 'all');
  private readonly _ids = h('input', {
    id: 'eval-ids',
    className: 'wide',
    title: 'Only these problem ids (commas or spaces)',
    attrs: { type: 'text', spellcheck: 'false', placeholder: 'all' },
  });
  private readonly _sample = numberInput(
    'eval-sample',
    1,
    EVAL_LIMITS.sample.max,
    'A random sample of N problems',
    'none',
  );
  private readonly _seed = numberInput(
    'eval-seed',
    0,
    EVAL_LIMITS.seed.max,
    'Seed of the sample and of choice shuffling (empty: 0)',
  );
  private readonly _choiceOrder = h(
    'select',
    { id: 'eval-choice-order', title: 'Order of multiple-choice options' },
    h('option', { attrs: { value: 'shuffled' } }, 'shuffled (seeded)'),
    h('option', { attrs: { value: 'reference' } }, 'reference (correct is A)'),
  );
  private readonly _outDir = h('input', {
    id: 'eval-out-dir',
    className: 'wide path',
    title: 'Where run records and results are written',
    attrs: { type: 'text', spellcheck: 'false', placeholder: '.specreason/evals/<timestamp>/' },
  });
  private readonly _estimate = h('span', {
    id: 'eval-estimate',
    className: 'estimate',
    attrs: { 'aria-live': 'polite' },
  });
  private readonly _message = h('ul', { id: 'eval-form-message', className: 'form-message', hidden: true });
  private readonly _controls: Array<HTMLInputElement | HTMLSelectElement | HTMLButtonElement> = [];
  private _problems = 0;
  private _valid = false;

  constructor(
    private readonly _onChange: () => void,
    onPickFolder: () => void,
  ) {
    const modeChecks = EVAL_MODES.map((mode) => {
      const { box, element } = checkbox(
        `eval-mode-${mode}`,
        modeLabel(mode),
        mode === 'base' || mode === 'small'
          ? `Evaluate ${MODE_LABEL[mode]} decoding`
          : `Evaluate the ${mode} step policy`,
      );
      this._modes.set(mode, box);
      return element;
    });
    const sweepFields = this.sweepFields();
    const methodChecks = (['greedy', 'average'] as const).map((method) => {
      const { box, element } = checkbox(`eval-method-${method}`, method, `Score method ${method}`);
      this._methods.set(method, box);
      return element;
    });
    const sweep = h(
      'button',
      { id: 'eval-sweep', className: 'secondary', title: 'Thresholds 3, 5, 7 and 9', attrs: { type: 'button' } },
      `sweep ${SWEEP_THRESHOLDS.join(',')}`,
    );
    sweep.addEventListener('click', () => {
      this._thresholds.value = SWEEP_THRESHOLDS.join(', ');
      this._modes.get('specreason')!.checked = true;
      this.validate();
      this._onChange();
    });
    const browse = h(
      'button',
      { id: 'eval-pick-folder', className: 'secondary', title: 'Choose the output folder', attrs: { type: 'button' } },
      'Browse…',
    );
    browse.addEventListener('click', onPickFolder);

    this.element = h(
      'section',
      { className: 'eval-form', attrs: { 'aria-label': 'Evaluation configuration' } },
      h(
        'div',
        { className: 'form-grid' },
        h('fieldset', {}, h('legend', {}, 'Modes'), ...modeChecks),
        h(
          'div',
          { className: 'field' },
          h('label', { attrs: { for: 'eval-thresholds' } }, 'Thresholds'),
          h('div', { className: 'inline' }, this._thresholds, sweep),
        ),
        h('fieldset', {}, h('legend', {}, 'Score methods'), ...methodChecks),
        ...sweepFields,
        field('Repeats', 'eval-repeats', this._repeats),
        field('Concurrency', 'eval-concurrency', this._concurrency),
        field('Limit', 'eval-limit', this._limit),
        field('Problem ids', 'eval-ids', this._ids),
        field('Sample', 'eval-sample', this._sample),
        field('Seed', 'eval-seed', this._seed),
        field('Choice order', 'eval-choice-order', this._choiceOrder),
        h(
          'div',
          { className: 'field field-wide' },
          h('label', { attrs: { for: 'eval-out-dir' } }, 'Output folder'),
          h('div', { className: 'inline' }, this._outDir, browse),
        ),
      ),
      h('p', { className: 'estimate-line' }, this._estimate),
      this._message,
    );
    this._controls.push(
      ...this._modes.values(),
      ...this._methods.values(),
      ...this._sweeps.values(),
      this._thresholds,
      sweep,
      this._repeats,
      this._concurrency,
      this._limit,
      this._ids,
      this._sample,
      this._seed,
      this._choiceOrder,
      this._outDir,
      browse,
    );
    for (const control of this._controls) {
      if (!(control instanceof HTMLButtonElement)) {
        control.addEventListener('input', () => {
          this.validate();
          this._onChange();
        });
        control.addEventListener('change', () => {
          this.validate();
          this._onChange();
        });
      }
    }
  }

  /** One list input per policy parameter; empty means the setting's value (the placeholder). */
  private sweepFields(): HTMLElement[] {
    return Object.values(POLICY_SWEEPS).map((sweep: PolicySweep) => {
      const setting = RUN_SETTINGS[sweep.param];
      const input = h('input', {
        id: `eval-sweep-${sweep.sweep}`,
        className: 'wide',
        title: `${SWEEP_LABEL[sweep.sweep]}, separated by commas (each ${setting.min}–${setting.max}; empty: the setting): one configuration each (${sweep.flag} of specreason eval)`,
        attrs: { type: 'text', spellcheck: 'false', placeholder: String(setting.default) },
      });
      this._sweeps.set(sweep.sweep, input);
      return field(SWEEP_LABEL[sweep.sweep], input.id, input);
    });
  }

  /** Fill the form (a snapshot or restored state); the problem count drives the estimate. */
  set(values: EvalFormValues, problems: number): void {
    this._problems = problems;
    for (const [mode, box] of this._modes) {
      box.checked = values.modes.includes(mode);
    }
    for (const [method, box] of this._methods) {
      box.checked = values.scoreMethods.includes(method);
    }
    this._thresholds.value = values.thresholds.join(', ');
    for (const [key, input] of this._sweeps) {
      input.value = values[key]?.join(', ') ?? '';
    }
    this._repeats.value = String(values.repeats);
    this._concurrency.value = String(values.concurrency);
    this._limit.value = values.limit === undefined ? '' : String(values.limit);
    this._ids.value = values.ids?.join(', ') ?? '';
    this._sample.value = values.sample === undefined ? '' : String(values.sample);
    this._seed.value = values.seed === undefined ? '' : String(values.seed);
    this._choiceOrder.value = values.choiceOrder;
    this._outDir.value = values.outDir;
    this.validate();
  }

  setOutDir(outDir: string): void {
    this._outDir.value = outDir;
    this.validate();
  }

  setDisabled(disabled: boolean): void {
    for (const control of this._controls) {
      setFlag(control, 'disabled', disabled);
    }
  }

  /** The form's values (whatever their validity). */
  values(): EvalFormValues {
    const thresholds = parseNumberList(this._thresholds.value);
    const values: EvalFormValues = {
      modes: [...this._modes].filter(([, box]) => box.checked).map(([mode]) => mode),
      thresholds: thresholds.error ? [Number.NaN] : thresholds.values,
      scoreMethods: [...this._methods].filter(([, box]) => box.checked).map(([method]) => method),
      repeats: Number(this._repeats.value),
      concurrency: Number(this._concurrency.value),
      choiceOrder: this._choiceOrder.value === 'reference' ? 'reference' : 'shuffled',
      outDir: this._outDir.value.trim(),
    };
    const ids = parseIdList(this._ids.value);
    if (ids.length > 0) {
      values.ids = ids;
    }
    // An empty list: the setting's value (the placeholder).
    for (const [key, input] of this._sweeps) {
      const list = parseNumberList(input.value);
      if (list.error || list.values.length > 0) {
        values[key] = list.error ? [Number.NaN] : list.values;
      }
    }
    for (const [key, input] of [
      ['limit', this._limit],
      ['sample', this._sample],
      ['seed', this._seed],
    ] as const) {
      const n = optionalNumber(input);
      if (n !== undefined) {
        values[key] = n;
      }
    }
    return values;
  }

  /** Shows every problem inline and the estimate; true when the form can be submitted. */
  validate(): boolean {
    const values = this.values();
    const problems = evalFormProblems(values);
    const thresholdText = parseNumberList(this._thresholds.value);
    const messages = problems.map((p) =>
      p.field === 'thresholds' && thresholdText.error ? { ...p, message: `Thresholds: ${thresholdText.error}` } : p,
    );
    const bad = new Set<EvalField>(messages.map((p) => p.field));
    const inputs: Array<[EvalField, HTMLElement]> = [
      ['thresholds', this._thresholds],
      ...this._sweeps,
      ['repeats', this._repeats],
      ['concurrency', this._concurrency],
      ['limit', this._limit],
      ['ids', this._ids],
      ['sample', this._sample],
      ['seed', this._seed],
      ['outDir', this._outDir],
    ];
    for (const [key, input] of inputs) {
      input.setAttribute('aria-invalid', String(bad.has(key)));
      if (bad.has(key)) {
        input.setAttribute('aria-describedby', 'eval-form-message');
      } else {
        input.removeAttribute('aria-describedby');
      }
    }
    const unique = [...new Set(messages.map((p) => p.message))];
    setFlag(this._message, 'hidden', unique.length === 0);
    this._message.replaceChildren(...unique.map((m) => h('li', {}, m)));
    const configs = formConfigurations(values).length;
    const problemsSelected = selectedProblems(values, this._problems);
    setText(
      this._estimate,
      unique.length > 0
        ? 'Fix the values above to see the number of runs.'
        : `${formatCount(estimatedRuns(values, this._problems))} runs: ${formatCount(problemsSelected)} problem${problemsSelected === 1 ? '' : 's'} × ${values.repeats} repeat${values.repeats === 1 ? '' : 's'} × ${configs} configuration${configs === 1 ? '' : 's'}`,
    );
    this._estimate.dataset.runs = unique.length > 0 ? '' : String(estimatedRuns(values, this._problems));
    this._valid = unique.length === 0;
    return this._valid;
  }

  /** The result of the last validation (every edit validates). */
  get valid(): boolean {
    return this._valid;
  }
}
