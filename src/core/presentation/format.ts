// Numbers and labels as the panel, its Markdown copy and the CLI print them (one wording for all).

import type { RunMode, StepPolicyName } from '../config';
import type { RepeatedSpeedup } from './compareTable';
import type { StepOrigin, StopReason } from '../engine/runRecord';

export const DASH = '—';

export function formatMs(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) {
    return DASH;
  }
  if (ms < 1000) {
    return `${Math.round(ms)} ms`;
  }
  if (ms < 60_000) {
    return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  }
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.floor((ms % 60_000) / 1000);
  return `${minutes} m ${String(seconds).padStart(2, '0')} s`;
}

/** Fractions 0–1 as percentages; undefined is "unknown" (the server or the run did not say). */
export function formatRate(rate: number | undefined): string {
  return rate === undefined || !Number.isFinite(rate) ? 'unknown' : `${(rate * 100).toFixed(1)}%`;
}

// One formatter: toLocaleString builds a new one per call, which shows up in 500-step profiles.
const COUNT_FORMAT = new Intl.NumberFormat('en-US');

export function formatCount(n: number | undefined): string {
  return n === undefined ? DASH : COUNT_FORMAT.format(n);
}

export const MODE_LABEL: Readonly<Record<RunMode, string>> = {
  specreason: 'SpecReason',
  base: 'Base only',
  small: 'Small only',
};

/** Step policies by name (SpecReason's own as the mode is called). */
export const POLICY_LABEL: Readonly<Record<StepPolicyName, string>> = {
  specreason: 'SpecReason',
  'first-token': 'first-token',
  'self-check': 'self-check',
  lookahead: 'lookahead',
  'multi-draft': 'multi-draft',
  'adaptive-threshold': 'adaptive threshold',
};

export const STOP_REASON_LABEL: Readonly<Record<StopReason, string>> = {
  finished: 'answer reached',
  budget: 'token budget reached',
  cancelled: 'cancelled',
  error: 'error',
  context_length: 'context length exceeded',
  max_steps: 'step limit reached',
  max_wall_time: 'time limit reached',
  max_step_chars: 'step too long',
};

export const ORIGIN_LABEL: Readonly<Record<StepOrigin, string>> = {
  small: 'small · accepted',
  'base-fallback': 'base · after rejection',
  'base-forced': 'base · first N',
  baseline: 'baseline',
};

export const SIMULATED_LABEL = 'SIMULATED model pair';

/** Base-only wall time ÷ SpecReason's, in words: "1.47× faster", "0.57× — slower". */
export function formatSpeedup(speedup: number | undefined): string {
  if (speedup === undefined || !Number.isFinite(speedup)) {
    return '—';
  }
  return speedup >= 1 ? `${speedup.toFixed(2)}× faster` : `${speedup.toFixed(2)}× — slower`;
}

/** Rounds a comparison should have for a speedup worth quoting: what the panel suggests. */
export const SUGGESTED_ROUNDS = 3;

/** A repeated comparison's speedup, short: the median in the words of `formatSpeedup`, or a tie. */
export function speedupHeadline(r: Pick<RepeatedSpeedup, 'speedup' | 'verdict'>): string {
  if (!r.speedup) {
    return '—';
  }
  return r.verdict === 'tie' ? `tie (${r.speedup.median.toFixed(2)}×)` : formatSpeedup(r.speedup.median);
}

/** What the headline stands on: the rounds, their range, and why a tie is one. */
export function speedupDetail(r: Pick<RepeatedSpeedup, 'speedup' | 'verdict'>): string {
  const s = r.speedup;
  if (!s) {
    return '';
  }
  if (s.samples === 1) {
    return `one run, a noisy sample: compare ${SUGGESTED_ROUNDS}× for a median and range`;
  }
  const range = `median of ${s.samples} runs, range ${s.low.toFixed(2)}–${s.high.toFixed(2)}×`;
  return r.verdict === 'tie' ? `${range}: the range includes 1×, so neither is faster` : range;
}

/** How far one run of a solve or comparison got, for the progress notification. */
export interface RunProgress {
  mode: RunMode;
  /** The run's name when the mode does not tell it apart (a step policy other than SpecReason's own). */
  label?: string;
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
    : runs.map((r) => `${r.label ?? MODE_LABEL[r.mode]} ${one(r)}`).join(' · ');
}
