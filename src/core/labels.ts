// Words the panel and its Markdown copy share, so both say the same thing.

import type { StepOrigin } from './runRecord';

export const ORIGIN_LABEL: Readonly<Record<StepOrigin, string>> = {
  small: 'small · accepted',
  'base-fallback': 'base · after rejection',
  'base-forced': 'base · first N',
  baseline: 'baseline',
};

export { MODE_LABEL } from './format';

export const SIMULATED_LABEL = 'SIMULATED model pair';

/** Base-only wall time ÷ SpecReason's, in words: "1.47× faster", "0.57× — slower". */
export function formatSpeedup(speedup: number | undefined): string {
  if (speedup === undefined || !Number.isFinite(speedup)) {
    return '—';
  }
  return speedup >= 1 ? `${speedup.toFixed(2)}× faster` : `${speedup.toFixed(2)}× — slower`;
}
