// The one message protocol between the extension host and the reasoning panel (webview).
// Both sides import it; it has no runtime dependencies besides the shared reducer's types.

import type { RunMode, ScoreMethod } from '../core/config';
import type { ErrorInfo } from '../core/errors';
import type { Problem } from '../core/prompts';
import type { RunEvent, RunSummary, StepRecord } from '../core/runRecord';

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
}

export type TuningKey = 'threshold' | 'scoreMethod' | 'tokenBudget' | 'firstNBaseSteps';

export interface TuningValues {
  threshold: number;
  scoreMethod: ScoreMethod;
  tokenBudget: number;
  firstNBaseSteps: number;
  /** Where panel edits are written: user settings or this workspace's. */
  target: 'user' | 'workspace';
}

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
}

export type ToWebview =
  | { readonly type: 'session/snapshot'; readonly state: PanelState }
  | { readonly type: 'run/didUpdate'; readonly runId: string; readonly events: readonly RunEvent[] }
  | { readonly type: 'run/didStart'; readonly run: PanelRun }
  | { readonly type: 'settings/didChange'; readonly tuning: TuningValues }
  | { readonly type: 'metrics/didUpdate'; readonly metrics: LiveMetrics };

export type PanelCommand = 'openSettings' | 'showLog' | 'checkServers';

export type FromWebview =
  | { readonly type: 'webview/ready'; readonly protocolVersion: number }
  | { readonly type: 'run/cancel' }
  | { readonly type: 'run/rerun' }
  | { readonly type: 'settings/update'; readonly key: TuningKey; readonly value: number | string }
  | { readonly type: 'settings/target'; readonly target: 'user' | 'workspace' }
  | { readonly type: 'export/json' }
  | { readonly type: 'export/markdown' }
  | { readonly type: 'command/run'; readonly command: PanelCommand }
  /** A Content-Security-Policy violation seen in the webview (tests fail on it; the host logs it). */
  | { readonly type: 'webview/cspViolation'; readonly directive: string; readonly blocked: string };

const TUNING_KEYS: readonly TuningKey[] = ['threshold', 'scoreMethod', 'tokenBudget', 'firstNBaseSteps'];
const COMMANDS: readonly PanelCommand[] = ['openSettings', 'showLog', 'checkServers'];

/** Validate a message from the webview: it is untrusted input. */
export function parseFromWebview(message: unknown): FromWebview | undefined {
  if (typeof message !== 'object' || message === null) {
    return undefined;
  }
  const m = message as Record<string, unknown>;
  switch (m.type) {
    case 'webview/ready':
      return typeof m.protocolVersion === 'number'
        ? { type: 'webview/ready', protocolVersion: m.protocolVersion }
        : undefined;
    case 'run/cancel':
    case 'run/rerun':
    case 'export/json':
    case 'export/markdown':
      return { type: m.type };
    case 'settings/update':
      return TUNING_KEYS.includes(m.key as TuningKey) && (typeof m.value === 'number' || typeof m.value === 'string')
        ? { type: 'settings/update', key: m.key as TuningKey, value: m.value }
        : undefined;
    case 'settings/target':
      return m.target === 'user' || m.target === 'workspace'
        ? { type: 'settings/target', target: m.target }
        : undefined;
    case 'command/run':
      return COMMANDS.includes(m.command as PanelCommand)
        ? { type: 'command/run', command: m.command as PanelCommand }
        : undefined;
    case 'webview/cspViolation':
      return typeof m.directive === 'string' && typeof m.blocked === 'string'
        ? { type: 'webview/cspViolation', directive: m.directive, blocked: m.blocked }
        : undefined;
    default:
      return undefined;
  }
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

/** Fold one engine event into a panel run (same code on host and webview, so replays match). */
export function applyRunEvent(run: PanelRun, event: RunEvent): void {
  switch (event.type) {
    case 'run-start':
      run.startedAt = event.startedAt;
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
    case 'step-done':
      run.steps.push(event.record);
      run.live = undefined;
      break;
    case 'run-done':
      run.summary = event.record.summary;
      run.status =
        event.record.summary.stopReason === 'cancelled'
          ? 'cancelled'
          : event.record.summary.stopReason === 'error'
            ? 'error'
            : 'finished';
      if (event.record.summary.error) {
        run.error = event.record.summary.error;
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
