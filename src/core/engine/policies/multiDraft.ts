// multi-draft (SpecCoT-style): the small model writes n drafts of the step in one request (OpenAI's `n`);
// the base model scores every draft with the judge prompt, in ONE prompt-list request on /v1/completions when
// the base server serves them (vLLM, SGLang), else one chat score request per draft sent together; the
// best-scoring draft is kept when its score reaches the threshold, else the base model writes the step. Ties go to the earliest draft, so a run is
// reproducible from its replies.

import { linkedAbort } from '../../abort';
import { SpecReasonError } from '../../errors';
import { KIND_CAPABILITIES } from '../../llm/capabilities';
import type { GenerateRequest, GenerateResult, ModelServer, ScoreResult } from '../../llm/server';
import { hasFinishMarker } from '../answer';
import { keepThinkOpen, settleDraft, shown, thresholdDecision, type Rewrite } from '../draftedStep';
import { scoreMessages, STEP_SEPARATOR } from '../messages';
import type { RunContext } from '../runContext';
import type { StepDecision, StepRecord } from '../runRecord';
import { scoreFromLogprobs } from '../scoring';
import type { ProducedStep, StepProducer, StepSlot } from '../step';

/** Which of the drafts' scores is best (the earliest of equals), and whether it reaches the threshold. */
export function multiDraftDecision(
  scores: readonly number[],
  threshold: number,
  how?: string,
): StepDecision & { best: number } {
  const best = scores.reduce((at, score, i) => (score > scores[at]! ? i : at), 0);
  const value = scores[best]!;
  const decision = thresholdDecision({
    policy: 'multi-draft',
    signal: 'best-score',
    value,
    threshold,
    subject: `best of ${scores.length} draft scores (${scores.map(shown).join(', ')}) is ${shown(value)}`,
    atOrAbove: ['kept-draft', `draft ${best + 1} was kept${how ? ` (${how})` : ''}`],
    below: ['base-rewrote', `the base model rewrote the step${how ? ` (${how})` : ''}`],
  });
  return { best, ...decision };
}

/** Whether the base server scores a prompt list in one request (its kind serves them and its client has it). */
export function servesPromptLists(server: ModelServer): boolean {
  return server.kind !== 'auto' && KIND_CAPABILITIES[server.kind].promptLists && server.scoreMany !== undefined;
}

/**
 * The base model's scores of the drafts: one prompt-list request when the base server serves them, else one
 * request per draft, all sent at once (one failure aborts the others before it is thrown). Says which.
 */
async function scoreAll(
  run: RunContext,
  steps: readonly string[],
  drafts: GenerateResult[],
): Promise<{ judged: ScoreResult[]; how: string; oneRequest: boolean }> {
  const chats = drafts.map((d) => scoreMessages(run.user, [...steps, d.text]));
  const { base } = run.clients;
  if (servesPromptLists(base)) {
    return {
      judged: await base.scoreMany!(chats, run.signal),
      how: `${drafts.length} scores in one prompt-list request`,
      oneRequest: true,
    };
  }
  const link = linkedAbort(run.signal);
  // The first failure is the cause; the others were aborted because of it.
  let cause: { error: unknown } | undefined;
  const scoring = chats.map((chat) =>
    base.score(chat, link.signal).catch((error: unknown) => {
      cause ??= { error };
      link.controller.abort();
      throw error;
    }),
  );
  const settled = await Promise.allSettled(scoring);
  link.unlink();
  if (cause) {
    throw cause.error;
  }
  const judged = settled.map((s) => (s as PromiseFulfilledResult<ScoreResult>).value);
  return {
    judged,
    how: `${drafts.length} concurrent score requests: the base server takes no prompt list`,
    oneRequest: false,
  };
}

export class MultiDraftStep implements StepProducer {
  constructor(
    private readonly _run: RunContext,
    private readonly _draftCount: number,
  ) {}

  async next({ stepId, steps, startedAt }: StepSlot): Promise<ProducedStep> {
    const run = this._run;
    const { small } = run.clients;
    run.emit({ type: 'step-start', stepId, origin: 'draft' });
    const request = run.request(steps, run.config.stepMaxTokens, [STEP_SEPARATOR]);
    if (!small.generateMany) {
      throw new SpecReasonError('unsupported', `the small server (${small.hints.name}) cannot write several drafts`);
    }
    const drafts = await small.generateMany(request, this._draftCount, run.signal);
    const draftTokens = drafts.reduce((sum, d) => sum + d.completionTokens, 0);
    run.count('small', { completionTokens: draftTokens, ms: drafts[0]!.ms, text: '' });

    const { judged, how, oneRequest } = await scoreAll(run, steps, drafts);
    const scores = judged.map((j) => scoreFromLogprobs(run.config.scoreMethod, j.sampledToken, j.topLogprobs));
    run.count('base', { completionTokens: 0, ms: scoringMs(judged) });
    run.judgeCalls += judged.length;
    const { best, ...decision } = multiDraftDecision(scores, run.config.threshold, how);
    const draft = drafts[best]!;
    run.emit({ type: 'delta', stepId, model: 'small', phase: 'draft', text: draft.text });
    run.emit({ type: 'draft-done', stepId, text: draft.text, tokens: draft.completionTokens, ms: draft.ms });
    if (decision.outcome === 'kept-draft' && run.oversize(draft)) {
      return { record: run.oversizeStep(stepId, 'small', 'small', draft, startedAt, request), finished: false };
    }
    const verdict = judged[best]!;
    run.emit({
      type: 'score',
      stepId,
      score: decision.value,
      accepted: decision.outcome === 'kept-draft',
      threshold: decision.threshold,
      method: run.config.scoreMethod,
      topLogprobs: verdict.topLogprobs,
      ms: scoringMs(judged),
    });
    const { rewrite, oversized } = await settleDraft(run, { stepId, steps, startedAt }, decision);
    if (oversized) {
      return oversized;
    }
    const record = this._record(stepId, startedAt, { draft, verdict, judged, rewrite, request, decision });
    record.scoredTogether = { drafts: drafts.map((d) => d.text), index: best, oneRequest };
    return keepThinkOpen(record, hasFinishMarker(rewrite?.reply.text ?? draft.text));
  }

  private _record(
    stepId: number,
    startedAt: number,
    step: {
      draft: GenerateResult;
      verdict: ScoreResult;
      judged: ScoreResult[];
      rewrite?: Rewrite;
      request: GenerateRequest;
      decision: StepDecision;
    },
  ): StepRecord {
    const { draft, verdict, rewrite, decision } = step;
    return {
      step_id: stepId,
      step_str: rewrite?.reply.text ?? draft.text,
      small_model_step: draft.text,
      num_output_tokens_small: draft.completionTokens,
      score: decision.value,
      base_model_step: rewrite?.reply.text ?? null,
      num_output_tokens_base: rewrite?.reply.completionTokens ?? null,
      final_num_output_tokens: rewrite?.reply.completionTokens ?? draft.completionTokens,
      justification: verdict.content,
      origin: rewrite ? 'base-fallback' : 'small',
      timings: {
        draftMs: draft.ms,
        scoreMs: scoringMs(step.judged),
        baseMs: rewrite?.reply.ms,
        stepMs: 0,
        startedAt,
        endedAt: 0,
      },
      score_top_logprobs: verdict.topLogprobs,
      request: this._run.stepRequest(step.request),
      decision,
    };
  }
}

/** Wall time of score requests sent together: first start to last end. */
function scoringMs(judged: readonly ScoreResult[]): number {
  return Math.max(...judged.map((j) => j.endedAt)) - Math.min(...judged.map((j) => j.startedAt));
}
