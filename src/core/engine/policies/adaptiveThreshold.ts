// adaptive-threshold: SpecReason's step (draft, score, rewrite) with a threshold that follows the run's
// recent acceptance. The rule, in one sentence: the step's threshold is the configured threshold plus
// `adaptiveGain` × (the acceptance rate of the last `adaptiveWindow` judged drafts − `adaptiveTarget`),
// kept within 0–9; before any draft was judged it is the configured threshold. Above the target the
// threshold rises (the base model checks more), below it falls, so acceptance settles near the target:
// a training-free stand-in for Arbitrage's learned router (arXiv 2512.05033), not a reproduction of it.

import type { StepRecord } from '../runRecord';
import type { RunContext } from '../runContext';
import { DraftedStep, shown } from '../draftedStep';
import type { StepProducer } from '../step';
import type { PolicyParams } from './index';

/** The threshold for the next judged step, from the steps kept so far; `why` says how, undefined at the start. */
export function adaptiveThreshold(
  configured: number,
  {
    adaptiveWindow,
    adaptiveTarget,
    adaptiveGain,
  }: Pick<PolicyParams, 'adaptiveWindow' | 'adaptiveTarget' | 'adaptiveGain'>,
  steps: readonly StepRecord[],
): { value: number; why?: string } {
  const judged = steps
    .filter((s) => s.decision?.outcome === 'kept-draft' || s.decision?.outcome === 'base-rewrote')
    .slice(-adaptiveWindow);
  if (judged.length === 0) {
    return { value: configured };
  }
  const kept = judged.filter((s) => s.decision?.outcome === 'kept-draft').length;
  const rate = kept / judged.length;
  const value = Math.min(9, Math.max(0, configured + adaptiveGain * (rate - adaptiveTarget)));
  const percent = (x: number) => `${Math.round(x * 100)} %`;
  return {
    value,
    why: `${shown(configured)} + ${shown(adaptiveGain)} × (${percent(rate)} kept of the last ${judged.length} − target ${percent(adaptiveTarget)})`,
  };
}

export function adaptiveSteps(run: RunContext, params: PolicyParams): StepProducer {
  return new DraftedStep(run, {
    policy: 'adaptive-threshold',
    threshold: () => adaptiveThreshold(run.config.threshold, params, run.steps),
  });
}
