// What the simulated models answer for the step policies beyond SpecReason (src/core/engine/policies/):
// the first token of a step with its top-20 alternatives (first-token routing), scripted per step or,
// by default, a confident first word of the scripted step. Kept apart from the HTTP routes on purpose.

import type { ScoreReply, SimScript, StepContext } from './simulatedVllm';

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

/** A distribution over `n` alternatives with the given probabilities (the rest of 20 share what is left). */
export function firstTokenOf(probabilities: readonly number[]): FirstTokenReply {
  const top = probabilities.map((p, i): [string, number] => [i === 0 ? 'Let' : ` t${i}`, Math.log(p)]);
  return { sampled: top[0]![0], top };
}
