// One bar per completed step, height ∝ step time, coloured by origin. Bars sit in step units on the
// x axis and milliseconds on the y axis of the viewBox, so a new step (or a new longest step) only
// appends a rect and may change the viewBox: nothing already drawn is touched. A viewBox change redraws
// every bar, so in a long run the x axis grows in steps of 1/64 of its length (see `slotsFor`), and a bar is
// one element (its hover text is the chart's one title, set for the bar under the pointer).

import type { StepOrigin, StepRecord } from '../core/engine/runRecord';
import type { PanelRun } from '../shared/protocol';
import { h, setText, svg } from './dom';
import { formatMs, ORIGIN_LABEL } from './format';

/** Fewer steps than this still leave room, so six steps are not six huge slabs. */
const MIN_SLOTS = 24;
/** The x axis grows by at least 1/this of the steps drawn: a long run redraws its bars every n/64 steps. */
const SLOT_GROWTH = 64;

/**
 * Bar slots on the x axis for `drawn` steps: exactly the steps up to 2 × `SLOT_GROWTH`, then rounded up to a
 * multiple of drawn / `SLOT_GROWTH` (at most 1/64 of the width stays empty at the right).
 */
function slotsFor(drawn: number): number {
  const quantum = Math.max(1, Math.floor(drawn / SLOT_GROWTH));
  return Math.max(MIN_SLOTS, Math.ceil(drawn / quantum) * quantum);
}

const LEGEND: readonly StepOrigin[] = ['small', 'base-fallback', 'base-forced', 'baseline'];

export class Timeline {
  readonly element: HTMLElement;
  private readonly _chart: SVGSVGElement;
  /** The hover text: the bar under the pointer. */
  private readonly _hover = svg('title', {});
  private _hoverStep?: StepRecord;
  // The axes in HTML beside the stretched SVG (text inside it would stretch too): time up, steps along.
  private readonly _axisMax = h('span', { className: 'axis-max' });
  private readonly _axisSteps = h('span', { className: 'axis-steps' });
  private _run?: PanelRun;
  /** A bar was clicked: the step it stands for. */
  onSelect?: (stepId: number) => void;
  private _drawn = 0;
  /** Bar slots on the x axis (`slotsFor`), as the viewBox has them. */
  private _slots = MIN_SLOTS;
  private _maxMs = 1;
  private _totalMs = 0;
  private readonly _counts: Record<StepOrigin, number> = {
    small: 0,
    'base-fallback': 0,
    'base-forced': 0,
    baseline: 0,
  };

  constructor() {
    this._chart = svg('svg', { id: 'timeline', class: 'timeline', role: 'img', preserveAspectRatio: 'none' });
    // A click anywhere in a bar's column (a step as short as a pixel is still easy to hit) selects its step.
    this._chart.addEventListener('click', (e) => {
      const step = this._stepAt(e.clientX);
      if (step) {
        this.onSelect?.(step.step_id);
      }
    });
    this._chart.addEventListener('pointermove', (e) => this._hoverAt(e.clientX));
    const legend = h(
      'ul',
      { className: 'legend', attrs: { 'aria-hidden': 'true' } },
      ...LEGEND.map((origin) =>
        h('li', {}, h('span', { className: 'swatch', attrs: { 'data-origin': origin } }), ORIGIN_LABEL[origin]),
      ),
    );
    this.element = h(
      'figure',
      { className: 'timeline-figure' },
      h(
        'div',
        { className: 'timeline-plot' },
        h(
          'div',
          { className: 'axis-y', attrs: { 'aria-hidden': 'true' }, title: 'Time per step' },
          this._axisMax,
          h('span', {}, '0'),
        ),
        this._chart,
        h('span', { className: 'axis-x', attrs: { 'aria-hidden': 'true' } }, h('span', {}, 'step 1'), this._axisSteps),
      ),
      h(
        'figcaption',
        { className: 'timeline-caption' },
        h('span', { className: 'section-title' }, 'Time per step'),
        legend,
      ),
    );
    this.reset(undefined);
  }

  sync(run: PanelRun | undefined): void {
    if (run !== this._run || (run && run.steps.length < this._drawn)) {
      this.reset(run);
    }
    if (!run || run.steps.length === this._drawn) {
      return;
    }
    for (const step of run.steps.slice(this._drawn)) {
      const ms = Math.max(step.timings.stepMs, 0);
      this._maxMs = Math.max(this._maxMs, ms);
      this._totalMs += ms;
      this._counts[step.origin]++;
      this._chart.appendChild(
        svg('rect', {
          class: 'bar',
          'data-origin': step.origin,
          'data-step-id': step.step_id,
          x: this._drawn + 0.1,
          width: 0.8,
          y: -ms,
          height: ms,
        }),
      );
      this._drawn++;
    }
    this.layout();
  }

  private reset(run: PanelRun | undefined): void {
    this._run = run;
    this._drawn = 0;
    this._maxMs = 1;
    this._totalMs = 0;
    for (const origin of LEGEND) {
      this._counts[origin] = 0;
    }
    this._chart.replaceChildren(this._hover);
    this._hoverStep = undefined;
    setText(this._hover, '');
    this.layout();
  }

  /** The step drawn at a horizontal position on the screen (a bar's whole column counts). */
  private _stepAt(clientX: number): StepRecord | undefined {
    const box = this._chart.getBoundingClientRect();
    const slot = Math.floor(((clientX - box.left) / box.width) * this._slots);
    return slot >= 0 && slot < this._drawn ? this._run?.steps[slot] : undefined;
  }

  /** The chart's title says which bar is under the pointer (one title, not one per bar). */
  private _hoverAt(clientX: number): void {
    const step = this._stepAt(clientX);
    if (step === this._hoverStep) {
      return;
    }
    this._hoverStep = step;
    const ms = step ? Math.max(step.timings.stepMs, 0) : 0;
    setText(
      this._hover,
      step ? `Step ${step.step_id + 1} · ${ORIGIN_LABEL[step.origin]} · ${formatMs(ms)} (click: go to the step)` : '',
    );
  }

  private layout(): void {
    this.element.hidden = this._drawn === 0;
    setText(this._axisMax, formatMs(this._maxMs));
    setText(this._axisSteps, `step ${this._drawn} →`);
    this._slots = slotsFor(this._drawn);
    const viewBox = `0 ${-this._maxMs} ${this._slots} ${this._maxMs}`;
    if (this._chart.getAttribute('viewBox') !== viewBox) {
      this._chart.setAttribute('viewBox', viewBox);
    }
    const c = this._counts;
    const parts = [
      `${c.small} kept small drafts`,
      `${c['base-fallback']} base rewrites`,
      `${c['base-forced']} forced base steps`,
    ];
    if (c.baseline) {
      parts.push(`${c.baseline} baseline`);
    }
    this._chart.setAttribute(
      'aria-label',
      this._drawn === 0
        ? 'Timeline: no steps yet'
        : `Timeline of ${this._drawn} steps, ${formatMs(this._totalMs)} in total, longest ${formatMs(this._maxMs)}: ${parts.join(', ')}`,
    );
  }
}
