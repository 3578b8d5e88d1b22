// What the simulated models answer for the step policies beyond SpecReason (src/core/engine/policies/):
// the first token of a step with its top-20 alternatives (first-token routing), scripted per step or,
// by default, a confident first word of the scripted step; n drafts of a step in one request (multi-draft),
// scripted per step or, by default, n copies of the scripted step. Kept apart from the HTTP routes on purpose.

import { simTokenize, type ScoreReply, type SimScript, type StepContext } from './simulatedVllm';

/** A scripted first-token distribution: the sampled token and its alternatives [token, logprob]. */
export type FirstTokenReply = Extract<ScoreReply, { sampled: string }>;

/** How many alternatives a confident default answer lists (a vLLM server with max_logprobs 20). */
const ALTERNATIVES = 20;

/**
 * The first token of step `index` and its alternatives: the script's, else the step's first word at
 * probability ≈ 0.99 and 19 unlikely alternatives (entropy ≈ 0.08 nats, so first-token routing keeps it
 * on the small model).
 */
export function firstTokenReply(script: SimScript, index: number, context: StepContext): FirstTokenReply {
  const scripted = script.firstToken?.(index, context);
  if (scripted) {
    return scripted;
  }
  const word = script.step(index, context).match(/^\s*\S+/)?.[0] ?? ' ';
  const top: Array<[string, number]> = [[word, -0.01]];
  for (let i = 1; i < ALTERNATIVES; i++) {
    top.push([` alt${i}`, -9]);
  }
  return { sampled: word, top };
}

/**
 * A first token whose 20 alternatives have entropy `nats`: the sampled token at probability p and the other
 * 19 sharing 1 − p equally, p found by bisection (the entropy falls as p rises from 1/20 to 1).
 */
export function firstTokenWithEntropy(token: string, nats: number): FirstTokenReply {
  const others = ALTERNATIVES - 1;
  const entropy = (p: number) => -p * Math.log(p) - (1 - p) * Math.log((1 - p) / others);
  let lo = 1 / ALTERNATIVES;
  let hi = 1 - 1e-12;
  for (let i = 0; i < 100; i++) {
    const mid = (lo + hi) / 2;
    if (entropy(mid) > nats) {
      lo = mid;
    } else {
      hi = mid;
    }
  }
  const p = (lo + hi) / 2;
  const top: Array<[string, number]> = [[token, Math.log(p)]];
  for (let i = 1; i < ALTERNATIVES; i++) {
    top.push([` alt${i}`, Math.log((1 - p) / others)]);
  }
  return { sampled: token, top };
}

/** One choice of an n > 1 step reply: its tokens and why it ended (the stop string's token is counted). */
export interface DraftChoice {
  tokens: string[];
  finishReason: 'stop' | 'length';
  stopReason: string | null;
  completionTokens: number;
}

/** The n drafts of step `index`, each cut at the budget or ended by the step separator as a step reply is. */
export function draftChoices(
  script: SimScript,
  index: number,
  n: number,
  context: StepContext,
  budget: number,
): DraftChoice[] {
  const texts = script.drafts?.(index, n, context) ?? [];
  return Array.from({ length: n }, (_, i) => {
    const tokens = simTokenize(texts[i] ?? script.step(index, context));
    if (tokens.length >= budget) {
      return { tokens: tokens.slice(0, budget), finishReason: 'length', stopReason: null, completionTokens: budget };
    }
    return { tokens, finishReason: 'stop', stopReason: '\n\n', completionTokens: tokens.length + 1 };
  });
}
