// first-token (GlimpRouter, arXiv 2601.05110; read from Zengwh02/GlimpRouter @ 686838e22840372f100c52355234926e3fed1e50,
// src/glimp_router.py: get_score_first_token_entropy and glimprouter): before each step the small model is
// asked for the step's first token only (the step's own messages, temperature 0, max_tokens 1, top_logprobs
// 20); the entropy of that token's top-20 alternatives, renormalised to sum to 1, in nats, routes the step:
// at or above the threshold the base model writes the whole step, below it the small model writes it afresh
// (the probe token is not reused). No judge call; the forced first N base steps and the stop rules are the loop's.
// Differences, on purpose: GlimpRouter ends every run with a separate answer request to the large model
// (continuing "<think>…\n</think>\n\n", max_tokens 2048); this engine, as the SpecReason reference, takes the
// answer from the reasoning's last steps (no extra request), so every policy is compared on the same answer
// rule. A step is finished by our finish marker (a boxed answer), GlimpRouter's by "</think>" in the step.

import { hasFinishMarker } from '../answer';
import { keepThinkOpen, shown, thresholdDecision } from '../draftedStep';
import { STEP_SEPARATOR } from '../messages';
import type { RunContext } from '../runContext';
import type { StepDecision, StepRecord } from '../runRecord';
import type { TokenLogprob } from '../scoring';
import type { ProducedStep, StepProducer, StepSlot } from '../step';

import { FIRST_TOKEN_ALTERNATIVES } from './names';

export { FIRST_TOKEN_ALTERNATIVES };

/**
 * The entropy (nats) of a first token's alternatives: each exp(logprob), renormalised over the list, then
 * −Σ p ln p. A token listed twice counts once, its last logprob (GlimpRouter builds a dict); an
 * alternative of probability 0 adds nothing (its limit), where numpy would give NaN.
 */
export function firstTokenEntropy(top: readonly TokenLogprob[]): number {
  const byToken = new Map<string, number>();
  for (const t of top) {
    byToken.set(t.token, t.logprob);
  }
  const weights = [...byToken.values()].map((lp) => Math.exp(lp));
  const total = weights.reduce((a, b) => a + b, 0);
  let entropy = 0;
  for (const w of weights) {
    const p = w / total;
    if (p > 0) {
      entropy -= p * Math.log(p);
    }
  }
  return entropy;
}

/** The routing decision: the base model writes the step when the entropy is at least the threshold. */
export function firstTokenDecision(entropy: number, threshold: number): StepDecision {
  return thresholdDecision({
    policy: 'first-token',
    signal: 'entropy',
    value: entropy,
    threshold,
    subject: `first-token entropy ${shown(entropy)} nats`,
    atOrAbove: ['base-wrote', 'the base model wrote the step'],
    below: ['small-wrote', 'the small model wrote the step'],
  });
}

export class FirstTokenStep implements StepProducer {
  constructor(
    private readonly _run: RunContext,
    private readonly _threshold: number,
  ) {}

  async next({ stepId, steps, startedAt }: StepSlot): Promise<ProducedStep> {
    const run = this._run;
    const { small, base } = run.clients;
    run.emit({ type: 'step-start', stepId, origin: 'draft' });
    const request = run.request(steps, run.config.stepMaxTokens, [STEP_SEPARATOR]);
    if (!small.firstToken) {
      throw new Error('the small server cannot serve first-token routing'); // refused before the run by policyProblem
    }
    const probe = await small.firstToken(request, FIRST_TOKEN_ALTERNATIVES, run.signal);
    // The probe's one token is a signal, not part of the trace (as a score token is).
    run.count('small', { completionTokens: 0, ms: probe.ms });
    const decision = firstTokenDecision(firstTokenEntropy(probe.topLogprobs), this._threshold);
    run.emit({ type: 'decision', stepId, decision });
    const toBase = decision.outcome === 'base-wrote';
    if (toBase) {
      run.emit({ type: 'fallback-start', stepId });
    }
    const lane = run.startLane(toBase ? base : small, steps);
    const reply = await lane.adopt((text) =>
      run.emit({
        type: 'delta',
        stepId,
        model: toBase ? 'base' : 'small',
        phase: toBase ? 'fallback' : 'draft',
        text,
      }),
    );
    run.account(lane, reply);
    const role = toBase ? 'base' : 'small';
    if (run.oversize(reply)) {
      const record = run.oversizeStep(stepId, toBase ? 'base-fallback' : 'small', role, reply, startedAt, lane.request);
      return { record: { ...record, decision }, finished: false };
    }
    const record: StepRecord = {
      step_id: stepId,
      step_str: reply.text,
      small_model_step: toBase ? null : reply.text,
      num_output_tokens_small: toBase ? null : reply.completionTokens,
      score: null,
      base_model_step: toBase ? reply.text : null,
      num_output_tokens_base: toBase ? reply.completionTokens : null,
      final_num_output_tokens: reply.completionTokens,
      justification: null,
      origin: toBase ? 'base-fallback' : 'small',
      timings: {
        scoreMs: probe.ms,
        [toBase ? 'baseMs' : 'draftMs']: reply.ms,
        stepMs: 0,
        startedAt,
        endedAt: 0,
      },
      request: run.stepRequest(lane.request),
      decision,
    };
    return keepThinkOpen(record, hasFinishMarker(reply.text));
  }
}
