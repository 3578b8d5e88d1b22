// The tuning strip: the four run settings the panel may change, and where the change is saved.

import { SAVE_TARGETS, TUNING_KEYS, tuningSetting, type NumberSetting, type Tune } from '../core/settingsTable';
import type { FromWebview, TuningKey, TuningValues } from '../shared/protocol';
import { h, setText } from './dom';

type Post = (message: FromWebview) => void;

type NumberField = NumberSetting & { tune: Tune };

/** Why a value is unusable, or undefined when it is fine. Ranges come from the settings table, as the host's. */
function problem(field: NumberField, value: number): string | undefined {
  const label = field.tune.label;
  if (!Number.isFinite(value)) {
    return `${label} must be a number.`;
  }
  if (field.integer && !Number.isInteger(value)) {
    return `${label} must be a whole number.`;
  }
  if (value < field.min || value > field.max) {
    return field.max >= 1_000_000
      ? `${label} must be at least ${field.min}.`
      : `${label} must be between ${field.min} and ${field.max}.`;
  }
  return undefined;
}

function select(id: string, options: ReadonlyArray<readonly [string, string]>): HTMLSelectElement {
  return h('select', { id }, ...options.map(([value, label]) => h('option', { attrs: { value } }, label)));
}

export class TuningStrip {
  readonly element: HTMLElement;
  /** One control per tunable setting, in the table's order. */
  private readonly _controls = new Map<TuningKey, HTMLInputElement | HTMLSelectElement>();
  private readonly _target = select(
    'tuning-target',
    SAVE_TARGETS.map((t) => [t, t[0]!.toUpperCase() + t.slice(1)] as const),
  );
  private readonly _message = h('p', {
    id: 'tuning-message',
    className: 'tuning-message',
    hidden: true,
    attrs: { 'aria-live': 'polite' },
  });
  private readonly _problems = new Map<HTMLInputElement, string>();

  constructor(private readonly _post: Post) {
    const fields: HTMLElement[] = [];
    for (const key of TUNING_KEYS) {
      const spec = tuningSetting(key);
      const control = spec.kind === 'number' ? this.numberInput(key, spec) : this.choiceSelect(key, spec.choices);
      control.title = spec.tune.hint;
      this._controls.set(key, control);
      fields.push(
        h('div', { className: 'field' }, h('label', { attrs: { for: spec.tune.id } }, spec.tune.label), control),
      );
    }
    this._target.title = 'Where changes made here are written';
    this._target.addEventListener('change', () => {
      const target = SAVE_TARGETS.find((t) => t === this._target.value) ?? 'user';
      this._post({ type: 'settings/target', target });
    });
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
      { className: 'tuning', attrs: { 'aria-label': 'Tuning for the next run' } },
      h(
        'span',
        {
          id: 'tuning-next',
          className: 'tuning-caption muted',
          title: 'These settings apply to the next run or re-run',
        },
        'Next run:',
      ),
      h('div', { className: 'tuning-fields' }, ...fields),
      this._message,
    );
  }

  private numberInput(key: TuningKey, field: NumberField): HTMLInputElement {
    const input = h('input', {
      id: field.tune.id,
      attrs: {
        type: 'number',
        min: String(field.min),
        max: String(field.max),
        step: String(field.tune.step ?? (field.integer ? 1 : 'any')),
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
        this._post({ type: 'settings/update', key, value: input.valueAsNumber });
      }
    });
    return input;
  }

  private choiceSelect(key: TuningKey, choices: readonly string[]): HTMLSelectElement {
    const control = select(
      tuningSetting(key).tune.id,
      choices.map((c) => [c, c] as const),
    );
    control.addEventListener('change', () => this._post({ type: 'settings/update', key, value: control.value }));
    return control;
  }

  /** Shows the host's values, leaving alone a control the user is editing or has left invalid. */
  update(values: TuningValues): void {
    const editing = (control: HTMLElement) => document.activeElement === control;
    for (const [key, control] of this._controls) {
      if (editing(control) || (control instanceof HTMLInputElement && this._problems.has(control))) {
        continue;
      }
      const value = String(values[key]);
      if (control.value !== value) {
        control.value = value;
      }
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
