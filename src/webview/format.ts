// Number and label formatting shared by the views.

import type { ScoreMethod } from '../core/config';
import type { StepOrigin } from '../core/engine/runRecord';
import { FRACTIONAL_SCORES } from '../core/engine/scoring';
import { SERVER_KIND_NAMES } from '../core/llm/server';
import type { PanelRun, RunStatus } from '../shared/protocol';
import type { Problem } from '../core/engine/prompts';
import { choiceLetter } from '../core/eval/answerNormalize';
import { formatCount, MODE_LABEL, POLICY_LABEL, STOP_REASON_LABEL } from '../core/presentation/format';

export {
  DASH,
  formatCount,
  formatMs,
  formatRate,
  MODE_LABEL,
  ORIGIN_LABEL,
  POLICY_LABEL,
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

/** A run's name: its step policy when it is not SpecReason's own, else its mode ("first-token", "Base only"). */
export function runLabel(run: Pick<PanelRun, 'mode' | 'policy'>): string {
  return run.mode === 'specreason' && run.policy ? POLICY_LABEL[run.policy] : MODE_LABEL[run.mode];
}

/** The precise terms behind the settings' plain words, for tooltips. */
export const SETTINGS_TERMS =
  'threshold: τ, the score (0–9) a draft needs to be kept · budget: the token budget, counted over the kept steps · ' +
  'base writes the first N: first_n_steps_base_model';

type SettingsOf = Pick<PanelRun, 'mode' | 'threshold' | 'scoreMethod' | 'tokenBudget' | 'firstNBaseSteps'> &
  Partial<Pick<PanelRun, 'policy'>>;

/** Settings in plain words: "threshold 7 (greedy) · budget 8,192 tokens · base writes the first 2 steps". */
export function settingsSummary(run: SettingsOf): string {
  const parts: string[] = [];
  if (run.mode === 'specreason' && run.policy) {
    parts.push(`policy ${POLICY_LABEL[run.policy]}`);
  }
  if (run.mode === 'specreason' && run.policy !== 'first-token') {
    parts.push(`threshold ${run.threshold} (${run.scoreMethod})`);
  }
  if (run.tokenBudget !== undefined) {
    parts.push(`budget ${formatCount(run.tokenBudget)} tokens`);
  }
  if (run.mode === 'specreason' && run.firstNBaseSteps) {
    parts.push(`base writes the first ${formatCount(run.firstNBaseSteps)} step${run.firstNBaseSteps === 1 ? '' : 's'}`);
  }
  return parts.join(' · ');
}

/** The settings and models a run used, for its header: "threshold 7 (greedy) · budget 8,192 tokens · base QwQ-32B · small …". */
export function runSettingsText(run: SettingsOf & Pick<PanelRun, 'models' | 'serverKinds'>): string {
  const parts: string[] = [settingsSummary(run)].filter(Boolean);
  // Only the models the run used: a base-only run names the base model alone.
  const roles = run.mode === 'specreason' ? (['base', 'small'] as const) : ([run.mode] as const);
  for (const role of roles) {
    const model = run.models?.[role];
    const kind = run.serverKinds?.[role];
    if (model) {
      parts.push(`${role} ${model}${kind ? ` (${SERVER_KIND_NAMES[kind]})` : ''}`);
    }
  }
  return parts.join(' · ');
}

/**
 * What to say about an answer that is not one of a multiple-choice question's letters (an answer of 50 to an
 * (A)–(D) question), or undefined when it is one, or the question has no choices.
 */
export function offChoiceText(problem: Problem, answer: string | undefined): string | undefined {
  if (!problem.choices || answer === undefined || choiceLetter(answer) !== undefined) {
    return undefined;
  }
  return 'Not one of the choices (A)–(D): the model answered the question, not with a letter';
}
