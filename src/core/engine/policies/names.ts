// The step policies by name: SpecReason's own (the default) and the follow-up papers' ways of producing a
// step. A new policy is a name here, its description, its needs (index.ts) and its producer.

/** How each reasoning step is produced; `specreason` is the paper's and the default. */
export const STEP_POLICIES = [
  'specreason',
  'first-token',
  'self-check',
  'lookahead',
  'multi-draft',
  'adaptive-threshold',
] as const;
export type StepPolicyName = (typeof STEP_POLICIES)[number];

/** One line per policy, for the Settings editor, the CLI's help and the panel. */
export const STEP_POLICY_DESCRIPTIONS: Readonly<Record<StepPolicyName, string>> = {
  specreason:
    'SpecReason (the paper): the small model drafts each step, the base model scores it (0–9), a draft under the threshold is written again by the base model.',
  'first-token':
    "GlimpRouter: the small model gives one token of the step; when that token's entropy is at least the entropy threshold the base model writes the step, else the small model does. No judge call. Needs top-20 logprobs from the small server.",
  'self-check':
    'Self-check (ConfSpec-style): the small model scores its own draft with the judge prompt; a draft at or above the self-check threshold is kept without the base model, the rest go to the base model (its judge, or straight to a rewrite).',
  lookahead:
    'Lookahead: the small model drafts up to k steps ahead, the base model scores them in one batched request; the longest passing prefix is kept and the first failing step is written by the base model.',
  'multi-draft':
    'Several drafts: the small model drafts n versions of the step in one request, the base model scores them in one batched request; the best at or above the threshold is kept, else the base model writes the step.',
  'adaptive-threshold':
    'SpecReason with a moving threshold: after each scored draft, the threshold is the configured one plus the gain times how far the recent acceptance is above the target (below: it goes down).',
};

/** self-check: an unconfident draft goes to the base model's judge, or straight to the base model's rewrite. */
export const SELF_CHECK_FALLBACKS = ['judge', 'regenerate'] as const;
export type SelfCheckFallback = (typeof SELF_CHECK_FALLBACKS)[number];

export const SELF_CHECK_FALLBACK_DESCRIPTIONS: Readonly<Record<SelfCheckFallback, string>> = {
  judge: 'The base model scores the draft as in SpecReason; under the threshold it writes the step.',
  regenerate: 'The base model writes the step at once, without scoring the draft.',
};

/** first-token: GlimpRouter's probe asks for the top 20 alternatives of the first token (vLLM's default max_logprobs). */
export const FIRST_TOKEN_ALTERNATIVES = 20;
