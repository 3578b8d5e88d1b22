// Turning the base model's one-token reply into a score (reference process_logprobs).

/** How the base model's one-token reply becomes a score; a new method is an entry here and a case below. */
export const SCORE_METHODS = ['greedy', 'average'] as const;
export type ScoreMethod = (typeof SCORE_METHODS)[number];

/** Whether a method's scores are fractional: the panel then shows two decimals and the digit distribution. */
export const FRACTIONAL_SCORES: Readonly<Record<ScoreMethod, boolean>> = { greedy: false, average: true };

/** One line per method, for the Settings editor, quick picks and help. */
export const SCORE_METHOD_DESCRIPTIONS: Readonly<Record<ScoreMethod, string>> = {
  greedy: 'The digit the base model outputs (its most likely score token).',
  average: 'The probability-weighted average of the digits among the top 10 logprobs.',
};

export interface TokenLogprob {
  token: string;
  logprob: number;
}

/** Python's str.isdigit() as the reference uses it: non-empty, all ASCII digits. */
export function isDigitToken(token: string): boolean {
  return /^[0-9]+$/.test(token);
}

/**
 * greedy: the sampled token as an int if it is a digit string, else 0.
 * average: digit tokens of top_logprobs, weights exp(logprob) normalised, score = Σ digit × weight
 * (0 when no digit is among them; the reference would divide by zero there).
 */
export function scoreFromLogprobs(method: ScoreMethod, sampled: string, top: readonly TokenLogprob[]): number {
  switch (method) {
    case 'greedy':
      return isDigitToken(sampled) ? parseInt(sampled, 10) : 0;
    case 'average':
      return averageDigit(top);
    default: {
      const unknown: never = method;
      throw new Error(`unknown score method ${String(unknown)}`);
    }
  }
}

function averageDigit(top: readonly TokenLogprob[]): number {
  // Later duplicates win, as in the reference's dict comprehension.
  const byToken = new Map<string, number>();
  for (const t of top) {
    if (isDigitToken(t.token)) {
      byToken.set(t.token, t.logprob);
    }
  }
  let total = 0;
  let weighted = 0;
  for (const [token, logprob] of byToken) {
    const p = Math.exp(logprob);
    total += p;
    weighted += parseInt(token, 10) * p;
  }
  return total > 0 ? weighted / total : 0;
}

/** Probability of each digit 0–9 among the top logprobs (normalised), for the panel's distribution. */
export function digitDistribution(top: readonly TokenLogprob[]): number[] {
  const probs = new Array<number>(10).fill(0);
  let total = 0;
  for (const t of top) {
    if (/^[0-9]$/.test(t.token)) {
      const p = Math.exp(t.logprob);
      probs[Number(t.token)] = p;
      total += p;
    }
  }
  return total > 0 ? probs.map((p) => p / total) : probs;
}
