// Words the panel and its Markdown copy share, so both say the same thing.

import type { RunMode } from './config';
import { MODE_LABEL } from './format';
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

/** How far one run of a solve or comparison got, for the progress notification. */
export interface RunProgress {
  mode: RunMode;
  steps: number;
  done: boolean;
}

/**
 * The progress notification's text: every run's own count, so one run's report never hides another's
 * ("SpecReason 8 steps · Base only writing"). A baseline writes one long step: it says writing or done.
 */
export function progressText(runs: readonly RunProgress[]): string {
  const one = (r: RunProgress) =>
    r.mode === 'specreason'
      ? `${r.steps} step${r.steps === 1 ? '' : 's'}${r.done ? ', done' : ''}`
      : r.done
        ? 'done'
        : 'writing';
  return runs.length === 1 && runs[0]!.mode === 'specreason'
    ? one(runs[0]!)
    : runs.map((r) => `${MODE_LABEL[r.mode]} ${one(r)}`).join(' · ');
}
