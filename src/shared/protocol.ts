// The one message protocol between the extension host and the reasoning panel (webview).
// Both sides import it; it has no runtime dependencies besides the shared reducer's types.

import { STEP_POLICIES, type RunMode, type ScoreMethod, type StepPolicyName } from '../core/config';
import {
  HOST_SETTINGS,
  SAVE_TARGETS,
  TUNING_KEYS,
  type RunSettings,
  type SaveTarget,
  type TuningKey,
} from '../core/settingsTable';
import type { ErrorInfo } from '../core/errors';
import type { Problem } from '../core/engine/prompts';
import type { RunKey } from '../core/presentation/compareTable';
import type { RunEvent, RunRecord, RunSummary, StepDecision, StepRecord } from '../core/engine/runRecord';
import {
  isEvalMode,
  POLICY_SWEEPS,
  type EvalMode,
  type PolicyParam,
  type PolicyParams,
  type PolicySweeps,
} from '../core/eval/modes';

/** Bump when a field is renamed or removed; persisted panel state with another version is dropped. */
export const PROTOCOL_VERSION = 1;

export type RunStatus = 'running' | 'finished' | 'cancelled' | 'error';

/** The step being produced right now, as text streams in. */
export interface LiveStep {
  stepId: number;
  phase: 'drafting' | 'scoring' | 'fallback' | 'forced' | 'baseline';
  draft: string;
  base: string;
  score?: { value: number; accepted: boolean };
  /** How the step policy decided this step, once it has (the record carries it when the step is done). */
  decision?: StepDecision;
}

/** One run as the panel shows it. Built from RunEvents by `applyRunEvent` on both sides. */
export interface PanelRun {
  runId: string;
  mode: RunMode;
  status: RunStatus;
  startedAt: number;
  threshold: number;
  scoreMethod: ScoreMethod;
  steps: StepRecord[];
  live?: LiveStep;
  summary?: RunSummary;
  error?: ErrorInfo;
  /** The step policy of a SpecReason-loop run other than SpecReason's own. */
  policy?: StepPolicyName;
  /** The speculation options the run used (SpecReason loop only): they change no decision, only the waiting. */
  speculation?: { draftAhead: boolean; eagerFallback: boolean };
  /** The settings and models this run used (the tuning strip shows the next run's). */
  tokenBudget?: number;
  firstNBaseSteps?: number;
  models?: { base?: string; small?: string };
  /** Which engine served each role (detected or configured), once the run ended. */
  serverKinds?: RunRecord['serverKinds'];
  /** How each role was sent its requests, once the run ended (the Request view rebuilds them per engine). */
  requestFormats?: RunRecord['requestFormats'];
  /** The first user message exactly as sent: with the steps, it gives each step's exact requests. */
  prompt?: string;
  /** How many engine events are folded in: where the next batch of events continues (see panelSync.ts). */
  eventsApplied?: number;
}

export type { SaveTarget, TuningKey };

/** The run settings the panel tunes (see the settings table), and where its edits are written. */
export type TuningValues = Pick<RunSettings, TuningKey> & { target: SaveTarget };

/** Server-side counters read from /metrics during a run; undefined = the server does not expose them. */
export interface LiveMetrics {
  specDecodeAcceptance?: number;
  prefixCacheHitRate?: number;
  specDecodeEnabled?: boolean;
}

export interface PanelState {
  protocolVersion: number;
  kind: 'solve' | 'compare';
  problem: Problem;
  runs: PanelRun[];
  tuning: TuningValues;
  metrics?: LiveMetrics;
  /** Shown as a label when the servers are the simulated pair. */
  simulated?: boolean;
  /** The simulated pair has no script for this problem: it answers with the sample problem's steps (the panel says so). */
  simulatedWithoutScript?: boolean;
  /** A run opened from an evaluation: the problem's gold answer and the grader's verdict on the run. */
  graded?: RunGrade;
  /** The run history entry of this panel's runs: a panel restored after a reload takes its records from there. */
  sessionId?: string;
  /** A pinned panel is kept: the next Solve (or Compare) opens a panel of its own instead of reusing this one. */
  pinned?: boolean;
  /** What was sent when nothing was selected ("Solving the whole document (no selection)"). */
  problemNote?: string;
  /** Where the problem's text is, for "Go to source"; undefined: typed in (or a run saved before sources were kept). */
  problemSource?: ProblemSource;
  /**
   * How many times this comparison runs each mode (undefined: once). The runs of round k are the k-th run of
   * each mode in `runs` (see `comparisonRounds`).
   */
  rounds?: number;
}

/** The gold answer of an evaluated run's problem and the verdict (see core/eval/grader). */
export interface RunGrade {
  gold: string;
  correct: boolean;
  /** The answer the grader found in the run, if any. */
  extracted: string | null;
  /** The rule that decided (e.g. exact, numeric, symbolic, no-answer, cas-unavailable). */
  rule: string;
}

/** The document and lines (0-based, inclusive) a problem was taken from. */
export interface ProblemSource {
  uri: string;
  line: number;
  endLine: number;
}

/** A source location handed to a command (CodeLens arguments) or restored: checked before it is used. */
export function parseProblemSource(value: unknown): ProblemSource | undefined {
  const v = value as Partial<ProblemSource> | null | undefined;
  const isLine = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= 0;
  return v && typeof v === 'object' && typeof v.uri === 'string' && isLine(v.line) && isLine(v.endLine)
    ? { uri: v.uri, line: v.line, endLine: Math.max(v.line, v.endLine) }
    : undefined;
}

export type ToWebview =
  | { readonly type: 'session/snapshot'; readonly state: PanelState }
  /** `from`: the run's event count before these events (the first one's sequence number). */
  | {
      readonly type: 'run/didUpdate';
      readonly runId: string;
      readonly from: number;
      readonly events: readonly RunEvent[];
    }
  | { readonly type: 'run/didStart'; readonly run: PanelRun }
  | { readonly type: 'settings/didChange'; readonly tuning: TuningValues }
  | { readonly type: 'metrics/didUpdate'; readonly metrics: LiveMetrics }
  | { readonly type: 'panel/didPin'; readonly pinned: boolean };

/** Every message type the panel accepts: a new ToWebview message without an entry here does not compile. */
export const TO_WEBVIEW_TYPES: { readonly [T in ToWebview['type']]: true } = {
  'session/snapshot': true,
  'run/didUpdate': true,
  'run/didStart': true,
  'settings/didChange': true,
  'metrics/didUpdate': true,
  'panel/didPin': true,
};

export function isToWebviewType(type: unknown): type is ToWebview['type'] {
  return typeof type === 'string' && Object.hasOwn(TO_WEBVIEW_TYPES, type);
}

export type PanelCommand = 'openSettings' | 'showLog' | 'checkServers' | 'startServers';

export type FromWebview =
  | { readonly type: 'webview/ready'; readonly protocolVersion: number }
  | { readonly type: 'run/cancel' }
  /** `rounds`: a comparison's rounds for this run only (the panel's "Compare 3×"); default the setting. */
  | { readonly type: 'run/rerun'; readonly rounds?: number }
  | { readonly type: 'settings/update'; readonly key: TuningKey; readonly value: number | string }
  | { readonly type: 'settings/target'; readonly target: SaveTarget }
  | { readonly type: 'export/json' }
  | { readonly type: 'export/markdown' }
  | { readonly type: 'command/run'; readonly command: PanelCommand }
  /** Reveal the problem's text in its editor (PanelState.problemSource). */
  | { readonly type: 'problem/goToSource' }
  /** Copy one step's kept text (the host takes it from its own state, not from the message). */
  | { readonly type: 'step/copy'; readonly runId: string; readonly stepId: number }
  | { readonly type: 'panel/pin'; readonly pinned: boolean }
  /** A Content-Security-Policy violation seen in the webview (tests fail on it; the host logs it). */
  | { readonly type: 'webview/cspViolation'; readonly directive: string; readonly blocked: string };

const COMMANDS: readonly PanelCommand[] = ['openSettings', 'showLog', 'checkServers', 'startServers'];

/** An untrusted message as a record of unknown fields, or undefined when it is not an object. */
function asRecord(message: unknown): Record<string, unknown> | undefined {
  return typeof message === 'object' && message !== null ? (message as Record<string, unknown>) : undefined;
}

/** Validate a message from the webview: it is untrusted input. */
export function parseFromWebview(message: unknown): FromWebview | undefined {
  const m = asRecord(message) ?? {}; // not an object: no type, so the default case
  switch (m.type) {
    case 'webview/ready':
      return typeof m.protocolVersion === 'number'
        ? { type: 'webview/ready', protocolVersion: m.protocolVersion }
        : undefined;
    case 'run/rerun': {
      if (m.rounds === undefined) {
        return { type: 'run/rerun' };
      }
      const { min, max } = HOST_SETTINGS.compareRounds;
      return Number.isInteger(m.rounds) && (m.rounds as number) >= min && (m.rounds as number) <= max
        ? { type: 'run/rerun', rounds: m.rounds as number }
        : undefined;
    }
    case 'run/cancel':
    case 'export/json':
    case 'export/markdown':
    case 'problem/goToSource':
      return { type: m.type };
    case 'step/copy':
      return typeof m.runId === 'string' && Number.isInteger(m.stepId) && (m.stepId as number) >= 0
        ? { type: 'step/copy', runId: m.runId, stepId: m.stepId as number }
        : undefined;
    case 'settings/update':
      return TUNING_KEYS.includes(m.key as TuningKey) && (typeof m.value === 'number' || typeof m.value === 'string')
        ? { type: 'settings/update', key: m.key as TuningKey, value: m.value }
        : undefined;
    case 'settings/target':
      return SAVE_TARGETS.includes(m.target as SaveTarget)
        ? { type: 'settings/target', target: m.target as SaveTarget }
        : undefined;
    case 'command/run':
      return COMMANDS.includes(m.command as PanelCommand)
        ? { type: 'command/run', command: m.command as PanelCommand }
        : undefined;
    case 'panel/pin':
      return typeof m.pinned === 'boolean' ? { type: 'panel/pin', pinned: m.pinned } : undefined;
    case 'webview/cspViolation':
      return typeof m.directive === 'string' && typeof m.blocked === 'string'
        ? { type: 'webview/cspViolation', directive: m.directive, blocked: m.blocked }
        : undefined;
    default:
      return undefined;
  }
}

/**
 * A comparison's runs by round: the k-th run of each mode belongs to round k (runs are added in the order they
 * start, round after round, on both sides). A mode is told apart by `keyOf`: by default its policy (several
 * policies run the SpecReason loop), else its mode.
 */
export function comparisonRounds<T extends { mode: RunMode; policy?: StepPolicyName }>(
  runs: readonly T[],
  keyOf: (run: T) => string = panelRunKey,
): T[][] {
  const rounds: T[][] = [];
  const seen = new Map<string, number>();
  for (const run of runs) {
    const key = keyOf(run);
    const round = seen.get(key) ?? 0;
    seen.set(key, round + 1);
    (rounds[round] ??= []).push(run);
  }
  return rounds;
}

/** What tells a comparison's runs apart: the policy of a SpecReason-loop run other than SpecReason's own, else the mode. */
export function panelRunKey(run: { mode: RunMode; policy?: StepPolicyName }): RunKey {
  return run.policy ?? run.mode;
}

export function newPanelRun(
  runId: string,
  mode: RunMode,
  threshold: number,
  scoreMethod: ScoreMethod,
  startedAt: number,
): PanelRun {
  return { runId, mode, status: 'running', startedAt, threshold, scoreMethod, steps: [] };
}

/** A SpecReason-loop run's policy (other than SpecReason's own) and speculation options, from its config. */
export function policyFields(
  mode: RunMode,
  config: Partial<Pick<RunRecord['config'], 'stepPolicy' | 'draftAhead' | 'eagerFallback'>>,
): Pick<PanelRun, 'policy' | 'speculation'> {
  const fields: Pick<PanelRun, 'policy' | 'speculation'> = {};
  if (mode !== 'specreason') {
    return fields;
  }
  if (config.stepPolicy && config.stepPolicy !== 'specreason') {
    fields.policy = config.stepPolicy;
  }
  if (config.draftAhead !== undefined || config.eagerFallback !== undefined) {
    fields.speculation = { draftAhead: !!config.draftAhead, eagerFallback: !!config.eagerFallback };
  }
  return fields;
}

/** The run's own settings, policy, speculation options and configured models, from its first event. */
function applyRunStart(run: PanelRun, event: Extract<RunEvent, { type: 'run-start' }>): void {
  run.startedAt = event.startedAt;
  // The run's own settings (a partial config keeps what the host said at the start).
  run.threshold = event.config.threshold ?? run.threshold;
  run.scoreMethod = event.config.scoreMethod ?? run.scoreMethod;
  run.tokenBudget = event.config.tokenBudget ?? run.tokenBudget;
  run.firstNBaseSteps = event.config.firstNBaseSteps ?? run.firstNBaseSteps;
  run.prompt = event.prompt ?? run.prompt;
  Object.assign(run, policyFields(event.mode, event.config));
  // The configured model names, shown while the run lasts; the served ids replace them when it ends.
  for (const role of ['base', 'small'] as const) {
    const model = event.config[role]?.model;
    if (model) {
      run.models = { ...run.models, [role]: model };
    }
  }
}

/** Fold one engine event into a panel run (same code on host and webview, so replays match). */
export function applyRunEvent(run: PanelRun, event: RunEvent): void {
  run.eventsApplied = (run.eventsApplied ?? 0) + 1;
  switch (event.type) {
    case 'run-start':
      applyRunStart(run, event);
      break;
    case 'step-start':
      run.live = {
        stepId: event.stepId,
        phase: event.origin === 'draft' ? 'drafting' : event.origin === 'base-forced' ? 'forced' : 'baseline',
        draft: '',
        base: '',
      };
      break;
    case 'delta':
      if (run.live && run.live.stepId === event.stepId) {
        // Drafts in one box; the base model's text (and a baseline's, whichever model) in the other.
        if (event.phase === 'draft') {
          run.live.draft += event.text;
        } else {
          run.live.base += event.text;
        }
      }
      break;
    case 'draft-done':
      if (run.live) {
        run.live.phase = 'scoring';
        run.live.draft = event.text;
      }
      break;
    case 'score':
      if (run.live) {
        run.live.score = { value: event.score, accepted: event.accepted };
      }
      break;
    case 'fallback-start':
      if (run.live) {
        run.live.phase = 'fallback';
      }
      break;
    case 'decision':
      // Shown on the step in progress; the step's record carries the same decision when it is done.
      if (run.live && run.live.stepId === event.stepId) {
        run.live.decision = event.decision;
      }
      break;
    case 'step-done':
      run.steps.push(event.record);
      run.live = undefined;
      break;
    case 'run-done':
      run.summary = event.record.summary;
      run.models = event.record.models ?? run.models;
      run.serverKinds = event.record.serverKinds ?? run.serverKinds;
      run.requestFormats = event.record.requestFormats ?? run.requestFormats;
      run.status =
        event.record.summary.stopReason === 'cancelled'
          ? 'cancelled'
          : event.record.summary.stopReason === 'error'
            ? 'error'
            : 'finished';
      if (event.record.summary.error) {
        run.error = event.record.summary.error;
      }
      if ((event.record.steps?.length ?? 0) > run.steps.length) {
        // A cancelled baseline's streamed text, kept by the engine as a partial step: shown (and typeset) as one.
        run.steps = [...event.record.steps];
        run.live = undefined;
      }
      // A cancelled or failed run keeps its partial step visible.
      if (run.status === 'finished') {
        run.live = undefined;
      }
      break;
    case 'error':
      run.error = event.error;
      break;
    default: {
      const never: never = event;
      return never;
    }
  }
}

// ---- Evaluate panel (its own webview; issue 11) ----
// The panel shows an evaluation's results.json (see src/core/eval) as it fills: a form, progress,
// the per-configuration table, the latency × accuracy chart and the per-problem grid.

/** Bump when a field of the eval messages is renamed or removed. */
export const EVAL_PROTOCOL_VERSION = 1;

export type ChoiceOrder = 'shuffled' | 'reference';
export type EvalStatus = 'idle' | 'running' | 'cancelled' | 'finished' | 'error';

/** What the configuration form holds: the options of `specreason eval`. */
export interface EvalFormValues extends PolicySweeps {
  /** Step policies and baselines; each policy's own parameter values are its sweep (absent: its setting). */
  modes: EvalMode[];
  thresholds: number[];
  scoreMethods: ScoreMethod[];
  repeats: number;
  concurrency: number;
  limit?: number;
  ids?: string[];
  sample?: number;
  seed?: number;
  choiceOrder: ChoiceOrder;
  /** Empty: the host's default, `.specreason/evals/<timestamp>/` in the workspace. */
  outDir: string;
}

/** One configuration's row of results.json, as the panel shows it. */
export interface EvalConfigurationRow {
  mode: RunMode;
  /** The step policy of a SpecReason-loop configuration (absent: SpecReason's own). */
  policy?: StepPolicyName;
  /** Policies that keep drafts on the base model's score. */
  threshold?: number;
  scoreMethod?: ScoreMethod;
  /** The policy's own parameter, e.g. {"entropyThreshold": 0.9}. */
  params?: PolicyParams;
  /** Mean per run: judge calls, requests by model, critical path and its lower bound (results.json `costs.mean`). */
  costs?: {
    judgeCalls?: number;
    smallRequests?: number;
    baseRequests?: number;
    wastedTokens?: number;
    criticalPathMs?: number;
    lowerBoundMs?: number;
  };
  runs: number;
  correct: number;
  failed: number;
  /** Mean pass@1 over repeats, 0–1, with its 95% interval. */
  accuracy?: number;
  accuracyLow?: number;
  accuracyHigh?: number;
  meanWallMs?: number;
  medianWallMs?: number;
  p90WallMs?: number;
  /** Output tokens per run, mean over the finished runs. */
  meanSmallTokens?: number;
  meanBaseTokens?: number;
  acceptanceRate?: number;
  speedupVsBase?: number;
  accuracyDiffVsBase?: number;
}

/** One run of results.json. Problem ids, answers and errors are untrusted text. */
export interface EvalRunRow {
  problemId: string;
  repeat: number;
  mode: RunMode;
  policy?: StepPolicyName;
  threshold?: number;
  scoreMethod?: ScoreMethod;
  params?: PolicyParams;
  answer?: string;
  gold: string;
  correct: boolean;
  /** The grader's rule that decided (grader.ts); `cas-unavailable`: not graded, shown as such. */
  rule?: string;
  wallMs: number;
  stopReason: string;
  error?: string;
  /** The run's record file, relative to the output folder (host use). */
  file?: string;
}

export interface EvalProgress {
  done: number;
  total: number;
  failed: number;
  /** Runs already complete when this session started (a resume): not counted in the rate. */
  resumed: number;
  /** Epoch ms when this session started running. */
  startedAt: number;
}

export interface EvalDataset {
  path: string;
  name: string;
  problems: number;
}

export interface EvalPanelState {
  protocolVersion: number;
  dataset?: EvalDataset;
  /** The problems' text by id, shortened (`problemPreviews`): the per-problem grid shows it on hover. */
  problems?: Record<string, string>;
  form: EvalFormValues;
  status: EvalStatus;
  progress?: EvalProgress;
  configurations: EvalConfigurationRow[];
  runs: EvalRunRow[];
  /** Folder of the evaluation shown (its results files and run records). */
  outDir?: string;
  error?: string;
  /** specreason.threshold now, and where "Use this threshold" writes it. */
  threshold: number;
  thresholdTarget: 'user' | 'workspace';
  simulated?: boolean;
  /** Problems of the set the simulated pair has no script for (they get the sample problem's steps). */
  simulatedWithoutScript?: number;
}

export type ToEvalWebview =
  | { readonly type: 'eval/snapshot'; readonly state: EvalPanelState }
  /** Runs finished since the last update, the configurations' current summaries and the progress. */
  | {
      readonly type: 'eval/didUpdate';
      readonly runs: readonly EvalRunRow[];
      readonly configurations: readonly EvalConfigurationRow[];
      readonly progress?: EvalProgress;
    }
  | { readonly type: 'eval/status'; readonly status: EvalStatus; readonly error?: string; readonly outDir?: string }
  | { readonly type: 'eval/folderPicked'; readonly outDir: string }
  | {
      readonly type: 'eval/thresholdDidChange';
      readonly threshold: number;
      readonly target: 'user' | 'workspace';
    };

export type EvalExportFormat = 'csv' | 'json' | 'markdown' | 'svg';

/** A run of the grid, named by its configuration and position. */
export interface EvalRunRef {
  mode: RunMode;
  policy?: StepPolicyName;
  threshold?: number;
  scoreMethod?: ScoreMethod;
  params?: PolicyParams;
  problemId: string;
  repeat: number;
}

export type FromEvalWebview =
  | { readonly type: 'eval/ready'; readonly protocolVersion: number }
  | { readonly type: 'eval/start'; readonly form: EvalFormValues }
  | { readonly type: 'eval/cancel' }
  | { readonly type: 'eval/resume' }
  | { readonly type: 'eval/pickFolder' }
  | { readonly type: 'eval/openRun'; readonly run: EvalRunRef }
  | { readonly type: 'eval/useThreshold'; readonly threshold: number; readonly target: 'user' | 'workspace' }
  /** `svg` carries the chart, serialised by the webview with its colours resolved. */
  | { readonly type: 'eval/export'; readonly format: EvalExportFormat; readonly svg?: string }
  | { readonly type: 'eval/command'; readonly command: 'openFolder' | 'showHistory' | 'showLog' }
  | { readonly type: 'webview/cspViolation'; readonly directive: string; readonly blocked: string };

const RUN_MODES: readonly RunMode[] = ['specreason', 'base', 'small'];
const SCORE_METHODS: readonly ScoreMethod[] = ['greedy', 'average'];
const EXPORT_FORMATS: readonly EvalExportFormat[] = ['csv', 'json', 'markdown', 'svg'];
const EVAL_COMMANDS = ['openFolder', 'showHistory', 'showLog'] as const;

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const optionalNumber = (v: unknown): boolean => v === undefined || isNumber(v);

/** Shape check of a posted form; the values are validated by `evalFormProblems` (src/shared/evalForm.ts). */
function parseEvalForm(v: unknown): EvalFormValues | undefined {
  const f = asRecord(v);
  if (!f) {
    return undefined;
  }
  const list = <T>(x: unknown, ok: (e: unknown) => e is T): x is T[] => Array.isArray(x) && x.every(ok);
  const ok =
    list(f.modes, isEvalMode) &&
    SWEEPS.every((sweep) => f[sweep] === undefined || list(f[sweep], isNumber)) &&
    list(f.thresholds, isNumber) &&
    list(f.scoreMethods, (m): m is ScoreMethod => SCORE_METHODS.includes(m as ScoreMethod)) &&
    isNumber(f.repeats) &&
    isNumber(f.concurrency) &&
    optionalNumber(f.limit) &&
    optionalNumber(f.sample) &&
    optionalNumber(f.seed) &&
    (f.ids === undefined || list(f.ids, (s): s is string => typeof s === 'string')) &&
    (f.choiceOrder === 'shuffled' || f.choiceOrder === 'reference') &&
    typeof f.outDir === 'string';
  if (!ok) {
    return undefined;
  }
  const form: EvalFormValues = {
    modes: [...(f.modes as EvalMode[])],
    thresholds: [...(f.thresholds as number[])],
    scoreMethods: [...(f.scoreMethods as ScoreMethod[])],
    repeats: f.repeats as number,
    concurrency: f.concurrency as number,
    choiceOrder: f.choiceOrder as ChoiceOrder,
    outDir: f.outDir as string,
  };
  for (const key of ['limit', 'sample', 'seed'] as const) {
    if (f[key] !== undefined) {
      form[key] = f[key] as number;
    }
  }
  if (f.ids !== undefined) {
    form.ids = [...(f.ids as string[])];
  }
  for (const sweep of SWEEPS) {
    if (f[sweep] !== undefined) {
      form[sweep] = [...(f[sweep] as number[])];
    }
  }
  return form;
}

const SWEEPS = Object.values(POLICY_SWEEPS).map((s) => s.sweep);
const PARAMS = new Set<string>(Object.values(POLICY_SWEEPS).map((s) => s.param));

/** A run's policy parameter as posted back: known names, finite numbers. */
function parseParams(v: unknown): PolicyParams | undefined | false {
  if (v === undefined) {
    return undefined;
  }
  const r = asRecord(v);
  if (!r || !Object.entries(r).every(([k, n]) => PARAMS.has(k) && isNumber(n))) {
    return false;
  }
  return { ...(r as Record<PolicyParam, number>) };
}

function parseRunRef(v: unknown): EvalRunRef | undefined {
  const r = asRecord(v);
  if (!r) {
    return undefined;
  }
  const params = parseParams(r.params);
  if (
    !RUN_MODES.includes(r.mode as RunMode) ||
    !(r.policy === undefined || STEP_POLICIES.includes(r.policy as StepPolicyName)) ||
    params === false ||
    typeof r.problemId !== 'string' ||
    !isNumber(r.repeat) ||
    !optionalNumber(r.threshold) ||
    !(r.scoreMethod === undefined || SCORE_METHODS.includes(r.scoreMethod as ScoreMethod))
  ) {
    return undefined;
  }
  const ref: EvalRunRef = { mode: r.mode as RunMode, problemId: r.problemId, repeat: r.repeat };
  if (r.threshold !== undefined) {
    ref.threshold = r.threshold as number;
  }
  if (r.scoreMethod !== undefined) {
    ref.scoreMethod = r.scoreMethod as ScoreMethod;
  }
  if (r.policy !== undefined) {
    ref.policy = r.policy as StepPolicyName;
  }
  if (params) {
    ref.params = params;
  }
  return ref;
}

/** Validate a message from the Evaluate panel: it is untrusted input. */
export function parseFromEvalWebview(message: unknown): FromEvalWebview | undefined {
  const m = asRecord(message) ?? {}; // not an object: no type, so the default case
  switch (m.type) {
    case 'eval/ready':
      return isNumber(m.protocolVersion) ? { type: 'eval/ready', protocolVersion: m.protocolVersion } : undefined;
    case 'eval/start': {
      const form = parseEvalForm(m.form);
      return form ? { type: 'eval/start', form } : undefined;
    }
    case 'eval/cancel':
    case 'eval/resume':
    case 'eval/pickFolder':
      return { type: m.type };
    case 'eval/openRun': {
      const run = parseRunRef(m.run);
      return run ? { type: 'eval/openRun', run } : undefined;
    }
    case 'eval/useThreshold':
      return isNumber(m.threshold) && (m.target === 'user' || m.target === 'workspace')
        ? { type: 'eval/useThreshold', threshold: m.threshold, target: m.target }
        : undefined;
    case 'eval/export': {
      const format = m.format as EvalExportFormat;
      if (!EXPORT_FORMATS.includes(format)) {
        return undefined;
      }
      if (typeof m.svg === 'string') {
        return { type: 'eval/export', format, svg: m.svg };
      }
      return m.svg === undefined && format !== 'svg' ? { type: 'eval/export', format } : undefined;
    }
    case 'eval/command':
      return EVAL_COMMANDS.includes(m.command as (typeof EVAL_COMMANDS)[number])
        ? { type: 'eval/command', command: m.command as (typeof EVAL_COMMANDS)[number] }
        : undefined;
    case 'webview/cspViolation':
      return typeof m.directive === 'string' && typeof m.blocked === 'string'
        ? { type: 'webview/cspViolation', directive: m.directive, blocked: m.blocked }
        : undefined;
    default:
      return undefined;
  }
}
