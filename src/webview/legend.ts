// "Legend": what the step colours, badges, the score meter and the distribution chart mean, and the keys.
// Collapsed by default; the swatches and badges are the panel's own classes, so they follow the theme.

import type { StepOrigin } from '../core/engine/runRecord';
import { h } from './dom';
import { ORIGIN_DESCRIPTION, ORIGIN_LABEL } from './format';
import { scoreMeter } from './stepTools';

const ORIGINS: readonly StepOrigin[] = ['small', 'base-fallback', 'base-forced', 'baseline'];

/** How each origin's step-time bar is drawn besides its colour (media/panel.css). */
const BAR_STYLE: Record<StepOrigin, string> = {
  small: 'solid',
  'base-fallback': 'hollow with a solid outline',
  'base-forced': 'hollow with a dashed outline',
  baseline: 'hollow with a dotted outline',
};

function row(sample: Node, text: string): HTMLElement {
  return h('li', {}, h('span', { className: 'legend-sample' }, sample), h('span', {}, text));
}

export function legend(threshold = 7): HTMLDetailsElement {
  const judged = { threshold, scoreMethod: 'greedy' as const };
  return h(
    'details',
    { id: 'legend', className: 'panel-legend' },
    h('summary', { title: 'What the colours, badges and marks mean' }, 'Legend'),
    h(
      'ul',
      { className: 'legend-list' },
      ...ORIGINS.map((origin) =>
        row(
          h(
            'span',
            { className: 'legend-origin', attrs: { 'data-origin': origin } },
            h('span', { className: 'swatch', attrs: { 'data-origin': origin } }),
            h('span', { className: 'origin-tag' }, ORIGIN_LABEL[origin]),
          ),
          `${ORIGIN_DESCRIPTION[origin]}. The step's left border and its step-time bar have this colour; the bar is ${BAR_STYLE[origin]}.`,
        ),
      ),
      row(
        h('span', { className: 'score accept' }, '8'),
        "Score of the small model's draft by the base model (0–9), at or above the threshold τ: the draft is kept.",
      ),
      row(
        h('span', { className: 'score reject' }, '2'),
        'Score below the threshold: the draft is rejected and the base model writes the step.',
      ),
      row(
        scoreMeter(8, judged, true),
        'The score on its 0–9 scale: the bar runs up to the score, the tick marks the threshold the run used.',
      ),
      row(
        h('span', { className: 'legend-dist' }, '▂▅█'),
        'Average scoring: how the base model spread its probability over the digits 0–9, the line at τ.',
      ),
      row(h('span', { className: 'step-warning' }, '⚠'), 'A note on the step (e.g. text the engine cleaned).'),
      row(
        h('kbd', {}, 'Tab'),
        'Steps are focusable: ↑/↓ or PageUp/PageDown move between them, Home/End jump, C copies the step, R opens its request. Click a step-time bar to go to its step.',
      ),
    ),
  );
}
