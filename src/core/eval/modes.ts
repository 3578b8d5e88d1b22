// What an evaluation or a comparison runs: its modes are the step policies (SpecReason's own first) and the
// single-model baselines. A policy mode runs the SpecReason loop with `config.stepPolicy` set; each policy's
// own parameter is swept like SpecReason's threshold. One naming for every front end: the CLI's directory
// names, results.json's configurations and the Evaluate panel's columns all come from `configurationName`.

import { STEP_POLICIES, type RunMode, type ScoreMethod, type SpecReasonConfig, type StepPolicyName } from '../config';
import { POLICY_LABEL } from '../presentation/format';
import { RUN_SETTINGS } from '../settingsTable';

/** A mode of an evaluation or a comparison: a step policy or a single-model baseline. */
export type EvalMode = StepPolicyName | 'base' | 'small';
export const EVAL_MODES: readonly EvalMode[] = [...STEP_POLICIES, 'base', 'small'];

export const isEvalMode = (v: unknown): v is EvalMode => EVAL_MODES.includes(v as EvalMode);

/** A policy's own numeric parameter that an evaluation sweeps (a field of the run config). */
export type PolicyParam = 'entropyThreshold' | 'selfCheckThreshold' | 'lookaheadSteps' | 'draftCount';
export type PolicyParams = Partial<Record<PolicyParam, number>>;

/** The lists an evaluation sweeps besides the thresholds and score methods (absent: the config's value). */
export interface PolicySweeps {
  entropyThresholds?: number[];
  selfCheckThresholds?: number[];
  lookaheadSteps?: number[];
  draftCounts?: number[];
}
export type SweepKey = keyof PolicySweeps;

export interface PolicySweep {
  param: PolicyParam;
  sweep: SweepKey;
  /** The CLI flag of the list, e.g. `--entropy-thresholds`. */
  flag: string;
  /** In directory names: `first-token-h0.9`. */
  short: string;
  /** In labels and on the chart: `H≥0.9`. */
  label: (value: number) => string;
}

/** The swept parameter of each policy that has one (ranges as the settings table's). */
export const POLICY_SWEEPS: Readonly<Partial<Record<StepPolicyName, PolicySweep>>> = {
  'first-token': {
    param: 'entropyThreshold',
    sweep: 'entropyThresholds',
    flag: '--entropy-thresholds',
    short: 'h',
    label: (v) => `H≥${v}`,
  },
  'self-check': {
    param: 'selfCheckThreshold',
    sweep: 'selfCheckThresholds',
    flag: '--self-check-thresholds',
    short: 's',
    label: (v) => `self≥${v}`,
  },
  lookahead: {
    param: 'lookaheadSteps',
    sweep: 'lookaheadSteps',
    flag: '--lookahead-steps',
    short: 'k',
    label: (v) => `k=${v}`,
  },
  'multi-draft': {
    param: 'draftCount',
    sweep: 'draftCounts',
    flag: '--draft-counts',
    short: 'n',
    label: (v) => `n=${v}`,
  },
};

/** A sweep value's problem (the parameter's range and kind, from the settings table), or undefined. */
export function sweepValueProblem(sweep: PolicySweep, value: number): string | undefined {
  const { min, max, integer } = RUN_SETTINGS[sweep.param];
  return Number.isFinite(value) && value >= min && value <= max && (!integer || Number.isInteger(value))
    ? undefined
    : `${sweep.flag}: ${value} is not a ${integer ? 'whole number' : 'number'} from ${min} to ${max}`;
}

/** Policies whose decisions never use the base model's score (no threshold, no score method to sweep). */
const UNJUDGED: readonly StepPolicyName[] = ['first-token'];
export const usesBaseScore = (policy: StepPolicyName): boolean => !UNJUDGED.includes(policy);

/** The run mode a mode runs in: every policy runs the SpecReason loop. */
export const runModeOf = (mode: EvalMode): RunMode => (mode === 'base' || mode === 'small' ? mode : 'specreason');

/** What identifies a configuration (a run row carries the same fields). */
export interface ConfigurationId {
  mode: RunMode;
  /** The step policy of a SpecReason-loop run; absent: SpecReason's own (results written before policies). */
  policy?: StepPolicyName;
  threshold?: number | null;
  scoreMethod?: ScoreMethod | null;
  params?: PolicyParams;
}

const policyOf = (c: ConfigurationId): StepPolicyName | undefined =>
  c.mode === 'specreason' ? (c.policy ?? 'specreason') : undefined;

/** `specreason-t7-greedy`, `first-token-h0.9`, `lookahead-k3-t7-greedy`, `base`. */
export function configurationName(c: ConfigurationId): string {
  const policy = policyOf(c);
  if (!policy) {
    return c.mode;
  }
  const sweep = POLICY_SWEEPS[policy];
  const parts: string[] = [policy];
  if (sweep && c.params?.[sweep.param] !== undefined) {
    parts.push(`${sweep.short}${c.params[sweep.param]}`);
  }
  if (usesBaseScore(policy)) {
    parts.push(`t${c.threshold ?? '?'}`, c.scoreMethod ?? 'greedy');
  }
  return parts.join('-');
}

/** `SpecReason t=7 greedy`, `first-token H≥0.9`, `lookahead k=3 t=7`, `Base only`. */
export function configurationLabel(c: ConfigurationId, withMethod = true): string {
  const policy = policyOf(c);
  if (!policy) {
    return c.mode === 'base' ? 'Base only' : 'Small only';
  }
  const sweep = POLICY_SWEEPS[policy];
  const parts: string[] = [POLICY_LABEL[policy]];
  if (sweep && c.params?.[sweep.param] !== undefined) {
    parts.push(sweep.label(c.params[sweep.param]!));
  }
  if (usesBaseScore(policy)) {
    parts.push(
      `t=${c.threshold ?? '?'}${withMethod && policy === 'specreason' && c.scoreMethod ? ` ${c.scoreMethod}` : ''}`,
    );
  }
  return parts.join(' ');
}

export interface Configuration {
  /** Directory name, e.g. `specreason-t7-greedy`, `first-token-h0.9`, `base`. */
  name: string;
  /** The plain label, e.g. `first-token H≥0.9`. */
  label: string;
  mode: RunMode;
  /** Runs of the SpecReason loop: the step policy that decides its steps. */
  policy?: StepPolicyName;
  /** Policies that keep drafts on the base model's score. */
  threshold: number | null;
  scoreMethod: ScoreMethod | null;
  /** The policy's own swept parameter. */
  params?: PolicyParams;
}

function configuration(id: Omit<Configuration, 'name' | 'label'>): Configuration {
  return { name: configurationName(id), label: configurationLabel(id), ...id };
}

/**
 * Every configuration of the modes: SpecReason's thresholds × score methods; a policy's own parameter values
 * (its sweep, else the config's value) × thresholds × score methods when it keeps drafts on the base model's
 * score; one configuration per baseline.
 */
export function configurationsOf(
  modes: readonly (EvalMode | RunMode)[],
  thresholds: readonly number[],
  scoreMethods: readonly ScoreMethod[],
  sweeps: PolicySweeps = {},
  config: Pick<SpecReasonConfig, PolicyParam> = {},
): Configuration[] {
  const out: Configuration[] = [];
  for (const mode of modes) {
    if (mode === 'base' || mode === 'small') {
      out.push(configuration({ mode, threshold: null, scoreMethod: null }));
      continue;
    }
    const sweep = POLICY_SWEEPS[mode];
    const values: Array<number | undefined> = sweep
      ? (sweeps[sweep.sweep] ?? [config[sweep.param] ?? RUN_SETTINGS[sweep.param].default])
      : [undefined];
    for (const value of values) {
      const params = sweep && value !== undefined ? { [sweep.param]: value } : undefined;
      const policy = { mode: 'specreason' as const, policy: mode, ...(params ? { params } : {}) };
      if (!usesBaseScore(mode)) {
        out.push(configuration({ ...policy, threshold: null, scoreMethod: null }));
        continue;
      }
      for (const threshold of thresholds) {
        for (const scoreMethod of scoreMethods) {
          out.push(configuration({ ...policy, threshold, scoreMethod }));
        }
      }
    }
  }
  return out;
}

/** The run config of one configuration: its policy (the default's field stays absent), parameter, threshold. */
export function configFor(configuration: Configuration, config: SpecReasonConfig): SpecReasonConfig {
  const out: SpecReasonConfig = {
    ...config,
    threshold: configuration.threshold ?? config.threshold,
    scoreMethod: configuration.scoreMethod ?? config.scoreMethod,
    ...configuration.params,
  };
  if (configuration.policy && configuration.policy !== 'specreason') {
    out.stepPolicy = configuration.policy;
  } else {
    delete out.stepPolicy; // SpecReason's own: exactly the reference's requests
  }
  return out;
}
