// Every setting once: default, range or choices, VS Code setting id, its order and description in the
// Settings editor, whether only user settings may set it, CLI flag, and whether the panel tunes it. Config
// validation, the VS Code reader, the CLI's flags, the panel's inputs, the tuning quick pick and package.json's
// settings (`npm run gen:manifest`, src/core/settingsManifest.ts) are all derived from here. Pure data and
// functions: the engine, the CLI, the host and the webview import it.

import type { SpecReasonConfig } from './config';
import { DEFAULT_SERVE_COMMAND, PAPER_MODELS } from './launch/serve';
import { ROUTER_DESCRIPTIONS, ROUTER_PRESETS } from './llm/routers';
import { PROMPT_STYLE_DESCRIPTIONS, PROMPT_STYLES } from './engine/prompts';
import { SCORE_METHOD_DESCRIPTIONS, SCORE_METHODS } from './engine/scoring';
import {
  SELF_CHECK_FALLBACK_DESCRIPTIONS,
  SELF_CHECK_FALLBACKS,
  STEP_POLICIES,
  STEP_POLICY_DESCRIPTIONS,
} from './engine/policies/names';
import { SERVER_KIND_SETTINGS, type ServerKindSetting } from './llm/server';

/** How Compare with Base Model runs SpecReason and the baselines. */
export const COMPARE_ORDERS = ['sequential', 'concurrent'] as const;
export type CompareOrder = (typeof COMPARE_ORDERS)[number];

/**
 * The modes a Compare may run: every step policy (the SpecReason loop with that policy) and the two baselines.
 * `specreason` here is SpecReason's own policy.
 */
export const COMPARE_MODES = [...STEP_POLICIES, 'base', 'small'] as const;
export type CompareMode = (typeof COMPARE_MODES)[number];

/** Where the panel's tuning strip and the quick pick write their changes. */
export const SAVE_TARGETS = ['user', 'workspace'] as const;
export type SaveTarget = (typeof SAVE_TARGETS)[number];

interface Common {
  /** Setting id under `specreason.` in VS Code. */
  setting: string;
  /** Its place in the Settings editor (the manifest's `order`). */
  order: number;
  /** What the Settings editor says about it (Markdown; `#specreason.x#` links another setting). */
  description: string;
  /**
   * Read from user and Remote settings only, never from a workspace's, and restricted in untrusted
   * workspaces (the manifest's `restrictedConfigurations`): `server` for where requests and the API key
   * go, `launch` for what Start Servers runs.
   */
  userOnly?: 'server' | 'launch';
  /** VS Code's scope, when not the default `window`. */
  scope?: 'application' | 'machine' | 'machine-overridable' | 'resource' | 'language-overridable';
  /** CLI option: flags with the argument placeholder, help text (range and default are appended). */
  cli?: {
    flags: string;
    help: string;
    /** The reference spec_reason.py's spelling of the same option, accepted but not shown in help. */
    reference?: string;
  };
}

/** Shown in the panel's tuning strip and in the tuning quick pick. */
export interface Tune {
  label: string;
  hint: string;
  /** DOM id of the panel's control. */
  id: string;
  /** Input step for numbers (default: 1 for whole numbers, any otherwise). */
  step?: number;
}

export interface NumberSetting extends Common {
  kind: 'number';
  default: number;
  min: number;
  max: number;
  integer: boolean;
  tune?: Tune;
}

export interface ChoiceSetting<T extends string = string> extends Common {
  kind: 'choice';
  default: T;
  choices: readonly T[];
  descriptions?: Readonly<Record<T, string>>;
  tune?: Tune;
}

export interface BooleanSetting extends Common {
  kind: 'boolean';
  default: boolean;
}

export interface TextSetting extends Common {
  kind: 'text';
  default: string;
}

/** An object of string values (environment variables). */
export interface MapSetting extends Common {
  kind: 'map';
  default: Readonly<Record<string, string>>;
}

/** A list of distinct choices: empty (the default behaviour) or at least `minItems` long. */
export interface ListSetting<T extends string = string> extends Common {
  kind: 'list';
  default: readonly T[];
  choices: readonly T[];
  descriptions?: Readonly<Record<T, string>>;
  minItems: number;
}

export type Setting = NumberSetting | ChoiceSetting | BooleanSetting | TextSetting | MapSetting | ListSetting;

/** The kind of setting a value type needs: a string union gets choices, a plain string free text. */
export type SettingFor<V> = [V] extends [readonly (infer E extends string)[]]
  ? ListSetting<E>
  : [V] extends [boolean]
    ? BooleanSetting
    : [V] extends [number]
      ? NumberSetting
      : [V] extends [string]
        ? string extends V
          ? TextSetting
          : ChoiceSetting<V>
        : never;

/** Fields of the run config that are plain settings (the two servers are assembled by each front end). */
export type RunSettingKey = Exclude<keyof SpecReasonConfig, 'base' | 'small'>;
export type RunSettings = Pick<SpecReasonConfig, RunSettingKey>;

/** Largest token count any setting accepts: the longest contexts served today are about a million tokens. */
const MAX_TOKENS = 1_000_000;

export const RUN_SETTINGS = {
  threshold: {
    setting: 'threshold',
    order: 12,
    description:
      'Keep a draft step when the base model scores it **at least** this (0–9, decimals allowed). Higher: more steps rewritten by the base model, slower and closer to it. The paper uses 7.',
    kind: 'number',
    default: 7,
    min: 0,
    max: 9,
    integer: false,
    cli: {
      flags: '--threshold <n>',
      help: 'keep a draft whose score is ≥ n',
      reference: '--score_threshold <n>',
    },
    tune: {
      label: 'Threshold',
      hint: 'Keep a draft when its score is at least this (0–9)',
      id: 'tuning-threshold',
      step: 0.1,
    },
  },
  scoreMethod: {
    setting: 'scoreMethod',
    order: 13,
    description: "How the base model's one-token reply becomes a score.",
    kind: 'choice',
    default: 'greedy',
    choices: SCORE_METHODS,
    descriptions: SCORE_METHOD_DESCRIPTIONS,
    cli: {
      flags: '--score-method <method>',
      help: 'greedy token or logprob-weighted average',
      reference: '--score_method <method>',
    },
    tune: {
      label: 'Score method',
      hint: 'greedy: the sampled digit; average: probability-weighted digits',
      id: 'tuning-score-method',
    },
  },
  tokenBudget: {
    setting: 'tokenBudget',
    order: 14,
    description:
      'Stop after the kept steps used this many output tokens (stop reason `budget`). Base-only comparison runs get the same budget.',
    kind: 'number',
    default: 8192,
    min: 1,
    max: MAX_TOKENS,
    integer: true,
    cli: {
      flags: '--token-budget <n>',
      help: 'stop after kept steps used n tokens',
      reference: '--token_budget <n>',
    },
    tune: {
      label: 'Token budget',
      hint: 'Stop once kept steps used this many tokens',
      id: 'tuning-token-budget',
    },
  },
  firstNBaseSteps: {
    setting: 'firstNBaseSteps',
    order: 15,
    description: 'The base model writes the first N steps itself, with no draft and no score.',
    kind: 'number',
    default: 0,
    min: 0,
    // Every step has at least one token, so this covers every step of the largest budget.
    max: MAX_TOKENS,
    integer: true,
    cli: {
      flags: '--first-n-base <n>',
      help: 'the base model writes the first n steps',
      reference: '--first_n_steps_base_model <n>',
    },
    tune: {
      label: 'First N base steps',
      hint: 'The base model writes the first N steps itself',
      id: 'tuning-first-n',
    },
  },
  stepMaxTokens: {
    setting: 'stepMaxTokens',
    order: 16,
    description: '`max_tokens` of each step request.',
    kind: 'number',
    default: 512,
    min: 1,
    max: MAX_TOKENS,
    integer: true,
    cli: { flags: '--step-max-tokens <n>', help: 'max_tokens per step' },
  },
  temperature: {
    setting: 'temperature',
    order: 17,
    description: 'Sampling temperature of step generations (the score is always greedy, temperature 0).',
    kind: 'number',
    default: 0.6,
    min: 0,
    max: 2,
    integer: false,
    cli: { flags: '--temperature <t>', help: 'sampling temperature' },
  },
  topP: {
    setting: 'topP',
    order: 18,
    description: 'Nucleus sampling `top_p` of step generations.',
    kind: 'number',
    default: 0.95,
    // vLLM needs top_p > 0; below 1 % nucleus sampling is greedy decoding in practice (use temperature 0).
    min: 0.01,
    max: 1,
    integer: false,
    cli: { flags: '--top-p <p>', help: 'nucleus sampling' },
  },
  promptStyle: {
    setting: 'promptStyle',
    order: 19,
    description: "Which of the paper's prompts to use.",
    kind: 'choice',
    default: 'auto',
    choices: PROMPT_STYLES,
    descriptions: PROMPT_STYLE_DESCRIPTIONS,
    cli: {
      flags: '--prompt-style <style>',
      help: 'prompt template (auto: multiple choice when (A)–(D) are found)',
    },
  },
  stream: {
    setting: 'stream',
    order: 20,
    description: 'Stream replies so text appears as it is generated. Off: one reply per request.',
    kind: 'boolean',
    default: true,
    cli: {
      flags: '--no-stream',
      help: 'one JSON reply per request instead of SSE streaming',
    },
  },
  requestTimeoutSec: {
    setting: 'server.requestTimeout',
    order: 8,
    description:
      'Seconds to wait for a reply before giving up. For streamed replies: the longest silence between two chunks.',
    kind: 'number',
    default: 120,
    // Sub-second values serve tests against a local server; a day covers a long step that is not streamed.
    min: 0.1,
    max: 86_400,
    integer: false,
    cli: {
      flags: '--timeout <sec>',
      help: 'request timeout in seconds (streaming: longest silence)',
    },
  },
  maxRetries: {
    setting: 'server.maxRetries',
    order: 9,
    description: 'Retries of connection failures and HTTP 5xx/429 replies.',
    kind: 'number',
    default: 1,
    min: 0,
    max: 10,
    integer: true,
    cli: {
      flags: '--retries <n>',
      help: 'retries of connection errors and 5xx',
    },
  },
  router: {
    setting: 'server.router',
    order: 10,
    description:
      "A router in front of several replicas of each model: every request of a run carries the run's id in the router's session header, so the run keeps its replica (and its prefix cache).",
    kind: 'choice',
    default: 'none',
    choices: ROUTER_PRESETS,
    descriptions: ROUTER_DESCRIPTIONS,
    cli: {
      flags: '--router <preset>',
      help: "a router in front of replicas: each run's id goes in its session header, so a run keeps its replica",
    },
  },
  sessionHeader: {
    setting: 'server.sessionHeader',
    order: 11,
    description:
      "The header that carries the run id: a `custom` router's, or another name for a preset's (e.g. the `--session-key` your vLLM production-stack router was started with).",
    kind: 'text',
    default: '',
    cli: {
      flags: '--session-header <name>',
      help: "the header carrying the run id (router custom; overrides a preset's header, e.g. production-stack's --session-key)",
    },
  },
  draftAhead: {
    setting: 'speculation.draftAhead',
    order: 24,
    description:
      "Draft step k+1 on the small model while the base model scores step k. Same decisions as the paper's algorithm; hides latency. Wasted drafts are discarded when a step is rejected.",
    kind: 'boolean',
    default: false,
    cli: {
      flags: '--draft-ahead',
      help: 'draft step k+1 while step k is scored (same decisions, less waiting)',
    },
  },
  eagerFallback: {
    setting: 'speculation.eagerFallback',
    order: 25,
    description:
      "Start the base model's own version of each step while the small model drafts it, and abort it when the draft is kept. Same decisions; lower latency on rejections. **Spends base-GPU time** that an idle single-user server has to spare, but slows other users of a shared server.",
    kind: 'boolean',
    default: false,
    cli: {
      flags: '--eager-fallback',
      help: "start the base model's step with the draft; abort it when the draft is kept",
    },
  },
  // Step policies (src/core/engine/policies/): how each step is produced, and each policy's parameters.
  stepPolicy: {
    setting: 'policy.name',
    order: 25.1,
    description:
      "How each reasoning step is produced. `specreason` is the paper's algorithm; the others are follow-up papers' step policies, each with its parameters below. A policy the servers cannot serve is refused before the run starts, saying why.",
    kind: 'choice',
    default: 'specreason',
    choices: STEP_POLICIES,
    descriptions: STEP_POLICY_DESCRIPTIONS,
    cli: { flags: '--policy <name>', help: 'how each step is produced' },
  },
  entropyThreshold: {
    setting: 'policy.entropyThreshold',
    order: 25.2,
    description:
      "`first-token` (GlimpRouter): the base model writes a step when the entropy (nats, over the small model's top-20 alternatives for the step's first token) is **at least** this; below it the small model writes the step. GlimpRouter's function default is 1.0; its published run uses 0.9. The entropy of 20 alternatives is at most ln 20 ≈ 3.0.",
    kind: 'number',
    default: 0.9,
    min: 0,
    max: 3,
    integer: false,
    cli: {
      flags: '--entropy-threshold <nats>',
      help: 'first-token: the base model writes a step whose first-token entropy is ≥ this',
    },
  },
  selfCheckThreshold: {
    setting: 'policy.selfCheckThreshold',
    order: 25.3,
    description:
      '`self-check`: keep a draft without asking the base model when the small model scores its own draft **at least** this (0–9, the judge prompt).',
    kind: 'number',
    default: 8,
    min: 0,
    max: 9,
    integer: false,
    cli: { flags: '--self-check-threshold <n>', help: 'self-check: keep a draft the small model scores ≥ n' },
  },
  selfCheckFallback: {
    setting: 'policy.selfCheckFallback',
    order: 25.4,
    description: '`self-check`: what happens to a draft the small model scores under the self-check threshold.',
    kind: 'choice',
    default: 'judge',
    choices: SELF_CHECK_FALLBACKS,
    descriptions: SELF_CHECK_FALLBACK_DESCRIPTIONS,
    cli: { flags: '--self-check-fallback <mode>', help: 'self-check: judge (the base model scores) or regenerate' },
  },
  lookaheadSteps: {
    setting: 'policy.lookaheadSteps',
    order: 25.5,
    description:
      '`lookahead`: how many steps (k) the small model drafts ahead before the base model scores them together in one batched request.',
    kind: 'number',
    default: 3,
    min: 1,
    max: 16,
    integer: true,
    cli: { flags: '--lookahead-steps <k>', help: 'lookahead: draft k steps ahead, scored in one request' },
  },
  draftCount: {
    setting: 'policy.draftCount',
    order: 25.6,
    description:
      '`multi-draft`: how many drafts (n) of each step the small model writes in one request; the best one at or above the threshold is kept.',
    kind: 'number',
    default: 3,
    min: 1,
    max: 16,
    integer: true,
    cli: { flags: '--draft-count <n>', help: 'multi-draft: n drafts of each step' },
  },
  adaptiveWindow: {
    setting: 'policy.adaptiveWindow',
    order: 25.7,
    description:
      '`adaptive-threshold`: how many of the most recent scored drafts the acceptance rate is measured over.',
    kind: 'number',
    default: 8,
    min: 1,
    max: 1000,
    integer: true,
    cli: { flags: '--adaptive-window <n>', help: 'adaptive-threshold: acceptance over the last n drafts' },
  },
  adaptiveTarget: {
    setting: 'policy.adaptiveTarget',
    order: 25.8,
    description:
      '`adaptive-threshold`: the acceptance rate (0–1) the threshold steers towards: above it the threshold rises, below it the threshold falls.',
    kind: 'number',
    default: 0.7,
    min: 0,
    max: 1,
    integer: false,
    cli: { flags: '--adaptive-target <rate>', help: 'adaptive-threshold: the acceptance rate steered towards' },
  },
  adaptiveGain: {
    setting: 'policy.adaptiveGain',
    order: 25.9,
    description:
      "`adaptive-threshold`: threshold points per unit of acceptance away from the target: the step's threshold is the configured threshold + gain × (recent acceptance − target), within 0–9.",
    kind: 'number',
    default: 2,
    min: 0,
    max: 9,
    integer: false,
    cli: {
      flags: '--adaptive-gain <points>',
      help: 'adaptive-threshold: threshold points per unit of acceptance off target',
    },
  },
  // Run guards: the defaults never stop a real run; they end runs a broken server would keep alive.
  maxSteps: {
    setting: 'guards.maxSteps',
    order: 39,
    description:
      'Run guard: stop after this many steps (stop reason `max_steps`, the steps so far are kept). The default never stops a real run; it ends a run whose server reports no tokens, so the token budget never fills.',
    kind: 'number',
    // Far more steps than the largest budget fills with steps of any useful size.
    default: 100_000,
    min: 1,
    max: 10_000_000,
    integer: true,
    cli: {
      flags: '--max-steps <n>',
      help: 'stop after this many steps (stop reason max_steps)',
    },
  },
  maxWallTimeSec: {
    setting: 'guards.maxWallTime',
    order: 40,
    description:
      'Run guard: stop a run after this many seconds (stop reason `max_wall_time`, the steps so far are kept). `0`: no limit.',
    kind: 'number',
    default: 0,
    min: 0,
    max: 604_800,
    integer: false,
    cli: {
      flags: '--max-wall-time <sec>',
      help: 'stop after this many seconds, 0 = no limit (stop reason max_wall_time)',
    },
  },
  maxStepChars: {
    setting: 'guards.maxStepChars',
    order: 41,
    description:
      'Run guard: a step whose text is longer than this many characters (a server ignoring `max_tokens`) is cut to this length and ends the run (stop reason `max_step_chars`). The default is far beyond what `max_tokens` allows.',
    kind: 'number',
    // 10 MB of text: several times what the largest max_tokens can produce.
    default: 10_000_000,
    min: 1000,
    max: 100_000_000,
    integer: true,
    cli: {
      flags: '--max-step-chars <n>',
      help: "stop when one step's text is longer (stop reason max_step_chars)",
    },
  },
} satisfies { [K in RunSettingKey]: SettingFor<Exclude<SpecReasonConfig[K], undefined>> };

/** Settings only the extension reads (the CLI takes full URLs instead of host and ports). */
export interface HostSettings {
  serverHost: string;
  basePort: number;
  smallPort: number;
  baseUrl: string;
  smallUrl: string;
  baseModel: string;
  smallModel: string;
  baseKind: ServerKindSetting;
  smallKind: ServerKindSetting;
  maxProblemLength: number;
  compareOrder: CompareOrder;
  compareIncludeSmall: boolean;
  compareRounds: number;
  compareModes: CompareMode[];
  saveSettingsTo: SaveTarget;
  historyMaxRuns: number;
  launchReadyTimeoutSec: number;
  codeLensEnabled: boolean;
  healthRecheckSec: number;
}

/** What every entry says besides its value: where it sits in the Settings editor and what it means there. */
type Described = Pick<Common, 'order' | 'description' | 'userOnly'>;

const text = (setting: string, about: Described): TextSetting => ({
  setting,
  ...about,
  kind: 'text',
  default: '',
});
const port = (setting: string, value: number, about: Described): NumberSetting => ({
  setting,
  ...about,
  kind: 'number',
  default: value,
  min: 1,
  max: 65535,
  integer: true,
});

/** Which engine serves a role: `auto` asks the URL once; each role may differ. */
const serverKind = (setting: string, order: number, role: 'base' | 'small'): ChoiceSetting<ServerKindSetting> => ({
  setting,
  order,
  description: `Which engine serves the ${role} model. \`auto\`: asked once per URL (shown in **Check Servers**, the panel and the run record). The ${role} and ${role === 'base' ? 'small' : 'base'} model may be on different engines, e.g. the small model on a laptop's Ollama (\`http://localhost:11434\`) and the base model on a remote SGLang server.`,
  kind: 'choice',
  default: 'auto',
  choices: SERVER_KIND_SETTINGS,
  descriptions: {
    auto: 'Ask the server once which engine it is (Ollama, llama-server, SGLang, vLLM, else OpenAI-compatible).',
    vllm: 'vLLM (`vllm serve`): the chat API with continue_final_message.',
    sglang: 'SGLang (`python -m sglang.launch_server`): the chat API with continue_final_message.',
    'llama-server':
      "llama.cpp's llama-server: raw prompts on /completion, rendered with the model's template from /props.",
    ollama:
      'Ollama: raw prompts on /api/generate, rendered with the model’s template; the URL may be http://localhost:11434.',
    openai:
      'An OpenAI-compatible provider with /v1/completions and top logprobs (hosted); the chat is rendered with the model family’s template.',
  },
});

export const HOST_SETTINGS = {
  serverHost: {
    setting: 'server.host',
    order: 1,
    description:
      'Host of both vLLM servers. Over Remote-SSH the extension runs on the remote machine, so `localhost` is the GPU box.',
    userOnly: 'server',
    kind: 'text',
    default: 'localhost',
  },
  basePort: port('server.basePort', 30000, {
    order: 2,
    description: 'Port of the **base** (large) model server, e.g. `vllm serve Qwen/QwQ-32B --port 30000`.',
    userOnly: 'server',
  }),
  smallPort: port('server.smallPort', 30001, {
    order: 3,
    description:
      'Port of the **small** (draft) model server, e.g. `vllm serve deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B --port 30001`.',
    userOnly: 'server',
  }),
  baseUrl: text('server.baseUrl', {
    order: 4,
    description:
      'Full OpenAI-compatible URL of the base model (with `/v1`), e.g. `https://gpu.example.com:8443/v1`. Overrides `#specreason.server.host#` and `#specreason.server.basePort#` when set.',
    userOnly: 'server',
  }),
  smallUrl: text('server.smallUrl', {
    order: 5,
    description: 'Full OpenAI-compatible URL of the small model (with `/v1`). Overrides host and port when set.',
    userOnly: 'server',
  }),
  baseModel: text('server.baseModel', {
    order: 6,
    description: 'Served model name of the base model. Empty: the first model the server lists at `/v1/models`.',
  }),
  smallModel: text('server.smallModel', {
    order: 7,
    description: 'Served model name of the small model. Empty: the first model the server lists at `/v1/models`.',
  }),
  baseKind: serverKind('server.baseKind', 7.1, 'base'),
  smallKind: serverKind('server.smallKind', 7.2, 'small'),
  maxProblemLength: {
    setting: 'maxProblemLength',
    order: 21,
    description: 'Longest selection (characters) sent as a problem; longer selections are refused with a message.',
    kind: 'number',
    default: 20000,
    min: 1,
    max: 1_000_000,
    integer: true,
  },
  compareOrder: {
    setting: 'compare.order',
    order: 22,
    description: 'How **Compare with Base Model** runs SpecReason and the baselines.',
    kind: 'choice',
    default: 'sequential',
    choices: COMPARE_ORDERS,
    descriptions: {
      sequential: 'One run after the other, so neither slows the other down (fair timings).',
      concurrent: 'All runs at once (faster to see, but they share the GPUs).',
    },
  },
  // One round is one noisy sample; the panel suggests 3 (SUGGESTED_ROUNDS) for a median and range.
  compareRounds: {
    setting: 'compare.repeat',
    order: 21.5,
    description:
      'How many times **Compare with Base Model** runs each mode (after one warm-up request per server). One run is one noisy sample; 3 or more give the median speedup with its range, and a difference inside the range is called a tie.',
    kind: 'number',
    default: 1,
    min: 1,
    max: 20,
    integer: true,
    cli: { flags: '--repeat <n>', help: 'run the comparison n times and report the median speedup with its range' },
  },
  compareIncludeSmall: {
    setting: 'compare.includeSmall',
    order: 23,
    description:
      'Also run small-model-only decoding in comparisons (when `#specreason.compare.modes#` is empty; else list `small` there).',
    kind: 'boolean',
    default: false,
  },
  compareModes: {
    setting: 'compare.modes',
    order: 22.5,
    description:
      'The modes **Compare** runs side by side, two or more: step policies (the SpecReason loop with that policy; `specreason` is the paper\'s own) and the baselines `base` and `small`, e.g. `["specreason", "first-token", "base"]`. Each policy gets its own speedup against base-only. Empty: the configured step policy (`#specreason.policy.name#`) against base-only. **SpecReason: Compare Modes…** picks them for one comparison.',
    kind: 'list',
    default: [],
    choices: COMPARE_MODES,
    descriptions: {
      ...STEP_POLICY_DESCRIPTIONS,
      base: 'Base-only decoding: the large model writes the whole reasoning (the reference of every speedup).',
      small: 'Small-only decoding: the small model writes the whole reasoning.',
    },
    minItems: 2,
  },
  saveSettingsTo: {
    setting: 'panel.saveSettingsTo',
    order: 26,
    description: "Where changes made in the panel's tuning strip and the status bar are saved.",
    kind: 'choice',
    default: 'user',
    choices: SAVE_TARGETS,
  },
  historyMaxRuns: {
    setting: 'history.maxRuns',
    order: 27,
    description: 'How many finished or partial runs to keep for **Show Run History**.',
    kind: 'number',
    default: 50,
    min: 1,
    max: 1000,
    integer: true,
  },
  launchReadyTimeoutSec: {
    setting: 'launch.readyTimeout',
    order: 36,
    userOnly: 'launch',
    description:
      '**Start Servers**: seconds to wait for a started server to answer `/health` and `/v1/models` (loading, or first downloading, a 32B model takes minutes). A server still not ready is stopped.',
    kind: 'number',
    default: 1800,
    min: 5,
    max: 86_400,
    integer: false,
  },
  codeLensEnabled: {
    setting: 'codeLens.enabled',
    order: 37,
    description:
      'Show **Solve | Compare** above problems in Markdown and plain-text files (a paragraph under a `Problem` heading, a fenced block marked `problem`, a paragraph starting `Problem:`) and on each line of a `.jsonl` problem set.',
    kind: 'boolean',
    default: true,
  },
  healthRecheckSec: {
    setting: 'status.healthRecheck',
    order: 38,
    description:
      "While a SpecReason panel is in view and no run is going, recheck the servers' health for the status bar every this many seconds (one `/health` and `/v1/models` request per server). `0` turns it off: the health is then rechecked after each run, on settings changes and by **SpecReason: Check Servers**.",
    kind: 'number',
    default: 30,
    min: 0,
    max: 3600,
    integer: true,
  },
} satisfies { [K in keyof HostSettings]: SettingFor<HostSettings[K]> };

/** Start Servers' settings of one model server (`specreason.launch.<role>.*`). */
export function launchSettings(role: 'base' | 'small') {
  const server = role === 'base' ? 'the base (large) server' : 'the small (draft) server';
  const first = role === 'base' ? 28 : 32;
  return {
    command: {
      setting: `launch.${role}.command`,
      order: first,
      description: `**Start Servers**: the program that starts ${server}, as shell text; the model, \`--port\` (from the server URL settings), \`--enable-prefix-caching\` and the extra arguments are appended. E.g. \`/opt/venv/bin/vllm serve\`.`,
      userOnly: 'launch',
      kind: 'text',
      default: DEFAULT_SERVE_COMMAND,
    },
    model: text(`launch.${role}.model`, {
      order: first + 1,
      description: `**Start Servers**: the model ${server} loads. Empty: \`#specreason.server.${role}Model#\` if set, else the paper's \`${PAPER_MODELS[role]}\`.`,
      userOnly: 'launch',
    }),
    extraArgs: text(`launch.${role}.extraArgs`, {
      order: first + 2,
      description: `**Start Servers**: more \`vllm serve\` arguments for ${server}, as shell text (e.g. \`--gpu-memory-utilization 0.45 --max-model-len 32768\`). \`--no-enable-prefix-caching\` turns prefix caching off.`,
      userOnly: 'launch',
    }),
    env: {
      setting: `launch.${role}.env`,
      order: first + 3,
      description: `**Start Servers**: environment variables for ${server}, e.g. \`{"CUDA_VISIBLE_DEVICES": "${role === 'base' ? 0 : 1}"}\`. Values are never logged.`,
      userOnly: 'launch',
      kind: 'map',
      default: {},
    },
  } satisfies Record<string, Setting>;
}

/** Every setting, for the manifest (src/core/settingsManifest.ts). */
export const ALL_SETTINGS: Readonly<Record<string, Setting>> = {
  ...RUN_SETTINGS,
  ...HOST_SETTINGS,
  ...Object.fromEntries(
    (['base', 'small'] as const).flatMap((role) =>
      Object.entries(launchSettings(role)).map(([k, spec]) => [`launch.${role}.${k}`, spec]),
    ),
  ),
};

export const RUN_SETTING_KEYS = Object.keys(RUN_SETTINGS) as RunSettingKey[];

/** The run settings the panel's tuning strip and the quick pick change: those with a `tune` entry. */
export type TuningKey = {
  [K in RunSettingKey]: (typeof RUN_SETTINGS)[K] extends { tune: Tune } ? K : never;
}[RunSettingKey];

export const TUNING_KEYS: readonly TuningKey[] = RUN_SETTING_KEYS.filter(
  (k): k is TuningKey => 'tune' in RUN_SETTINGS[k],
);

export function tuningSetting(key: TuningKey): (NumberSetting | ChoiceSetting) & { tune: Tune } {
  return RUN_SETTINGS[key];
}

export const RUN_DEFAULTS = Object.fromEntries(
  RUN_SETTING_KEYS.map((k) => [k, RUN_SETTINGS[k].default]),
) as Required<RunSettings>;

/** "a", "b" or "c" */
export function listChoices(choices: readonly string[]): string {
  const quoted = choices.map((c) => JSON.stringify(c));
  return quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted[quoted.length - 1]}` : quoted.join('');
}

function numberProblem(
  name: string,
  spec: Pick<NumberSetting, 'min' | 'max' | 'integer'>,
  value: number,
): string | undefined {
  if (spec.integer && !Number.isInteger(value)) {
    return `${name} must be a whole number (got ${value})`;
  }
  if (value < spec.min || value > spec.max) {
    return `${name} must be between ${spec.min} and ${spec.max} (got ${value})`;
  }
  return undefined;
}

/** Why a value does not fit its setting, naming it as `name`; undefined when it fits. */
export function settingProblem(name: string, spec: Setting, value: unknown): string | undefined {
  switch (spec.kind) {
    case 'number':
      return typeof value === 'number' && Number.isFinite(value)
        ? numberProblem(name, spec, value)
        : `${name} must be a number (got ${JSON.stringify(value)})`;
    case 'choice':
      return typeof value === 'string' && spec.choices.includes(value)
        ? undefined
        : `${name} must be ${listChoices(spec.choices)} (got ${JSON.stringify(value)})`;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : `${name} must be true or false (got ${JSON.stringify(value)})`;
    case 'text':
      return typeof value === 'string' ? undefined : `${name} must be text (got ${JSON.stringify(value)})`;
    case 'map':
      return typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string')
        ? undefined
        : `${name} must be an object of strings (got ${JSON.stringify(value)})`;
    case 'list':
      return listProblem(name, spec, value);
    default: {
      const unknown: never = spec;
      return unknown;
    }
  }
}

function listProblem(name: string, spec: ListSetting, value: unknown): string | undefined {
  const got = `(got ${JSON.stringify(value)})`;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && spec.choices.includes(v))) {
    return `${name} must be a list of ${listChoices(spec.choices)} ${got}`;
  }
  if (new Set(value).size !== value.length) {
    return `${name} must not name a mode twice ${got}`;
  }
  return value.length === 0 || value.length >= spec.minItems
    ? undefined
    : `${name} must list ${spec.minItems} or more modes, or none for the default ${got}`;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

/**
 * A number typed by a person (a CLI argument, an input box): plain decimal notation only, so an empty
 * string is not 0 and "0x7" is not 7; then the setting's range.
 */
export function parseNumberText(
  name: string,
  spec: Pick<NumberSetting, 'min' | 'max' | 'integer'>,
  text: string,
): { value: number } | { problem: string } {
  const trimmed = text.trim();
  if (!DECIMAL.test(trimmed)) {
    return {
      problem: `${name} must be a ${spec.integer ? 'whole' : 'decimal'} number (got ${JSON.stringify(text)})`,
    };
  }
  const value = Number(trimmed);
  const problem = numberProblem(name, spec, value);
  return problem ? { problem } : { value };
}

/** Help text for a CLI option: its own words, then the range and the default from the table. */
export function cliHelp(spec: Setting, help: string): string {
  switch (spec.kind) {
    case 'number':
      return `${help} (${spec.min}–${spec.max}, default ${spec.default})`;
    case 'choice':
      return `${help} (default ${spec.default})`;
    case 'boolean':
    case 'text':
    case 'map':
    case 'list':
      return help;
    default: {
      const unknown: never = spec;
      return unknown;
    }
  }
}
