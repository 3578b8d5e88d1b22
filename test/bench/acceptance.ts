// The benchmarks' problem with a chosen acceptance rate (bench.ts, policyBench.ts).

import type { Scenario } from '../../src/sim/scenarios';

/**
 * A problem of `n` steps of about `tokens` tokens each where the base model accepts a fraction `rate` of
 * drafts, spread evenly (Bresenham), the same pattern for every mode and policy.
 */
export function acceptanceScenario(rate: number, n = 24, tokens = 80): Scenario {
  const word = (i: number, who: string) => Array.from({ length: tokens - 1 }, (_, k) => `${who}${i}w${k}`).join(' ');
  const accepted = Math.round(rate * n);
  const scores = Array.from({ length: n }, (_, i) =>
    Math.floor(((i + 1) * accepted) / n) > Math.floor((i * accepted) / n) ? 9 : 2,
  );
  const make = (who: string) =>
    Array.from({ length: n }, (_, i) => (i === n - 1 ? `${word(i, who)} \\boxed{7}` : word(i, who)));
  return { small: make('s'), base: make('b'), scores };
}
