// The benchmarks' problem with a chosen acceptance rate (bench.ts, policyBench.ts).

import type { Scenario } from '../../src/sim/scenarios';

/**
 * A problem of `n` steps of about `tokens` tokens each where the base model accepts a fraction `rate` of
 * drafts, spread evenly (Bresenham), the same pattern for every mode and policy. The small model's own
 * signals agree with the base model's judgement (the best case for first-token and self-check): its first
 * token is uncertain (1.3 nats) and its self-score 6 on the steps the base model rejects, confident (0.3
 * nats, 9) on the others.
 */
export function acceptanceScenario(rate: number, n = 24, tokens = 80): Scenario {
  const word = (i: number, who: string) => Array.from({ length: tokens - 1 }, (_, k) => `${who}${i}w${k}`).join(' ');
  const accepted = Math.round(rate * n);
  const scores = Array.from({ length: n }, (_, i) =>
    Math.floor(((i + 1) * accepted) / n) > Math.floor((i * accepted) / n) ? 9 : 2,
  );
  const make = (who: string) =>
    Array.from({ length: n }, (_, i) => (i === n - 1 ? `${word(i, who)} \\boxed{7}` : word(i, who)));
  const rejected = (i: number) => scores[i] !== 9;
  return {
    small: make('s'),
    base: make('b'),
    scores,
    selfScores: scores.map((_, i) => (rejected(i) ? 6 : 9)),
    entropies: scores.map((_, i) => (rejected(i) ? 1.3 : 0.3)),
  };
}
