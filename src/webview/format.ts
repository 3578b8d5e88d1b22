// Number and label formatting shared by the views.

import type { ScoreMethod } from '../core/config';
import type { StepOrigin } from '../core/engine/runRecord';
import { FRACTIONAL_SCORES } from '../core/engine/scoring';
import type { PanelRun, RunStatus } from '../shared/protocol';
import { formatCount, STOP_REASON_LABEL } from '../core/presentation/format';

export {
  DASH,
  formatCount,
  formatMs,
  formatRate,
  MODE_LABEL,
  ORIGIN_LABEL,
  SIMULATED_LABEL,
  STOP_REASON_LABEL,
} from '../core/presentation/format';

/** Fractional scores (average) get two decimals; the others (greedy) are digits. */
export function formatScore(score: number, method: ScoreMethod): string {
  return FRACTIONAL_SCORES[method] ? score.toFixed(2) : String(Math.round(score));
}

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

/** What the answer box says when a run ended without a \\boxed{} answer: what happened, not just "none". */
export function noAnswerText(run: Pick<PanelRun, 'status' | 'steps' | 'summary' | 'error'>): string {
  const kept = `${run.steps.length} step${run.steps.length === 1 ? '' : 's'} kept`;
  if (run.status === 'cancelled') {
    return `Cancelled before an answer (${kept})`;
  }
  if (run.status === 'error') {
    return `Failed before an answer: ${run.error?.message ?? run.summary?.error?.message ?? 'see the error above'}`;
  }
  const reason = run.summary?.stopReason;
  switch (reason) {
    case undefined:
    case 'finished':
      return 'No \\boxed{} answer in the reasoning';
    case 'context_length':
      return `The model's length limit was reached before a \\boxed{} answer (${kept})`;
    default: {
      const label = STOP_REASON_LABEL[reason];
      return `${label.charAt(0).toUpperCase()}${label.slice(1)} before a \\boxed{} answer (${kept})`;
    }
  }
}

/** The settings and models a run used, for its header: "τ 7 (greedy) · budget 8,192 · base QwQ-32B · small …". */
export function runSettingsText(
  run: Pick<PanelRun, 'mode' | 'threshold' | 'scoreMethod' | 'tokenBudget' | 'firstNBaseSteps' | 'models'>,
): string {
  const parts: string[] = [];
  if (run.mode === 'specreason') {
    parts.push(`τ ${run.threshold} (${run.scoreMethod})`);
    if (run.firstNBaseSteps) {
      parts.push(`first ${run.firstNBaseSteps} by base`);
    }
  }
  if (run.tokenBudget !== undefined) {
    parts.push(`budget ${formatCount(run.tokenBudget)}`);
  }
  // Only the models the run used: a base-only run names the base model alone.
  const roles = run.mode === 'specreason' ? (['base', 'small'] as const) : ([run.mode] as const);
  for (const role of roles) {
    const model = run.models?.[role];
    if (model) {
      parts.push(`${role} ${model}`);
    }
  }
  return parts.join(' · ');
}
