// The step policies: which producer makes a run's steps (policyFor), what each needs from the servers
// (policyNeeds) and why a pair of servers cannot serve one (policyProblem), said before a run starts.

import type { SpecReasonConfig } from '../../config';
import { KIND_CAPABILITIES, MISSING_CAPABILITY, type ServerCapabilities } from '../../llm/capabilities';
import { SERVER_KIND_NAMES, type ModelRole, type ServerKind } from '../../llm/server';
import { RUN_DEFAULTS } from '../../settingsTable';
import { DraftedStep } from '../draftedStep';
import { adaptiveSteps } from './adaptiveThreshold';
import { FirstTokenStep } from './firstToken';
import { LookaheadStep } from './lookahead';
import { MultiDraftStep } from './multiDraft';
import { SelfCheckStep } from './selfCheck';
import type { StepPolicy } from '../step';
import { STEP_POLICIES, type SelfCheckFallback, type StepPolicyName } from './names';

export { STEP_POLICIES, type StepPolicyName };

/** A policy's parameters with the table's defaults filled in (a config may leave them out). */
export interface PolicyParams {
  policy: StepPolicyName;
  entropyThreshold: number;
  selfCheckThreshold: number;
  selfCheckFallback: SelfCheckFallback;
  lookaheadSteps: number;
  draftCount: number;
  adaptiveWindow: number;
  adaptiveTarget: number;
  adaptiveGain: number;
}

export function policyParams(config: SpecReasonConfig): PolicyParams {
  return {
    policy: config.stepPolicy ?? RUN_DEFAULTS.stepPolicy,
    entropyThreshold: config.entropyThreshold ?? RUN_DEFAULTS.entropyThreshold,
    selfCheckThreshold: config.selfCheckThreshold ?? RUN_DEFAULTS.selfCheckThreshold,
    selfCheckFallback: config.selfCheckFallback ?? RUN_DEFAULTS.selfCheckFallback,
    lookaheadSteps: config.lookaheadSteps ?? RUN_DEFAULTS.lookaheadSteps,
    draftCount: config.draftCount ?? RUN_DEFAULTS.draftCount,
    adaptiveWindow: config.adaptiveWindow ?? RUN_DEFAULTS.adaptiveWindow,
    adaptiveTarget: config.adaptiveTarget ?? RUN_DEFAULTS.adaptiveTarget,
    adaptiveGain: config.adaptiveGain ?? RUN_DEFAULTS.adaptiveGain,
  };
}

/** What a policy needs from each server beyond SpecReason's generations and scores. */
export type PolicyNeeds = Partial<Record<ModelRole, Array<keyof ServerCapabilities>>>;

const NEEDS: Readonly<Record<StepPolicyName, PolicyNeeds>> = {
  specreason: {},
  'first-token': { small: ['firstTokenLogprobs'] },
  // The small model scores with the judge prompt: the score request every kind already serves.
  'self-check': {},
  lookahead: { base: ['promptLists'] },
  // The drafts' scores go in one prompt list when the base server serves them, else one request each (every kind).
  'multi-draft': { small: ['nChoices'] },
  'adaptive-threshold': {},
};

export function policyNeeds(name: StepPolicyName): PolicyNeeds {
  return NEEDS[name];
}

/** Which server cannot serve a policy, and why (one sentence naming it and what it lacks). */
export interface PolicyBlocker {
  role: ModelRole;
  message: string;
}

/**
 * Why servers of these kinds cannot serve the policy; undefined when they can (or a kind is not known yet:
 * the run checks again once the servers answered).
 */
export function policyBlocker(
  name: StepPolicyName,
  kinds: Partial<Record<ModelRole, ServerKind | 'auto' | undefined>>,
): PolicyBlocker | undefined {
  const needs = NEEDS[name];
  for (const role of ['small', 'base'] as const) {
    const kind = kinds[role];
    if (!kind || kind === 'auto') {
      continue;
    }
    const missing = (needs[role] ?? []).filter((need) => !KIND_CAPABILITIES[kind][need]);
    if (missing.length > 0) {
      const able = (Object.keys(KIND_CAPABILITIES) as ServerKind[])
        .filter((k) => (needs[role] ?? []).every((need) => KIND_CAPABILITIES[k][need]))
        .map((k) => SERVER_KIND_NAMES[k]);
      return {
        role,
        message: `The ${name} policy needs ${missing.map((m) => MISSING_CAPABILITY[m]).join(' and ')} from the ${role} server, which ${SERVER_KIND_NAMES[kind]} does not serve here${able.length > 0 ? ` (use ${able.join(' or ')} for the ${role} model, or another policy)` : ''}.`,
      };
    }
  }
  return undefined;
}

/** policyBlocker's sentence alone. */
export function policyProblem(
  name: StepPolicyName,
  kinds: Partial<Record<ModelRole, ServerKind | 'auto' | undefined>>,
): string | undefined {
  return policyBlocker(name, kinds)?.message;
}

/** The policy a config asks for, refusing one the run's servers cannot serve. */
export function policyFor(config: SpecReasonConfig): StepPolicy {
  const params = policyParams(config);
  const name = params.policy;
  switch (name) {
    case 'specreason':
      return (run) => new DraftedStep(run);
    case 'adaptive-threshold':
      return (run) => adaptiveSteps(run, params);
    case 'first-token':
      return (run) => new FirstTokenStep(run, params.entropyThreshold);
    case 'self-check':
      return (run) => new SelfCheckStep(run, params);
    case 'multi-draft':
      return (run) => new MultiDraftStep(run, params.draftCount);
    case 'lookahead':
      return (run) => new LookaheadStep(run, params.lookaheadSteps);
    default: {
      const unknown: never = name;
      throw new Error(`unknown step policy ${String(unknown)}`);
    }
  }
}
