// Runs SpecReason (and comparisons) for the editor: one session per panel, progress with cancel,
// live /metrics, saved history, exports. The engine does the work; this file wires it to VS Code.

import * as vscode from 'vscode';
import type { SpecReasonConfig } from '../core/config';
import { comparisonExport, runKey, runKeyLabel } from '../core/presentation/compareTable';
import {
  comparisonPlan,
  comparisonRun,
  runConfig,
  runRepeatedComparison,
  type ComparisonMode,
  type ComparisonRun,
} from '../core/engine/comparison';
import { createClients } from '../core/llm/factory';
import { serversAreSimulated } from './simulatedPair';
import { progressText, speedupDetail, speedupHeadline, type RunProgress } from '../core/presentation/format';
import { runToMarkdown } from '../core/presentation/markdown';
import type { Problem } from '../core/engine/prompts';
import { errorLogLine, type ErrorInfo } from '../core/errors';
import { newRunId, type RunEvent, type RunRecord } from '../core/engine/runRecord';
import {
  comparisonRounds,
  newPanelRun,
  policyFields,
  parseProblemSource,
  type FromWebview,
  type PanelState,
} from '../shared/protocol';
import type { RunHistory, SavedSession } from './history';
import { commandAction, errorForLog, openSettingsAction, showError } from './notify';
import { copyStep, goToSource } from './panelActions';
import type { ProblemInput } from './problemInput';
import { demoPairHasScript } from '../sim/scenarios';
import { launchesSimulator, simulatorDownHint, withSimulatorHint } from './serverLauncher';
import { emptyState, ReasoningPanel } from './reasoningPanel';
import { askBeforeSendingKey, type ApiKeys } from './secrets';
import {
  readSettings,
  settingsProblems,
  SettingsProblem,
  tuningValues,
  writeTuning,
  type ExtensionSettings,
} from './settings';

const METRICS_INTERVAL_MS = 1000;

/** What the panel says about where the problem came from. */
type ProblemOrigin = Pick<ProblemInput, 'note' | 'source'>;

export interface Session {
  id: string;
  panel: ReasoningPanel;
  problem: Problem;
  kind: 'solve' | 'compare';
  records: RunRecord[];
  /** The modes a comparison runs, when picked for it (Compare Modes…); else the setting's. */
  modes?: readonly ComparisonMode[];
  controller?: AbortController;
  /** Settles when the current run (or comparison) ends. */
  done?: Promise<void>;
}

export class Sessions implements vscode.Disposable {
  private readonly _sessions = new Set<Session>();
  private readonly _onDidEndRun = new vscode.EventEmitter<RunRecord[]>();
  /** Fires when a run or comparison ends, however it ended (the status item rechecks the servers then). */
  readonly onDidEndRun = this._onDidEndRun.event;

  constructor(
    private readonly _extensionUri: vscode.Uri,
    private readonly _keys: ApiKeys,
    private readonly _history: RunHistory,
    private readonly _log: vscode.LogOutputChannel,
  ) {}

  get all(): Session[] {
    return [...this._sessions];
  }
  get running(): Session[] {
    return this.all.filter((s) => s.panel.running);
  }

  /** The session of the focused panel, else the newest one. */
  get current(): Session | undefined {
    return this.all.find((s) => s.panel.active) ?? this.all[this.all.length - 1];
  }

  /**
   * Run the problem in the panel of its kind (one Solve panel, one Compare panel): the newest one that is
   * neither pinned nor running is reused, else a new panel opens (a solve never takes over a running panel).
   */
  start(
    problem: Problem,
    kind: 'solve' | 'compare',
    origin: ProblemOrigin = {},
    modes?: readonly ComparisonMode[],
  ): Session | undefined {
    const settings = this._checkedSettings();
    if (!settings) {
      return undefined;
    }
    // The same problem already running in a panel of this kind: show that panel rather than a second tab of it.
    const same = this.all.find((s) => s.kind === kind && !!s.controller && s.problem.text === problem.text);
    if (same) {
      same.panel.reveal();
      void vscode.window.showInformationMessage(
        `SpecReason: this problem is already ${kind === 'compare' ? 'being compared' : 'being solved'} in its panel (Cancel it there to start again).`,
      );
      return same;
    }
    // `controller` is set from the moment a run is started (before its panel shows it running) until it ends.
    const reusable = this.all
      .filter((s) => s.kind === kind && !s.panel.pinned && !s.panel.running && !s.controller)
      .pop();
    if (reusable) {
      reusable.problem = problem;
      reusable.modes = modes;
      reusable.panel.reveal();
      reusable.done = this._restart(reusable, settings, origin);
      return reusable;
    }
    const id = newRunId();
    const state = {
      ...emptyState(kind, problem, tuningValues(settings), false),
      sessionId: id,
      problemNote: origin.note,
      problemSource: origin.source,
    };
    // Messages arrive only after the webview loads, by which time `session` is set.
    const panel = ReasoningPanel.create(this._extensionUri, state, (message) => this._onMessage(session, message));
    const session: Session = { id, problem, kind, records: [], panel, modes };
    this._track(session);
    session.done = this._run(session, settings);
    return session;
  }

  /** Re-attach a panel restored after a window reload (WebviewPanelSerializer) or opened from history. */
  restore(panel: vscode.WebviewPanel | undefined, saved: { state: PanelState; records?: RunRecord[] }): Session {
    // A run that was still going when the window closed cannot be resumed: show it as cancelled.
    for (const r of saved.state.runs) {
      if (r.status === 'running') {
        r.status = 'cancelled';
      }
    }
    saved.state.tuning = tuningValues(readSettings());
    const onMessage = (m: FromWebview) => this._onMessage(session, m);
    const reasoningPanel = panel
      ? new ReasoningPanel(panel, this._extensionUri, saved.state, onMessage)
      : ReasoningPanel.create(this._extensionUri, saved.state, onMessage);
    const session: Session = {
      id: saved.state.sessionId ?? newRunId(),
      problem: saved.state.problem,
      kind: saved.state.kind,
      records: saved.records ?? [],
      panel: reasoningPanel,
    };
    this._track(session);
    return session;
  }

  openSaved(saved: SavedSession): void {
    // Opened twice from the history: the panel that shows it already comes to the front (no duplicate tab).
    const open = this.all.find((s) => s.id === saved.id && !s.controller);
    if (open) {
      open.panel.reveal();
      return;
    }
    const settings = readSettings();
    const state = {
      ...emptyState(saved.kind, saved.problem, tuningValues(settings), !!saved.simulated),
      sessionId: saved.id,
      // Read from disk: checked like any untrusted input.
      problemSource: parseProblemSource(saved.problemSource),
      problemNote: typeof saved.problemNote === 'string' ? saved.problemNote : undefined,
      simulatedWithoutScript: !!saved.simulated && !demoPairHasScript(saved.problem.text),
      graded: saved.graded,
    };
    for (const record of saved.records) {
      const panelRun = newPanelRun(
        record.runId,
        record.mode,
        record.config.threshold,
        record.config.scoreMethod,
        Date.parse(record.startedAt),
      );
      panelRun.steps = record.steps;
      panelRun.summary = record.summary;
      panelRun.tokenBudget = record.config.tokenBudget;
      panelRun.firstNBaseSteps = record.config.firstNBaseSteps;
      panelRun.models = record.models;
      panelRun.prompt = record.prompt;
      Object.assign(panelRun, policyFields(record.mode, record.config));
      panelRun.error = record.summary.error;
      panelRun.status =
        record.summary.stopReason === 'cancelled'
          ? 'cancelled'
          : record.summary.stopReason === 'error'
            ? 'error'
            : 'finished';
      state.runs.push(panelRun);
    }
    this.restore(undefined, { state, records: saved.records });
  }

  cancel(session: Session): void {
    session.controller?.abort();
  }

  onSettingsChanged(settings: ExtensionSettings): void {
    const tuning = tuningValues(settings);
    for (const s of this._sessions) {
      s.panel.setTuning(tuning);
    }
  }

  private _track(session: Session): void {
    this._sessions.add(session);
    session.panel.onDidDispose(() => {
      // Closing the panel stops its run; the partial run is still saved.
      session.controller?.abort();
      this._sessions.delete(session);
      void this._updateContext();
    });
  }

  private _checkedSettings(): ExtensionSettings | undefined {
    const settings = readSettings();
    const problems = settingsProblems(settings);
    if (problems.length > 0) {
      const first = problems[0]!;
      void showError(`invalid setting ${first.setting} — ${first.message}`, openSettingsAction(first.setting));
      return undefined;
    }
    return settings;
  }

  private async _updateContext(): Promise<void> {
    await vscode.commands.executeCommand('setContext', 'specreason.isRunning', this.running.length > 0);
  }

  /**
   * Run the session's problem (SpecReason, then the baselines for a comparison, `rounds` times after a warm-up).
   * Never rejects.
   */
  private async _run(session: Session, settings: ExtensionSettings, rounds = settings.compareRounds): Promise<void> {
    const controller = new AbortController();
    session.controller = controller;
    session.records = [];
    const keyed = await this._keys.apply(settings.config, askBeforeSendingKey);
    const compare = session.kind === 'compare';
    const { modes, config } = compare
      ? comparisonPlan(session.modes ?? settings.compareModes, settings.compareIncludeSmall, keyed)
      : { modes: ['specreason' as const], config: keyed };
    const roundCount = compare ? rounds : 1;
    if (compare && (session.panel.state.rounds ?? 1) !== roundCount) {
      // Sent before any run starts, so the panel says "run 1 of 3" from the start.
      session.panel.reset({ ...session.panel.state, rounds: roundCount });
    }
    /** Show a round's runs in the panel (each mode's run id, in mode order). */
    const startRound = (): string[] => {
      const ids = modes.map(() => newRunId());
      const started = Date.now();
      for (const [i, mode] of modes.entries()) {
        // The policy from the start, so the panel names (and tells apart) runs that have not started yet.
        const r = comparisonRun(mode, ids[i]!);
        const panelRun = newPanelRun(r.runId, r.mode, config.threshold, config.scoreMethod, started);
        session.panel.startRun(Object.assign(panelRun, policyFields(r.mode, runConfig(r, config))));
      }
      return ids;
    };
    // The first round shows in the panel at once (while the servers warm up); later ones as they start.
    const roundIds = new Map<number, readonly string[]>([[0, startRound()]]);
    void this._updateContext();
    this._log.info(
      `run ${session.id}: ${session.kind} (${modes.join(', ')}${roundCount > 1 ? ` × ${roundCount}` : ''}) base ${config.base.url} small ${config.small.url}, threshold ${config.threshold} ${config.scoreMethod}, budget ${config.tokenBudget}`,
    );

    const stopMetrics = this._pollMetrics(session, config);
    try {
      await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: !compare
            ? 'SpecReason: solving'
            : modes.length === 2 && modes[1] === 'base'
              ? 'SpecReason: comparing with the base model'
              : `SpecReason: comparing ${modes.join(', ')}`,
          cancellable: true,
        },
        async (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          await this._markSimulated(session, config, controller.signal);
          let onEvent: ReturnType<Sessions['_runEvents']> | undefined;
          const result = await runRepeatedComparison(session.problem, modes, config, {
            rounds: roundCount,
            // A solve is one run as the user would time it; a comparison's rounds start warm.
            warmUp: compare,
            order: settings.compareOrder,
            signal: controller.signal,
            runIds: (round) => {
              let ids = roundIds.get(round);
              if (!ids) {
                ids = startRound();
                roundIds.set(round, ids);
              }
              return ids;
            },
            onRound: (round, runs) => {
              const note = roundCount > 1 ? ` · run ${round + 1} of ${roundCount}` : '';
              onEvent = this._runEvents(session, runs, progress, config, note);
            },
            onEvent: (event, run) => onEvent?.(event, run),
          });
          session.records = result.records;
          if (compare) {
            this._log.info(
              `compare ${session.id}: ${result.warmedUp ? 'servers warmed up' : 'no warm-up (first run cold)'}; speedup ${speedupHeadline(result.speedup)} ${speedupDetail(result.speedup)}`,
            );
          }
        },
      );
    } catch (error) {
      this._log.error(`run ${session.id} failed: ${errorForLog(error, true)}`);
    } finally {
      stopMetrics();
      session.controller = undefined;
      void this._updateContext();
      this._onDidEndRun.fire(session.records);
    }
    this._reportEnd(session, settings);
    await this._save(session, settings);
  }

  /** The SIMULATED label on the panel when the servers are the simulated pair (and whether this problem is scripted). */
  private async _markSimulated(session: Session, config: SpecReasonConfig, signal: AbortSignal): Promise<void> {
    // The simulated pair: it says so, or Start Servers would start it (the demo's; it may be stopped now).
    const simulated =
      (await serversAreSimulated(config, signal)) ||
      (launchesSimulator('base', config) && launchesSimulator('small', config));
    if (!simulated) {
      return;
    }
    const withoutScript = !demoPairHasScript(session.problem.text);
    // A reused panel starts from a fresh state: the flag is set for every run, sent when it changed.
    const state = session.panel.state;
    const changed = !state.simulated || !!state.simulatedWithoutScript !== withoutScript;
    state.simulated = true;
    state.simulatedWithoutScript = withoutScript;
    if (changed) {
      session.panel.reset(state);
    }
  }

  /** The runs' events into the panel, the notification's progress and the log. */
  private _runEvents(
    session: Session,
    runs: readonly ComparisonRun[],
    progress: vscode.Progress<{ message?: string }>,
    config: SpecReasonConfig,
    note = '',
  ): (event: RunEvent, run: ComparisonRun) => void {
    const progressOf = runs.map((r): RunProgress => ({
      mode: r.mode,
      label: r.policy && runKeyLabel(r.policy),
      steps: 0,
      done: false,
    }));
    const runIds = runs.map((r) => r.runId);
    return (event, { mode, policy, runId }) => {
      session.panel.pushEvent(runId, withSimulatorHint(event, config));
      const runProgress = progressOf[runIds.indexOf(runId)];
      if (runProgress && (event.type === 'step-done' || event.type === 'run-done')) {
        if (event.type === 'step-done') {
          runProgress.steps += 1;
        } else {
          runProgress.steps = event.record.summary.steps;
          runProgress.done = true;
        }
        progress.report({ message: progressText(progressOf) + note });
      }
      if (event.type === 'step-done') {
        const r = event.record;
        this._log.debug(
          `step ${r.step_id} ${r.origin} score=${r.score ?? '-'} tokens=${r.final_num_output_tokens} ${Math.round(r.timings.stepMs)} ms`,
        );
      } else if (event.type === 'run-done') {
        session.records.push(event.record); // exportable as soon as it ends
        const s = event.record.summary;
        this._log.info(
          `run ${runId} (${policy ?? mode}): ${s.stopReason} in ${(s.wallMs / 1000).toFixed(2)} s, ${s.steps} steps, answer ${s.answer ?? '-'}`,
        );
        if (s.error) {
          this._log.error(`run ${runId} (${mode}): ${errorLogLine(s.error)}`);
        }
      }
    };
  }

  /** A failed run's error shown with the actions that fix it. */
  private _reportEnd(session: Session, settings: ExtensionSettings): void {
    const error = session.records.find((r) => r.summary.error)?.summary.error;
    if (error && !session.panel.isDisposed) {
      const role = error.server?.role;
      const simulated = error.code === 'server_down' && role && launchesSimulator(role, settings.config);
      void showError(simulated ? simulatorDownHint(role, settings.config[role].url) : error.message, ...fixIts(error));
    }
  }

  private async _save(session: Session, settings: ExtensionSettings): Promise<void> {
    await this._history
      .save(
        {
          id: session.id,
          kind: session.kind,
          problem: session.problem,
          records: session.records,
          savedAt: new Date().toISOString(),
          simulated: !!session.panel.state.simulated,
          problemSource: session.panel.state.problemSource,
          problemNote: session.panel.state.problemNote,
        },
        settings.historyMaxRuns,
      )
      .then(undefined, (error: unknown) => this._log.warn(`could not save run ${session.id}: ${String(error)}`));
  }

  /** Spec-decode acceptance and prefix-cache hit rate of the base server while the run lasts. */
  private _pollMetrics(session: Session, config: SpecReasonConfig): () => void {
    const client = createClients({
      ...config,
      maxRetries: 0,
      requestTimeoutSec: Math.min(config.requestTimeoutSec, 5),
    }).base;
    let baseline: string | undefined;
    let stopped = false;
    const tick = async (final = false) => {
      const text = await client.metrics();
      if ((stopped && !final) || text === undefined) {
        return;
      }
      baseline ??= text;
      const f = client.features(text, baseline);
      session.panel.setMetrics({
        specDecodeEnabled: f.specDecode,
        specDecodeAcceptance: f.specDecodeAcceptance,
        prefixCacheHitRate: f.prefixCacheHitRate,
      });
    };
    void tick();
    const timer = setInterval(() => {
      void tick();
    }, METRICS_INTERVAL_MS);
    return () => {
      stopped = true;
      clearInterval(timer);
      void tick(true);
    }; // the last reading covers the whole run
  }

  private _onMessage(session: Session, message: FromWebview): void {
    switch (message.type) {
      case 'run/cancel':
        this.cancel(session);
        break;
      case 'run/rerun':
        if (session.panel.running) {
          return;
        }
        void this.rerun(session, message.rounds);
        break;
      case 'settings/update':
        void writeTuning(message.key, message.value, session.panel.state.tuning.target).then(
          undefined,
          (error: unknown) => {
            const text =
              error instanceof SettingsProblem ? error.message : `could not save the setting: ${String(error)}`;
            void showError(text);
            session.panel.setTuning(tuningValues(readSettings()));
          },
        );
        break;
      case 'settings/target':
        void vscode.workspace
          .getConfiguration('specreason')
          .update('panel.saveSettingsTo', message.target, vscode.ConfigurationTarget.Global);
        break;
      case 'export/json':
        void this.exportJson(session);
        break;
      case 'export/markdown':
        void this.copyMarkdown(session);
        break;
      case 'command/run':
        void vscode.commands.executeCommand(
          message.command === 'openSettings'
            ? 'workbench.action.openSettings'
            : message.command === 'showLog'
              ? 'specreason.showLog'
              : message.command === 'startServers'
                ? 'specreason.startServers'
                : 'specreason.checkServers',
          ...(message.command === 'openSettings' ? ['@ext:specreason.specreason'] : []),
        );
        break;
      case 'panel/pin':
        session.panel.setPinned(message.pinned);
        break;
      case 'webview/cspViolation':
        this._log.warn(`panel blocked by its Content-Security-Policy: ${message.directive} ${message.blocked}`);
        break;
      case 'problem/goToSource':
        void goToSource(session.panel.state);
        break;
      case 'step/copy':
        void copyStep(session.panel.state, message.runId, message.stepId);
        break;
      case 'webview/ready':
        break;
      default: {
        const never: never = message;
        return never;
      }
    }
  }

  /** Run the same problem again in the same panel with the current settings (a comparison `rounds` times). */
  async rerun(session: Session, rounds?: number): Promise<void> {
    const settings = this._checkedSettings();
    if (!settings) {
      return;
    }
    session.done = this._restart(session, settings, undefined, rounds);
    await session.done;
  }

  /**
   * A fresh state (same panel, pin and SIMULATED label) for the session's problem, then run it. `origin`: where a
   * new problem came from (a reused panel); without it the panel keeps the note and source it has (a re-run).
   */
  private _restart(
    session: Session,
    settings: ExtensionSettings,
    origin?: ProblemOrigin,
    rounds?: number,
  ): Promise<void> {
    session.id = newRunId();
    const state = session.panel.state;
    session.panel.reset({
      ...emptyState(session.kind, session.problem, tuningValues(settings), !!state.simulated),
      sessionId: session.id,
      pinned: state.pinned,
      problemNote: origin ? origin.note : state.problemNote,
      problemSource: origin ? origin.source : state.problemSource,
    });
    return this._run(session, settings, rounds);
  }

  /** Why there is nothing to export or copy yet, or undefined when there is. */
  private _noRecords(session: Session): string | undefined {
    if (session.records.length > 0) {
      return undefined;
    }
    return session.panel.running
      ? 'this run has not finished yet; export or copy it when it ends or after cancelling it.'
      : "this run's record is not in the run history (it was interrupted by a window reload, or removed).";
  }

  async copyMarkdown(session: Session): Promise<void> {
    const missing = this._noRecords(session);
    const text = missing ? '' : runToMarkdown(session.records, { simulated: !!session.panel.state.simulated });
    if (missing || text.trim() === '') {
      void vscode.window.showWarningMessage(`SpecReason: nothing copied — ${missing ?? 'the run is empty.'}`);
      return;
    }
    await vscode.env.clipboard.writeText(text);
    void vscode.window.showInformationMessage('SpecReason: run copied as Markdown.');
  }

  async exportJson(session: Session): Promise<void> {
    const missing = this._noRecords(session);
    if (missing) {
      void vscode.window.showWarningMessage(`SpecReason: ${missing}`);
      return;
    }
    const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
    const target = await vscode.window.showSaveDialog({
      defaultUri: folder ? vscode.Uri.joinPath(folder, `specreason-${session.id}.json`) : undefined,
      filters: { JSON: ['json'] },
      saveLabel: 'Export Run',
    });
    if (!target) {
      return;
    }
    const rounds = session.panel.state.rounds ?? 1;
    const body =
      session.kind === 'solve' && session.records.length === 1
        ? session.records[0]
        : comparisonExport(
            comparisonRounds(session.records, (r) => runKey(r.summary)),
            rounds > 1,
          );
    await vscode.workspace.fs.writeFile(target, Buffer.from(JSON.stringify(body, null, 2) + '\n'));
    void vscode.window.showInformationMessage(`SpecReason: exported to ${vscode.workspace.asRelativePath(target)}`);
  }

  dispose(): void {
    for (const s of this._sessions) {
      s.controller?.abort();
      s.panel.dispose();
    }
    this._onDidEndRun.dispose();
  }
}

/** The actions offered with a run's error: the ones that fix it. */
function fixIts(error: ErrorInfo): ReturnType<typeof commandAction>[] {
  switch (error.code) {
    case 'auth':
      return [commandAction('Set API Key', 'specreason.setApiKey', error.server?.role)];
    case 'server_down':
      return [
        commandAction('Start Servers', 'specreason.startServers'),
        commandAction('Check Servers', 'specreason.checkServers'),
      ];
    default:
      return [];
  }
}
