// Run configuration: one plain object shared by the engine, the CLI and the extension.
// Defaults are the paper's reference spec_reason.py; anything else is an opt-in option.

import { routerProblem, type RouterPreset } from './llm/routers';
import type { ServerKindSetting } from './llm/server';
import type { PromptStyle } from './engine/prompts';
import type { ScoreMethod } from './engine/scoring';
import type { SelfCheckFallback, StepPolicyName } from './engine/policies/names';
import { serverUrlProblem } from './llm/serverUrl';
import { RUN_DEFAULTS, RUN_SETTING_KEYS, RUN_SETTINGS, settingProblem } from './settingsTable';

export type { PromptStyle, ScoreMethod };
export {
  SELF_CHECK_FALLBACKS,
  STEP_POLICIES,
  STEP_POLICY_DESCRIPTIONS,
  type SelfCheckFallback,
  type StepPolicyName,
} from './engine/policies/names';

/** SpecReason, or one model decoding alone (the comparison baselines). */
export const RUN_MODES = ['specreason', 'base', 'small'] as const;
export type RunMode = (typeof RUN_MODES)[number];
export type ModelRole = 'base' | 'small';

export interface ServerConfig {
  /** OpenAI-compatible base URL including `/v1`, e.g. http://localhost:30000/v1 */
  url: string;
  /** Served model name; empty = first id from GET /v1/models. */
  model: string;
  /** Bearer key for servers started with --api-key; empty = placeholder "EMPTY". Never logged. */
  apiKey: string;
  /** Which engine serves it (vLLM, SGLang, llama-server, Ollama, OpenAI-compatible); absent = auto-detect. */
  kind?: ServerKindSetting;
}

export interface SpecReasonConfig {
  base: ServerConfig;
  small: ServerConfig;
  /** Keep a draft when its score is >= threshold (reference --score_threshold). */
  threshold: number;
  scoreMethod: ScoreMethod;
  /** Stop once kept steps used this many completion tokens (reference --token_budget). */
  tokenBudget: number;
  /** Steps with index < N are written by the base model directly (reference --first_n_steps_base_model). */
  firstNBaseSteps: number;
  /** Per-step max_tokens. */
  stepMaxTokens: number;
  temperature: number;
  topP: number;
  promptStyle: PromptStyle;
  /** Stream generations (SSE) so the UI can show text as it arrives; false = one JSON response per step. */
  stream: boolean;
  /** Seconds: whole request when not streaming; longest silence between chunks when streaming. */
  requestTimeoutSec: number;
  /** Retries of connection errors, 408/429 and 5xx (the SDK default of 2 turns "server down" into a long wait). */
  maxRetries: number;
  /** A router in front of replicas (routers.ts): the run id goes in its session header. */
  router: RouterPreset;
  /** The session header's name: a custom router's, or another name for a preset's. Empty: the preset's. */
  sessionHeader: string;
  /** Beyond the paper (same decisions, less latency): draft step k+1 while step k is being scored. */
  draftAhead: boolean;
  /** Beyond the paper (same decisions, less latency): start the base model's step together with the draft; abort it on accept. */
  eagerFallback: boolean;
  /** Run guards: stop after this many steps, this many seconds (0: no limit), or a step longer than this. */
  maxSteps: number;
  maxWallTimeSec: number;
  maxStepChars: number;
  // Step policies (src/core/engine/policies/). Optional: a config or a stored record without them is SpecReason
  // with the table's defaults, so records written before policies existed read unchanged.
  /** How each step is produced; absent: `specreason`, the paper's. */
  stepPolicy?: StepPolicyName;
  /** first-token: the base model writes a step when the small model's first-token entropy (nats) is >= this. */
  entropyThreshold?: number;
  /** self-check: keep a draft without the base model when the small model scores it >= this (0–9). */
  selfCheckThreshold?: number;
  /** self-check: what happens to a draft the small model is not confident about. */
  selfCheckFallback?: SelfCheckFallback;
  /** lookahead: how many steps the small model drafts ahead (k). */
  lookaheadSteps?: number;
  /** multi-draft: how many drafts of each step (n). */
  draftCount?: number;
  /** adaptive-threshold: how many recent scored drafts the acceptance is measured over. */
  adaptiveWindow?: number;
  /** adaptive-threshold: the acceptance rate (0–1) at which the threshold stays where it was configured. */
  adaptiveTarget?: number;
  /** adaptive-threshold: threshold points added per unit of acceptance above the target (removed below it). */
  adaptiveGain?: number;
}

/** The run settings a config may leave out (the step policies'): absent means the table's default. */
export const OPTIONAL_RUN_SETTINGS = [
  'stepPolicy',
  'entropyThreshold',
  'selfCheckThreshold',
  'selfCheckFallback',
  'lookaheadSteps',
  'draftCount',
  'adaptiveWindow',
  'adaptiveTarget',
  'adaptiveGain',
] as const satisfies ReadonlyArray<keyof SpecReasonConfig>;

/** Where a server's secret goes instead of its URL. */
export const API_KEY_ADVICE = 'give its key as the API key (CLI: SPECREASON_API_KEY; VS Code: SpecReason: Set API Key)';

export const DEFAULT_BASE_URL = 'http://localhost:30000/v1';
export const DEFAULT_SMALL_URL = 'http://localhost:30001/v1';

export const DEFAULT_CONFIG: SpecReasonConfig = Object.freeze({
  base: Object.freeze({ url: DEFAULT_BASE_URL, model: '', apiKey: '' }),
  small: Object.freeze({ url: DEFAULT_SMALL_URL, model: '', apiKey: '' }),
  ...RUN_DEFAULTS,
});

export interface ConfigProblem {
  /** Dotted key of the offending field, e.g. "threshold" or "small.url". */
  key: string;
  message: string;
}

/** Merge a partial config over the defaults (server objects merged field by field). */
export function makeConfig(
  partial: Partial<Omit<SpecReasonConfig, 'base' | 'small'>> & {
    base?: Partial<ServerConfig>;
    small?: Partial<ServerConfig>;
  } = {},
): SpecReasonConfig {
  return {
    ...DEFAULT_CONFIG,
    ...partial,
    base: { ...DEFAULT_CONFIG.base, ...partial.base },
    small: { ...DEFAULT_CONFIG.small, ...partial.small },
  };
}

function checkUrl(problems: ConfigProblem[], key: string, value: string): void {
  const message = serverUrlProblem(key, value, { howToSetKey: API_KEY_ADVICE });
  if (message) {
    problems.push({ key, message });
  }
}

/** Every problem in a config, each naming its field; empty when the config is usable. */
export function validateConfig(config: SpecReasonConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  checkUrl(problems, 'base.url', config.base.url);
  checkUrl(problems, 'small.url', config.small.url);
  for (const key of RUN_SETTING_KEYS) {
    if (config[key] === undefined && (OPTIONAL_RUN_SETTINGS as readonly string[]).includes(key)) {
      continue;
    }
    const message = settingProblem(key, RUN_SETTINGS[key], config[key]);
    if (message) {
      problems.push({ key, message });
    }
  }
  const router = problems.some((p) => p.key === 'router' || p.key === 'sessionHeader')
    ? undefined
    : routerProblem(config.router, config.sessionHeader);
  if (router) {
    problems.push({ key: 'sessionHeader', message: router });
  }
  return problems;
}

/** The config with API keys removed, safe to log, export and persist. */
export function redactConfig(config: SpecReasonConfig): SpecReasonConfig {
  const mask = (s: ServerConfig): ServerConfig => ({ ...s, apiKey: s.apiKey ? '<redacted>' : '' });
  return { ...config, base: mask(config.base), small: mask(config.small) };
}
