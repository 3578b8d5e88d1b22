// self-check (ConfSpec-style, arXiv 2602.18447): the small model drafts the step and scores its own draft
// with the judge prompt (the same one-token request the base model answers in SpecReason). A draft it
// scores at or above the self-check threshold is kept without the base model; the rest go to the base
// model's judge (kept at or above the run's threshold, else rewritten) or, with `selfCheckFallback:
// regenerate`, straight to the base model's rewrite. ConfSpec's own verifier and calibration are not
// reproduced: this is the training-free rule the issue asks for.

import { hasFinishMarker } from '../answer';
import {
  judge,
  keepThinkOpen,
  KEPT_OR_REWRITTEN,
  requestScore,
  settleDraft,
  shown,
  thresholdDecision,
  type Verdict,
} from '../draftedStep';
import { scoreMessages } from '../messages';
import type { RunContext } from '../runContext';
import type { StepDecision, StepRecord } from '../runRecord';
import { scoreFromLogprobs } from '../scoring';
import type { ProducedStep, StepProducer, StepSlot } from '../step';
import type { PolicyParams } from './index';

/** The small model's score of its own draft and whether it keeps the draft without the base model. */
export function selfCheckDecision(selfScore: number, threshold: number): StepDecision {
  return thresholdDecision({
    policy: 'self-check',
    signal: 'self-score',
    value: selfScore,
    threshold,
    subject: `self-score ${shown(selfScore)}`,
    atOrAbove: ['kept-draft', 'the small model kept its draft'],
    below: ['base-rewrote', 'the base model rewrote the step'],
  });
}

/** After an unconfident self-score, the base model's judge decided. */
function judgedDecision(selfScore: number, selfThreshold: number, verdict: Verdict, threshold: number): StepDecision {
  return thresholdDecision({
    policy: 'self-check',
    signal: 'score',
    value: verdict.score,
    threshold,
    subject: `self-score ${shown(selfScore)} < ${shown(selfThreshold)}, then base score ${shown(verdict.score)}`,
    ...KEPT_OR_REWRITTEN,
  });
}

export class SelfCheckStep implements StepProducer {
  constructor(
    private readonly _run: RunContext,
    private readonly _params: Pick<PolicyParams, 'selfCheckThreshold' | 'selfCheckFallback'>,
  ) {}

  async next({ stepId, steps, startedAt }: StepSlot): Promise<ProducedStep> {
    const run = this._run;
    const { small } = run.clients;
    run.emit({ type: 'step-start', stepId, origin: 'draft' });
    const lane = run.startLane(small, steps);
    const draft = await lane.adopt((text) => run.emit({ type: 'delta', stepId, model: 'small', phase: 'draft', text }));
    run.account(lane, draft);
    if (run.oversize(draft)) {
      return { record: run.oversizeStep(stepId, 'small', 'small', draft, startedAt, lane.request), finished: false };
    }
    run.emit({ type: 'draft-done', stepId, text: draft.text, tokens: draft.completionTokens, ms: draft.ms });

    const self = await small.score(scoreMessages(run.user, [...steps, draft.text]), run.signal);
    run.count('small', { completionTokens: 0, ms: self.ms });
    run.judgeCalls++;
    const selfScore = scoreFromLogprobs(run.config.scoreMethod, self.sampledToken, self.topLogprobs);
    let decision = selfCheckDecision(selfScore, this._params.selfCheckThreshold);
    let verdict: Verdict | undefined;
    if (decision.outcome !== 'kept-draft' && this._params.selfCheckFallback === 'judge') {
      verdict = await judge(run, stepId, requestScore(run, steps, draft.text));
      decision = judgedDecision(selfScore, this._params.selfCheckThreshold, verdict, run.config.threshold);
    }
    const { rewrite, oversized } = await settleDraft(run, { stepId, steps, startedAt }, decision);
    if (oversized) {
      return oversized;
    }
    const text = rewrite?.reply.text ?? draft.text;
    const record: StepRecord = {
      step_id: stepId,
      step_str: text,
      small_model_step: draft.text,
      num_output_tokens_small: draft.completionTokens,
      score: verdict?.score ?? null,
      base_model_step: rewrite?.reply.text ?? null,
      num_output_tokens_base: rewrite?.reply.completionTokens ?? null,
      final_num_output_tokens: rewrite?.reply.completionTokens ?? draft.completionTokens,
      justification: verdict?.judged.content ?? self.content,
      origin: rewrite ? 'base-fallback' : 'small',
      timings: {
        draftMs: draft.ms,
        scoreMs: self.ms + (verdict?.judged.ms ?? 0),
        baseMs: rewrite?.reply.ms,
        stepMs: 0,
        startedAt,
        endedAt: 0,
      },
      ...(verdict ? { score_top_logprobs: verdict.judged.topLogprobs } : {}),
      request: run.stepRequest(lane.request),
      decision,
    };
    return keepThinkOpen(record, hasFinishMarker(text));
  }
}
