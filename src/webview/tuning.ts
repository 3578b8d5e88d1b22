// The tuning strip: the four run settings the panel may change, and where the change is saved.

import type { FromWebview, TuningKey, TuningValues } from '../shared/protocol';
import { h, setText } from './dom';

type Post = (message: FromWebview) => void;

interface NumberField {
  key: Exclude<TuningKey, 'scoreMethod'>;
  id: string;
  label: string;
  min: number;
  max: number;
  step: number;
  integer: boolean;
  hint: string;
}

// Ranges match validateConfig in src/core/config.ts, so anything posted is accepted by the host.
const NUMBER_FIELDS: readonly NumberField[] = [
  {
    key: 'threshold',
    id: 'tuning-threshold',
    label: 'Threshold',
    min: 0,
    max: 9,
    step: 0.1,
    integer: false,
    hint: 'Keep a draft when its score is at least this (0–9)',
  },
  {
    key: 'tokenBudget',
    id: 'tuning-token-budget',
    label: 'Token budget',
    min: 1,
    max: 10_000_000,
    step: 1,
    integer: true,
    hint: 'Stop once kept steps used this many tokens',
  },
  {
    key: 'firstNBaseSteps',
    id: 'tuning-first-n',
    label: 'First N base steps',
    min: 0,
    max: 1_000_000,
    step: 1,
    integer: true,
    hint: 'The base model writes the first N steps itself',
  },
];

/** Why a value is unusable, or undefined when it is fine. */
function problem(field: NumberField, value: number): string | undefined {
  if (!Number.isFinite(value)) {
    return `${field.label} must be a number.`;
  }
  if (field.integer && !Number.isInteger(value)) {
    return `${field.label} must be a whole number.`;
  }
  if (value < field.min || value > field.max) {
    return field.max >= 1_000_000
      ? `${field.label} must be at least ${field.min}.`
      : `${field.label} must be between ${field.min} and ${field.max}.`;
  }
  return undefined;
}

function select(id: string, options: ReadonlyArray<readonly [string, string]>): HTMLSelectElement {
  return h('select', { id }, ...options.map(([value, label]) => h('option', { attrs: { value } }, label)));
}

export class TuningStrip {
  readonly element: HTMLElement;
  private readonly _inputs = new Map<NumberField['key'], HTMLInputElement>();
  private readonly _scoreMethod = select('tuning-score-method', [
    ['greedy', 'greedy'],
    ['average', 'average'],
  ]);
  private readonly _target = select('tuning-target', [
    ['user', 'User'],
    ['workspace', 'Workspace'],
  ]);
  private readonly _message = h('p', {
    id: 'tuning-message',
    className: 'tuning-message',
    hidden: true,
    attrs: { 'aria-live': 'polite' },
  });
  private readonly _problems = new Map<HTMLInputElement, string>();

  constructor(private readonly _post: Post) {
    const fields: HTMLElement[] = [];
    for (const field of NUMBER_FIELDS) {
      const input = h('input', {
        id: field.id,
        title: field.hint,
        attrs: {
          type: 'number',
          min: String(field.min),
          max: String(field.max),
          step: String(field.step),
          inputmode: field.integer ? 'numeric' : 'decimal',
        },
      });
      // While typing, "0." is not a number yet: judge only complete numbers until the change commits.
      input.addEventListener('input', () => {
        if (!Number.isNaN(input.valueAsNumber)) {
          this.check(field, input);
        }
      });
      input.addEventListener('change', () => {
        if (this.check(field, input)) {
          this._post({ type: 'settings/update', key: field.key, value: input.valueAsNumber });
        }
      });
      this._inputs.set(field.key, input);
      fields.push(h('div', { className: 'field' }, h('label', { attrs: { for: field.id } }, field.label), input));
    }
    this._scoreMethod.title = 'greedy: the sampled digit; average: probability-weighted digits';
    this._scoreMethod.addEventListener('change', () =>
      this._post({ type: 'settings/update', key: 'scoreMethod', value: this._scoreMethod.value }),
    );
    this._target.title = 'Where changes made here are written';
    this._target.addEventListener('change', () => {
      const target = this._target.value === 'workspace' ? 'workspace' : 'user';
      this._post({ type: 'settings/target', target });
    });
    fields.splice(
      1,
      0,
      h(
        'div',
        { className: 'field' },
        h('label', { attrs: { for: 'tuning-score-method' } }, 'Score method'),
        this._scoreMethod,
      ),
    );
    fields.push(
      h(
        'div',
        { className: 'field field-target' },
        h('label', { attrs: { for: 'tuning-target' } }, 'Save to'),
        this._target,
      ),
    );
    this.element = h(
      'section',
      { className: 'tuning', attrs: { 'aria-label': 'Tuning' } },
      h('div', { className: 'tuning-fields' }, ...fields),
      this._message,
    );
  }

  /** Shows the host's values, leaving alone a control the user is editing or has left invalid. */
  update(values: TuningValues): void {
    const editing = (control: HTMLElement) => document.activeElement === control;
    for (const field of NUMBER_FIELDS) {
      const input = this._inputs.get(field.key);
      if (!input || editing(input) || this._problems.has(input)) {
        continue;
      }
      const value = String(values[field.key]);
      if (input.value !== value) {
        input.value = value;
      }
    }
    if (!editing(this._scoreMethod)) {
      this._scoreMethod.value = values.scoreMethod;
    }
    if (!editing(this._target)) {
      this._target.value = values.target;
    }
  }

  /** Validates one field and shows or clears its inline message; true when the value can be posted. */
  private check(field: NumberField, input: HTMLInputElement): boolean {
    const message = problem(field, input.valueAsNumber);
    input.setAttribute('aria-invalid', String(message !== undefined));
    if (message) {
      this._problems.set(input, message);
      input.setAttribute('aria-describedby', 'tuning-message');
    } else {
      this._problems.delete(input);
      input.removeAttribute('aria-describedby');
    }
    // The field just edited speaks first; otherwise whichever other field is still wrong.
    const shown = message ?? [...this._problems.values()][0];
    this._message.hidden = shown === undefined;
    setText(this._message, shown ?? '');
    return message === undefined;
  }
}
