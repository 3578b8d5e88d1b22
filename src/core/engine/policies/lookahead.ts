// lookahead (Lookahead Reasoning, Fu et al., arXiv 2506.19830): the small model drafts up to k steps ahead,
// each draft continuing the drafts before it; the base model scores all k in ONE request (a prompt list on
// /v1/completions: prompt i is SpecReason's judge prompt for draft i with drafts 1..i-1 as its context, so the
// prompts share their prefix and the server's prefix cache); the longest prefix of drafts scoring at least
// the threshold is kept, the first failing draft is written again by the base model, and the drafts after it
// are thrown away (counted as waste). The paper verifies with the large model's own step (semantic
// equivalence); this engine keeps SpecReason's one-token judge so the two policies differ only in the
// window, and k = 1 makes SpecReason's decisions.
// Drafting stops early at a draft that would end the run if kept (a finish marker, </think>, a repeated step,
// the token budget, the step limit) or that is oversize: nothing after it could be used.

import type { GenerateResult, ScoreResult } from '../../llm/server';
import { SpecReasonError } from '../../errors';
import { hasFinishMarker } from '../answer';
import { draftedRecord, KEPT_OR_REWRITTEN, settleDraft, shown, thresholdDecision } from '../draftedStep';
import type { Lane } from '../lane';
import { scoreMessages } from '../messages';
import type { RunContext } from '../runContext';
import type { StepDecision } from '../runRecord';
import { scoreFromLogprobs } from '../scoring';
import type { ProducedStep, StepProducer, StepSlot } from '../step';

/** A drafted step of the window and how the base model judged it. */
interface WindowStep {
  lane: Lane;
  draft: GenerateResult;
  judged: ScoreResult;
  score: number;
  decision: StepDecision;
}

/** The steps decided together, handed out one per call of `next`. */
interface Window {
  /** The kept steps the window continues. */
  context: readonly string[];
  /** Up to the first failing draft (the drafts after it are already thrown away). */
  steps: WindowStep[];
  /** How many were handed out. */
  handedOut: number;
  /** The batched score request's time, on the window's first step. */
  scoreMs: number;
  /** Every draft scored in the request (also those after the first failure). */
  drafts: string[];
}

/** Step i's decision in a window of n scored drafts. */
export function lookaheadDecision(score: number, threshold: number, position: number, of: number): StepDecision {
  return thresholdDecision({
    policy: 'lookahead',
    signal: 'score',
    value: score,
    threshold,
    subject: `draft ${position} of ${of} scored together: score ${shown(score)}`,
    ...KEPT_OR_REWRITTEN,
  });
}

/** How many drafts of a window are kept: the longest prefix at or above the threshold. */
export function passingPrefix(scores: readonly number[], threshold: number): number {
  const failing = scores.findIndex((score) => score < threshold);
  return failing === -1 ? scores.length : failing;
}

export class LookaheadStep implements StepProducer {
  private _window?: Window;

  constructor(
    private readonly _run: RunContext,
    private readonly _steps: number,
  ) {}

  async next(slot: StepSlot): Promise<ProducedStep> {
    const window = this._window;
    if (window && window.handedOut < window.steps.length && this._continues(window, slot.steps)) {
      return this._handOut(window, slot);
    }
    if (window) {
      this._drop(window, window.handedOut);
    }
    this._run.emit({ type: 'step-start', stepId: slot.stepId, origin: 'draft' });
    const drafted = await this._draft(slot);
    if ('oversized' in drafted) {
      return drafted.oversized;
    }
    this._window = await this._score(slot.steps, drafted.lanes, drafted.drafts);
    return this._handOut(this._window, slot);
  }

  /** The slot's steps are the window's context followed by the steps it handed out. */
  private _continues(window: Window, steps: readonly string[]): boolean {
    const expected = [...window.context, ...window.steps.slice(0, window.handedOut).map((s) => s.draft.text)];
    return expected.length === steps.length && expected.every((s, i) => s === steps[i]);
  }

  /** Up to k drafts, each continuing the ones before it; the first streams as the slot's step. */
  private async _draft(
    slot: StepSlot,
  ): Promise<{ lanes: Lane[]; drafts: GenerateResult[] } | { oversized: ProducedStep }> {
    const run = this._run;
    const lanes: Lane[] = [];
    const drafts: GenerateResult[] = [];
    let used = run.steps.reduce((sum, r) => sum + r.final_num_output_tokens, 0);
    for (let i = 0; i < this._steps; i++) {
      const lane = run.startLane(run.clients.small, [...slot.steps, ...drafts.map((d) => d.text)]);
      const draft =
        i === 0
          ? await lane.adopt((text) =>
              run.emit({ type: 'delta', stepId: slot.stepId, model: 'small', phase: 'draft', text }),
            )
          : await lane.result;
      if (run.oversize(draft)) {
        if (i === 0) {
          run.account(lane, draft);
          const record = run.oversizeStep(slot.stepId, 'small', 'small', draft, slot.startedAt, lane.request);
          return { oversized: { record, finished: false } };
        }
        run.discard(lane); // never usable: the window ends before it
        break;
      }
      if (i === 0) {
        run.account(lane, draft); // the slot's own draft: in the trace whether kept or rewritten
        run.emit({
          type: 'draft-done',
          stepId: slot.stepId,
          text: draft.text,
          tokens: draft.completionTokens,
          ms: draft.ms,
        });
      }
      lanes.push(lane);
      drafts.push(draft);
      used += draft.completionTokens;
      const previous = i === 0 ? slot.steps[slot.steps.length - 1] : drafts[i - 1]!.text;
      const endsRun =
        hasFinishMarker(draft.text) ||
        draft.text.includes('</think>') ||
        (slot.steps.length + i >= 2 && draft.text === previous) ||
        used >= run.config.tokenBudget ||
        slot.stepId + i + 1 >= run.config.maxSteps;
      if (endsRun) {
        break;
      }
    }
    return { lanes, drafts };
  }

  /** The base model scores every draft in one request; the window keeps the passing prefix and the first failure. */
  private async _score(context: readonly string[], lanes: Lane[], drafts: GenerateResult[]): Promise<Window> {
    const run = this._run;
    const { base } = run.clients;
    if (!base.scoreMany) {
      throw new SpecReasonError('unsupported', `the base server (${base.hints.name}) cannot score a prompt list`);
    }
    const chats = drafts.map((_, i) =>
      scoreMessages(run.user, [...context, ...drafts.slice(0, i + 1).map((d) => d.text)]),
    );
    const judged = await base.scoreMany(chats, run.signal);
    run.count('base', { completionTokens: 0, ms: judged[0]!.ms });
    run.judgeCalls += judged.length;
    const threshold = run.config.threshold;
    const scores = judged.map((j) => scoreFromLogprobs(run.config.scoreMethod, j.sampledToken, j.topLogprobs));
    const decided = Math.min(drafts.length, passingPrefix(scores, threshold) + 1);
    const steps = drafts.slice(0, decided).map((draft, i) => ({
      lane: lanes[i]!,
      draft,
      judged: judged[i]!,
      score: scores[i]!,
      decision: lookaheadDecision(scores[i]!, threshold, i + 1, drafts.length),
    }));
    const window: Window = {
      context: [...context],
      steps,
      handedOut: 0,
      scoreMs: judged[0]!.ms,
      drafts: drafts.map((d) => d.text),
    };
    for (const lane of lanes.slice(decided)) {
      run.discard(lane); // after the first failure: wasted
    }
    return window;
  }

  /** The window's next step: its events, its decision carried out (a failing draft rewritten), its record. */
  private async _handOut(window: Window, slot: StepSlot): Promise<ProducedStep> {
    const run = this._run;
    const index = window.handedOut++;
    const step = window.steps[index]!;
    const { stepId } = slot;
    if (index > 0) {
      // Drafted while the window's first step was; shown now that it is this step's turn.
      run.account(step.lane, step.draft);
      run.emit({ type: 'step-start', stepId, origin: 'draft' });
      run.emit({ type: 'delta', stepId, model: 'small', phase: 'draft', text: step.draft.text });
      run.emit({
        type: 'draft-done',
        stepId,
        text: step.draft.text,
        tokens: step.draft.completionTokens,
        ms: step.draft.ms,
      });
    }
    const accepted = step.decision.outcome === 'kept-draft';
    const scoreMs = index === 0 ? window.scoreMs : 0;
    run.emit({
      type: 'score',
      stepId,
      score: step.score,
      accepted,
      threshold: step.decision.threshold,
      method: run.config.scoreMethod,
      topLogprobs: step.judged.topLogprobs,
      ms: scoreMs,
    });
    const { rewrite, oversized } = await settleDraft(run, slot, step.decision);
    if (oversized) {
      return oversized;
    }
    const verdict = { judged: { ...step.judged, ms: scoreMs }, score: step.score, accepted };
    const produced = draftedRecord(run, slot, step.draft, verdict, rewrite, step.lane.request);
    produced.record.decision = step.decision;
    produced.record.scoredTogether = { drafts: window.drafts, index, oneRequest: true };
    return produced;
  }

  /** A window the run moved away from: its steps not handed out are waste. */
  private _drop(window: Window, from: number): void {
    for (const step of window.steps.slice(from)) {
      this._run.discard(step.lane);
    }
    this._window = undefined;
  }
}
