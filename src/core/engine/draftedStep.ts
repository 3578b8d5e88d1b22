// SpecReason's step (reference spec_reason.py): the small model drafts it, the base model scores the
// draft with one token, and a draft under the threshold is written again by the base model. With two
// overlaps that change no decision: draft-ahead (draft step k+1 while step k is scored) and eager
// fallback (the base model writes step k while the small model drafts it).

import { hasFinishMarker } from './answer';
import type { GenerateRequest, GenerateResult, ScoreResult } from '../llm/server';
import type { StepDecision, StepRecord } from './runRecord';
import type { StepPolicyName } from './policies/names';
import { scoreFromLogprobs } from './scoring';
import type { Lane } from './lane';
import { scoreMessages } from './messages';
import type { RunContext } from './runContext';
import type { ProducedStep, StepProducer, StepSlot } from './step';

const THINK_END = '</think>';

/** A draft for one step, and the base model's eager copy of the same step when that option is on. */
interface Attempt {
  draft: Lane;
  eager?: Lane;
}

/** The base model's judgement of a draft. */
export interface Verdict {
  judged: ScoreResult;
  score: number;
  accepted: boolean;
}

/** A step the base model wrote instead of a draft, and the request it answered. */
export interface Rewrite {
  reply: GenerateResult;
  request: GenerateRequest;
}

/** What a policy built on SpecReason's step changes: its name and the threshold each step is judged by. */
export interface DraftedStepOptions {
  policy: StepPolicyName;
  /** The threshold for the next judged step, and how it came about (in words); default: the config's. */
  threshold?: () => { value: number; why?: string };
}

export class DraftedStep implements StepProducer {
  /** The next step's attempt, started while this step's draft was scored (draft-ahead). */
  private _ahead?: Attempt;

  constructor(
    private readonly _run: RunContext,
    private readonly _options: DraftedStepOptions = { policy: 'specreason' },
  ) {}

  async next({ stepId, steps, startedAt }: StepSlot): Promise<ProducedStep> {
    const run = this._run;
    run.emit({ type: 'step-start', stepId, origin: 'draft' });
    const attempt = this._attemptFor(steps);
    const draft = await attempt.draft.adopt((text) =>
      run.emit({ type: 'delta', stepId, model: 'small', phase: 'draft', text }),
    );
    run.account(attempt.draft, draft);
    if (run.oversize(draft)) {
      return {
        record: run.oversizeStep(stepId, 'small', 'small', draft, startedAt, attempt.draft.request),
        finished: false,
      };
    }
    run.emit({ type: 'draft-done', stepId, text: draft.text, tokens: draft.completionTokens, ms: draft.ms });

    const scoring = requestScore(run, steps, draft.text);
    this._draftAhead(steps, draft.text);
    const threshold = this._options.threshold?.() ?? { value: run.config.threshold };
    const verdict = await judge(run, stepId, scoring, threshold.value);
    // SpecReason's own records and events stay exactly as before policies (the fidelity tests hold them):
    // its decision is the step's score against the run's threshold. Other policies say theirs.
    const decision =
      this._options.policy === 'specreason'
        ? undefined
        : scoreDecision(this._options.policy, verdict.score, threshold.value, threshold.why);
    if (decision) {
      run.emit({ type: 'decision', stepId, decision });
    }
    let rewrite: Rewrite | undefined;
    if (verdict.accepted) {
      run.summary.accepted++;
      run.discard(attempt.eager);
    } else {
      run.summary.rejected++;
      this._dropAhead();
      rewrite = await baseRewrite(run, stepId, steps, attempt.eager);
      if (run.oversize(rewrite.reply)) {
        return {
          record: run.oversizeStep(stepId, 'base-fallback', 'base', rewrite.reply, startedAt, rewrite.request),
          finished: false,
        };
      }
    }
    const produced = draftedRecord(run, { stepId, startedAt }, draft, verdict, rewrite, attempt.draft.request);
    if (decision) {
      produced.record.decision = decision;
    }
    return produced;
  }

  /** The attempt drafted ahead when it continues exactly these steps (any other is thrown away), else a new one. */
  private _attemptFor(steps: readonly string[]): Attempt {
    const ahead = this._ahead;
    this._ahead = undefined;
    if (ahead?.draft.sameContext(steps)) {
      return ahead;
    }
    const attempt = this._start(steps);
    if (ahead) {
      this._run.discard(ahead.draft);
      this._run.discard(ahead.eager);
    }
    return attempt;
  }

  private _start(context: readonly string[]): Attempt {
    const run = this._run;
    return {
      draft: run.startLane(run.clients.small, context),
      eager: run.config.eagerFallback ? run.startLane(run.clients.base, context) : undefined,
    };
  }

  /**
   * Draft-ahead assumes this draft is kept as it is; a step that ends the run or would be cleaned of
   * </think> can never be the next context, so nothing is drafted after it.
   */
  private _draftAhead(steps: readonly string[], draft: string): void {
    if (this._run.config.draftAhead && !hasFinishMarker(draft) && !draft.includes(THINK_END)) {
      this._ahead = this._start([...steps, draft]);
    }
  }

  private _dropAhead(): void {
    if (this._ahead) {
      this._run.discard(this._ahead.draft);
      this._run.discard(this._ahead.eager);
      this._ahead = undefined;
    }
  }
}

/** Ask the base model to score `draft` as the step after `steps` (one token, its top logprobs). */
export function requestScore(run: RunContext, steps: readonly string[], draft: string): Promise<ScoreResult> {
  return run.clients.base.score(scoreMessages(run.user, [...steps, draft]), run.signal);
}

/** The score of a draft against the threshold: counted, and emitted as the step's `score` event. */
export async function judge(
  run: RunContext,
  stepId: number,
  scoring: Promise<ScoreResult>,
  threshold = run.config.threshold,
): Promise<Verdict> {
  const { config } = run;
  const judged = await scoring;
  run.count('base', { completionTokens: 0, ms: judged.ms });
  run.judgeCalls++;
  const score = scoreFromLogprobs(config.scoreMethod, judged.sampledToken, judged.topLogprobs);
  const accepted = score >= threshold;
  run.emit({
    type: 'score',
    stepId,
    score,
    accepted,
    threshold,
    method: config.scoreMethod,
    topLogprobs: judged.topLogprobs,
    ms: judged.ms,
  });
  return { judged, score, accepted };
}

/** A number as the panel shows it: at most two decimals. */
export function shown(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/**
 * A policy's decision on a draft, carried out: emitted, counted as accepted or rejected, and a rejected draft
 * written again by the base model. Returns the rewrite, or the step that ends the run when it is oversize.
 */
export async function settleDraft(
  run: RunContext,
  { stepId, steps, startedAt }: StepSlot,
  decision: StepDecision,
): Promise<{ rewrite?: Rewrite; oversized?: ProducedStep }> {
  run.emit({ type: 'decision', stepId, decision });
  if (decision.outcome === 'kept-draft') {
    run.summary.accepted++;
    return {};
  }
  run.summary.rejected++;
  const rewrite = await baseRewrite(run, stepId, steps, undefined);
  if (run.oversize(rewrite.reply)) {
    const record = run.oversizeStep(stepId, 'base-fallback', 'base', rewrite.reply, startedAt, rewrite.request);
    return { oversized: { record: { ...record, decision }, finished: false } };
  }
  return { rewrite };
}

/** A policy's rule: one signal against a threshold, what happens at or above it and below it. */
export interface ThresholdRule {
  policy: StepPolicyName;
  signal: StepDecision['signal'];
  value: number;
  threshold: number;
  /** What was compared, as the sentence starts, e.g. "score 8" or "first-token entropy 1.32 nats". */
  subject: string;
  /** The threshold as the sentence says it (default: the number). */
  against?: string;
  /** The outcome and its words at or above the threshold, and below it. */
  atOrAbove: readonly [outcome: StepDecision['outcome'], result: string];
  below: readonly [outcome: StepDecision['outcome'], result: string];
}

/** Every policy's decision and its sentence: "<subject> ≥ <threshold>: <result>" (or "<"). */
export function thresholdDecision(rule: ThresholdRule): StepDecision {
  const { policy, signal, value, threshold } = rule;
  const atOrAbove = value >= threshold;
  const [outcome, result] = atOrAbove ? rule.atOrAbove : rule.below;
  return {
    policy,
    signal,
    value,
    threshold,
    outcome,
    explanation: `${rule.subject} ${atOrAbove ? '≥' : '<'} ${rule.against ?? shown(threshold)}: ${result}`,
  };
}

/** What a judged draft's decision says: kept, or the base model rewrote the step. */
export const KEPT_OR_REWRITTEN = {
  atOrAbove: ['kept-draft', 'the draft was kept'],
  below: ['base-rewrote', 'the base model rewrote the step'],
} as const;

/** A judged draft's decision: its score against the threshold, kept or rewritten. */
export function scoreDecision(policy: StepPolicyName, score: number, threshold: number, why?: string): StepDecision {
  return thresholdDecision({
    policy,
    signal: 'score',
    value: score,
    threshold,
    subject: `score ${shown(score)}`,
    against: why ? `threshold ${shown(threshold)} (${why})` : undefined,
    ...KEPT_OR_REWRITTEN,
  });
}

/** The base model writes the step after `steps` (on its eager lane when one was started). */
export async function baseRewrite(
  run: RunContext,
  stepId: number,
  steps: readonly string[],
  eager: Lane | undefined,
): Promise<Rewrite> {
  run.emit({ type: 'fallback-start', stepId });
  const lane = eager ?? run.startLane(run.clients.base, steps);
  const reply = await lane.adopt((text) => run.emit({ type: 'delta', stepId, model: 'base', phase: 'fallback', text }));
  run.account(lane, reply);
  return { reply, request: lane.request };
}

/** The record of a drafted step, kept or rewritten. */
export function draftedRecord(
  run: RunContext,
  { stepId, startedAt }: Pick<StepSlot, 'stepId' | 'startedAt'>,
  draft: GenerateResult,
  { judged, score, accepted }: Verdict,
  rewrite: Rewrite | undefined,
  request: GenerateRequest,
): ProducedStep {
  const base = rewrite?.reply;
  const stepText = base?.text ?? draft.text;
  const finished = hasFinishMarker(stepText);
  const record: StepRecord = {
    step_id: stepId,
    step_str: stepText,
    small_model_step: draft.text,
    num_output_tokens_small: draft.completionTokens,
    score,
    base_model_step: base?.text ?? null,
    num_output_tokens_base: base?.completionTokens ?? null,
    final_num_output_tokens: base?.completionTokens ?? draft.completionTokens,
    justification: judged.content,
    origin: accepted ? 'small' : 'base-fallback',
    timings: {
      draftMs: draft.ms,
      scoreMs: judged.ms,
      baseMs: base?.ms,
      stepMs: 0,
      startedAt,
      endedAt: 0,
    },
    score_top_logprobs: judged.topLogprobs,
    request: run.stepRequest(request),
  };
  return keepThinkOpen(record, finished);
}

/** Reference edge case: thinking closed mid-answer without a final answer; the </think> is taken out. */
export function keepThinkOpen(record: StepRecord, finished: boolean): ProducedStep {
  if (record.step_str.includes(THINK_END) && !finished) {
    record.step_str = record.step_str.replaceAll(THINK_END, '');
    record.warning = 'step_str had a </think>';
  }
  return { record, finished };
}
