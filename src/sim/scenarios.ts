// Scripted model pairs for the simulated servers: what each model writes at each step, and how the
// base model scores each draft.

import { demoSetProblemOf, demoSetScripts } from './evalDemo';
import { firstTokenWithEntropy } from './policyReplies';
import {
  SimulatedVllm,
  ZERO_LATENCY,
  type LatencyModel,
  type ScoreReply,
  type SimScript,
  type SimServerOptions,
} from './simulatedVllm';

export interface Scenario {
  /** The small model's draft of step i (the last entry repeats). */
  small: readonly string[];
  /** The base model's own step i (the last entry repeats). */
  base: readonly string[];
  /** The base model's score of the small model's draft at step i (default 9). */
  scores?: readonly ScoreReply[];
  /** The small model's score of its own draft at step i (self-check; default 9). */
  selfScores?: readonly ScoreReply[];
  /** The small model's n drafts of step i when asked for several (multi-draft; default: n copies of small[i]). */
  drafts?: ReadonlyArray<readonly string[]>;
  /** The base model's score of a draft by its text, before `scores` (multi-draft scores each draft). */
  draftScores?: Readonly<Record<string, ScoreReply>>;
  /** The entropy in nats of the small model's first token at step i (first-token routing; default confident). */
  entropies?: readonly number[];
}

const pick = <T>(list: readonly T[], i: number): T | undefined => list[Math.min(i, list.length - 1)];

export function smallScript(s: Scenario): SimScript {
  const entropies = s.entropies;
  return {
    step: (i) => pick(s.small, i) ?? '',
    score: (i) => s.selfScores?.[i] ?? 9,
    drafts: (i, n) => Array.from({ length: n }, (_, j) => s.drafts?.[i]?.[j] ?? pick(s.small, i) ?? ''),
    firstToken: entropies
      ? (i) => firstTokenWithEntropy(pick(s.small, i)?.match(/^\S+/)?.[0] ?? ' ', pick(entropies, i) ?? 0)
      : undefined,
  };
}

export function baseScript(s: Scenario): SimScript {
  return { step: (i) => pick(s.base, i) ?? '', score: (i, draft) => s.draftScores?.[draft] ?? s.scores?.[i] ?? 9 };
}

/** The sample problem the demo and the README use. */
export const DEMO_PROBLEM =
  'A rectangle has a perimeter of 30 cm and its length is twice its width. What is the area of the rectangle in square centimetres?';

/** Eight steps; the small model gets step 3 wrong, the base model rejects it and writes its own. */
export const DEMO_SCENARIO: Scenario = {
  small: [
    '[simulated small model] Let the width be $w$ cm. Then the length is $2w$ cm.',
    'The perimeter of a rectangle is $P = 2(\\text{length} + \\text{width})$, so $2(2w + w) = 30$.',
    'Simplifying, $6w = 30$, so $w = 5$ cm.',
    'The length is therefore $2w = 12$ cm.',
    'The area is length times width: $A = 10 \\times 5$.',
    'So $A = 50$ square centimetres.',
    'Check: the perimeter is $2(10 + 5) = 30$ cm, as required.',
    'The area of the rectangle is $\\boxed{50}$ square centimetres.',
  ],
  base: [
    '[simulated base model] Let the width be $w$ cm, so the length is $2w$ cm.',
    'Perimeter: $2(2w + w) = 6w = 30$.',
    'Hence $w = 5$ cm.',
    'The length is $2w = 2 \\cdot 5 = 10$ cm.',
    'Area $= 10 \\times 5 = 50$ cm$^2$.',
    'So the area is $50$.',
    'Check: $2(10 + 5) = 30$. Correct.',
    'Therefore the area is $\\boxed{50}$ square centimetres.',
  ],
  scores: [9, 8, 9, 2, 9, 8, 9, 9],
};

/**
 * Whether the simulated demo pair has a script for a problem (the sample problem or one of the demo set's): any
 * other problem gets the sample problem's steps.
 */
export function demoPairHasScript(problemText: string): boolean {
  const squash = (text: string) => text.replace(/\s+/g, ' ').trim().toLowerCase();
  return squash(problemText).includes(squash(DEMO_PROBLEM)) || demoSetProblemOf(problemText) !== undefined;
}

/**
 * The demo pair's scripts for one role: the demo set's problems follow their own scripts (so Evaluate on the demo
 * set shows accuracy rising with the threshold); everything else gets the sample problem's steps.
 */
export function demoPairScript(role: 'base' | 'small'): SimScript {
  const sample = role === 'base' ? baseScript(DEMO_SCENARIO) : smallScript(DEMO_SCENARIO);
  const set = demoSetScripts()[role].script;
  return {
    step: (index, context) => (demoSetProblemOf(context.user) ? set : sample).step(index, context),
    score: (index, draft, context) =>
      (demoSetProblemOf(context.user) ? set : sample).score?.(index, draft, context) ?? 9,
    firstToken: (index, context) => (demoSetProblemOf(context.user) ? set : sample).firstToken?.(index, context),
    drafts: (index, n, context) => (demoSetProblemOf(context.user) ? set : sample).drafts?.(index, n, context) ?? [],
  };
}

/** Server options of the demo's simulated pair (`simulated-vllm.js serve`, `specreason simulate` and `demo`). */
export function demoPairOptions(): { base: Pick<SimServerOptions, 'script'>; small: Pick<SimServerOptions, 'script'> } {
  return { base: { script: demoPairScript('base') }, small: { script: demoPairScript('small') } };
}

/**
 * A latency model in the spirit of a 32B base and 1.5B small model on one GPU each, scaled down. Decoding is
 * memory-bound: the 1.5B model reads about a twentieth of the 32B model's weights per token, so it decodes
 * about ten times faster (4 vs 40 ms per token; per-step costs keep it from twenty).
 */
export function realisticLatency(scale = 0.1): { base: LatencyModel; small: LatencyModel } {
  return {
    base: {
      prefillMsPerToken: 0.5 * scale,
      decodeMsPerToken: 40 * scale,
      overlapSlowdown: 0.15,
      overheadMs: 5 * scale,
    },
    small: {
      prefillMsPerToken: 0.1 * scale,
      decodeMsPerToken: 4 * scale,
      overlapSlowdown: 0.15,
      overheadMs: 5 * scale,
    },
  };
}

/** The simulated pair's latency models by name: `zero`, `scaled` (0.1× realistic, for tests) or `realistic`. */
export const LATENCY_PROFILES = ['zero', 'scaled', 'realistic'] as const;
export type LatencyProfile = (typeof LATENCY_PROFILES)[number];

/**
 * The demo's latency (`specreason simulate`, `simulated-vllm.js serve`, `scripts/demo.sh`): realistic, so the
 * reasoning visibly streams and SpecReason beats base-only decoding in a Compare. At 0.1× the client's own
 * per-request cost (about a millisecond) weighs as much as the simulated model time and hides the speedup.
 */
export const DEMO_LATENCY: LatencyProfile = 'realistic';

export function latencyProfile(name: LatencyProfile): { base: LatencyModel; small: LatencyModel } {
  return name === 'zero'
    ? { base: ZERO_LATENCY, small: ZERO_LATENCY }
    : realisticLatency(name === 'realistic' ? 1 : 0.1);
}

export interface SimPair {
  base: SimulatedVllm;
  small: SimulatedVllm;
  stop(): Promise<void>;
}

/** Start a simulated base (QwQ-32B) and small (R1-Distill-1.5B) server on ephemeral or given ports. */
export async function startSimPair(
  scenario: Scenario,
  options: {
    latency?: { base?: LatencyModel; small?: LatencyModel };
    ports?: { base?: number; small?: number };
    base?: Partial<SimServerOptions>;
    small?: Partial<SimServerOptions>;
  } = {},
): Promise<SimPair> {
  const base = new SimulatedVllm({
    model: 'Qwen/QwQ-32B',
    script: baseScript(scenario),
    latency: options.latency?.base,
    maxModelLen: 32768,
    ...options.base,
  });
  const small = new SimulatedVllm({
    model: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B',
    script: smallScript(scenario),
    latency: options.latency?.small,
    maxModelLen: 32768,
    ...options.small,
  });
  await base.start(options.ports?.base ?? 0);
  try {
    await small.start(options.ports?.small ?? 0);
  } catch (error) {
    await base.stop();
    throw error;
  }
  return {
    base,
    small,
    stop: async () => {
      await Promise.all([base.stop(), small.stop()]);
    },
  };
}
