// Number and label formatting shared by the views.

import type { ScoreMethod } from '../core/config';
import type { StepOrigin } from '../core/runRecord';
import { FRACTIONAL_SCORES } from '../core/scoring';
import type { RunStatus } from '../shared/protocol';

export { DASH, formatCount, formatMs, formatRate, MODE_LABEL, STOP_REASON_LABEL } from '../core/format';

/** Fractional scores (average) get two decimals; the others (greedy) are digits. */
export function formatScore(score: number, method: ScoreMethod): string {
  return FRACTIONAL_SCORES[method] ? score.toFixed(2) : String(Math.round(score));
}

export const ORIGIN_LABEL: Readonly<Record<StepOrigin, string>> = {
  small: 'small · accepted',
  'base-fallback': 'base · after rejection',
  'base-forced': 'base · first N',
  baseline: 'baseline',
};

export const ORIGIN_DESCRIPTION: Readonly<Record<StepOrigin, string>> = {
  small: 'Drafted by the small model and kept: its score reached the threshold',
  'base-fallback': "Written by the base model because the small model's draft scored below the threshold",
  'base-forced': 'Written by the base model directly (one of the first N steps)',
  baseline: 'The whole reasoning of a single-model baseline',
};

export const STATUS_LABEL: Readonly<Record<RunStatus, string>> = {
  running: 'Running',
  finished: 'Finished',
  cancelled: 'Cancelled',
  error: 'Error',
};
