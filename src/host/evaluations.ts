// The Evaluate panels: open a problem set or a finished evaluation's folder, run the evaluation core
// with a cancellable progress notification, and answer the panel (open a run in the reasoning panel,
// use a threshold, export, history). The core does the work; this file wires it to VS Code.

import path from 'node:path';
import * as vscode from 'vscode';
import {
  configurationKey,
  DEFAULT_EVAL_FORM,
  evalFormProblems,
  problemPreviews,
  runConfiguration,
} from '../shared/evalForm';
import { EvalResultsError, evalResultsRows, runRow } from '../shared/evalResults';
import type {
  EvalExportFormat,
  EvalFormValues,
  EvalRunRef,
  EvalRunRow,
  FromEvalWebview,
  RunGrade,
} from '../shared/protocol';
import type { SpecReasonConfig } from '../core/config';
import {
  configurationsOf,
  runEvaluation,
  type Configuration,
  type EvalOutcome,
  type EvalProgress,
  type RunRow,
} from '../core/eval/evaluation';
import { casUnavailableReason, notGraded } from '../core/eval/grader';
import { configurationLabel, POLICY_SWEEPS, type EvalMode, type PolicySweeps } from '../core/eval/modes';
import { RUN_SETTINGS } from '../core/settingsTable';
import type { ResolvedDataset } from '../core/eval/hub';
import type { EvalPreset } from '../core/eval/presets';
import { loadProblemSet, safeId, type ProblemSet } from '../core/eval/problemSet';
import { regradeDirectory } from '../core/eval/regrade';
import { buildResults, writeResults } from '../core/eval/results';
import type { RunRecord } from '../core/engine/runRecord';
import { demoPairHasScript } from '../sim/scenarios';
import { Disposable } from './disposable';
import { EvalPanel, emptyEvalState } from './evalPanel';
import { errorForLog, errorMessage, showError } from './notify';
import type { ApiKeys } from './secrets';
import type { Sessions } from './sessions';
import { readSettings, settingsProblems, SettingsProblem, writeTuning, type ExtensionSettings } from './settings';
import { serversAreSimulated } from './simulatedPair';
import { fetchHubWithProgress } from './problemSetPicker';

/** Past evaluations of this workspace (workspace state), newest first. */
const HISTORY_KEY = 'specreason.evaluations';
const HISTORY_MAX = 50;
/** Where evaluations go by default, inside the first workspace folder. */
export const EVALS_DIR = ['.specreason', 'evals'] as const;

export interface EvaluationEntry {
  outDir: string;
  dataset?: string;
  savedAt: string;
  summary?: string;
  /** The options it was started with from the panel (results.json does not record the selection). */
  form?: EvalFormValues;
}

export const RESULT_FILES: Record<Exclude<EvalExportFormat, 'svg'>, readonly string[]> = {
  csv: ['results.csv'],
  json: ['results.json'],
  markdown: ['results.md', 'report.md'],
};

/** What results.json records about an evaluation besides its runs. */
type ResultsInfo = Parameters<typeof buildResults>[2];

/** An evaluation ready to run: what it runs, where it writes, what its results record. */
interface EvalPlan {
  form: EvalFormValues;
  /** The problem set: a file's path, or a Hub data set's `hf:` name with its commit. */
  dataset: string;
  outDir: vscode.Uri;
  config: SpecReasonConfig;
  set: ProblemSet;
  configurations: Configuration[];
  /** The servers are the simulated pair; how many of the set's problems it has no script for. */
  simulated: boolean;
  withoutScript: number;
  /** Runs in all: problems × repeats × configurations. */
  total: number;
  info: ResultsInfo;
}

interface EvalSession {
  panel: EvalPanel;
  dataset?: vscode.Uri;
  /** A data set from the Hugging Face Hub instead of a file: its `hf:` name with the commit, and the preset if any. */
  hub?: { spec: string; preset?: EvalPreset };
  outDir?: vscode.Uri;
  /** The options of the evaluation shown, when this editor started it (Resume reuses them). */
  form?: EvalFormValues;
  controller?: AbortController;
}

/** `2026-11-29T23-05-00` (a folder name that sorts by time and is valid everywhere). */
export function timestampName(date = new Date()): string {
  return date.toISOString().slice(0, 19).replace(/:/g, '-');
}

async function exists(uri: vscode.Uri): Promise<boolean> {
  try {
    await vscode.workspace.fs.stat(uri);
    return true;
  } catch {
    return false;
  }
}

async function readJson(uri: vscode.Uri): Promise<unknown> {
  const text = Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8');
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EvalResultsError(`${uri.fsPath} is not valid JSON: ${errorMessage(error)}`);
  }
}

export class Evaluations extends Disposable {
  private readonly _sessions = new Set<EvalSession>();

  constructor(
    private readonly _extensionUri: vscode.Uri,
    private readonly _state: vscode.Memento,
    private readonly _reasoning: Sessions,
    private readonly _keys: ApiKeys,
    private readonly _log: vscode.LogOutputChannel,
  ) {
    super();
  }

  get panels(): EvalPanel[] {
    return [...this._sessions].map((s) => s.panel);
  }

  /** A new panel on a problem set, with the form ready to run (the set is read first: errors say where). */
  async openDataset(dataset: vscode.Uri, into?: vscode.WebviewPanel): Promise<EvalPanel> {
    if (dataset.scheme !== 'file') {
      throw new Error(`${dataset.toString()} is not a file on this machine: save the problem set to disk first.`);
    }
    const set = await loadProblemSet(dataset.fsPath);
    const settings = readSettings();
    const state = emptyEvalState(
      { ...DEFAULT_EVAL_FORM, thresholds: [settings.config.threshold], scoreMethods: [settings.config.scoreMethod] },
      settings.config.threshold,
      settings.saveSettingsTo,
    );
    state.dataset = {
      path: dataset.fsPath,
      name: dataset.path.split('/').pop() ?? dataset.fsPath,
      problems: set.problems.length,
    };
    state.problems = problemPreviews(set.problems);
    return this._open(state, { dataset }, into).panel;
  }

  /**
   * A new panel on a data set from the Hugging Face Hub (a name such as math, or hf:OWNER/NAME…), fetched into the
   * Hugging Face cache with a progress notification; pinned to the commit it resolved to. A preset sets the form to
   * the reference's range and settings (its token budget applies to the runs).
   */
  async openHubDataset(spec: string, preset?: EvalPreset, into?: vscode.WebviewPanel): Promise<EvalPanel> {
    const resolved = await fetchHubWithProgress(spec);
    const set = await loadProblemSet(resolved.files);
    const settings = readSettings();
    const form: EvalFormValues = preset
      ? {
          ...DEFAULT_EVAL_FORM,
          modes: [...preset.modes],
          thresholds: [...preset.thresholds],
          scoreMethods: [...preset.scoreMethods],
          repeats: preset.repeats,
          limit: preset.limit,
          choiceOrder: preset.choiceOrder,
        }
      : { ...DEFAULT_EVAL_FORM, thresholds: [settings.config.threshold], scoreMethods: [settings.config.scoreMethod] };
    const state = emptyEvalState(form, settings.config.threshold, settings.saveSettingsTo);
    state.dataset = { path: resolved.name, name: hubLabel(resolved, preset), problems: set.problems.length };
    state.problems = problemPreviews(set.problems);
    this._log.info(
      `${resolved.name}: ${resolved.files.join(', ')}${resolved.offline ? ' (offline: from the cache)' : ''}`,
    );
    return this._open(state, { hub: { spec: resolved.name, preset } }, into).panel;
  }

  /** A panel on a finished (or partial) evaluation's folder, from its results.json. */
  async openFolder(outDir: vscode.Uri, into?: vscode.WebviewPanel): Promise<EvalPanel> {
    const resultsFile = vscode.Uri.joinPath(outDir, 'results.json');
    if (!(await exists(resultsFile))) {
      throw new EvalResultsError(
        `${outDir.fsPath} has no results.json: choose the folder an evaluation wrote (specreason eval --out DIR)`,
      );
    }
    const json = await readJson(resultsFile);
    const { configurations, runs } = evalResultsRows(json, resultsFile.fsPath);
    const settings = readSettings();
    const meta = (json ?? {}) as { dataset?: unknown; problems?: unknown; total?: unknown; simulated?: unknown };
    const datasetPath = typeof meta.dataset === 'string' ? meta.dataset : undefined;
    const state = emptyEvalState({ ...DEFAULT_EVAL_FORM }, settings.config.threshold, settings.saveSettingsTo);
    Object.assign(state, { configurations, runs, outDir: outDir.fsPath, status: 'finished' as const });
    state.simulated = meta.simulated === true;
    if (datasetPath) {
      const problems = new Set(runs.map((r) => r.problemId)).size;
      state.dataset = { path: datasetPath, name: datasetLabel(datasetPath), problems };
    }
    state.form = { ...state.form, ...formOfRuns(runs) };
    const remembered = this._state.get<EvaluationEntry[]>(HISTORY_KEY, []).find((e) => e.outDir === outDir.fsPath);
    if (remembered?.form) {
      state.form = { ...remembered.form, outDir: '' };
    }
    const hub = datasetPath?.startsWith('hf:') ? { spec: datasetPath } : undefined;
    const session = this._open(
      state,
      {
        outDir,
        dataset: datasetPath && !hub ? vscode.Uri.file(datasetPath) : undefined,
        hub,
        form: remembered?.form,
      },
      into,
    );
    await this._remember(outDir, datasetPath, runs.length);
    return session.panel;
  }

  /**
   * An Evaluate panel VS Code brings back after a window reload, from what its webview saved: the
   * evaluation in its output folder (an evaluation the reload interrupted has no results.json yet: it is
   * rebuilt from the run files, as `specreason grade DIR` does, and shown as cancelled, ready to Resume),
   * else the problem set. Nothing left to show: the panel is closed.
   */
  async restore(webviewPanel: vscode.WebviewPanel, saved: unknown): Promise<EvalPanel | undefined> {
    const { outDir, datasetPath } = (typeof saved === 'object' && saved !== null ? saved : {}) as {
      outDir?: unknown;
      datasetPath?: unknown;
    };
    try {
      if (typeof outDir === 'string' && outDir && (await exists(vscode.Uri.file(outDir)))) {
        const folder = vscode.Uri.file(outDir);
        const interrupted = !(await exists(vscode.Uri.joinPath(folder, 'results.json')));
        if (interrupted) {
          const { results } = await regradeDirectory(outDir);
          const remembered = this._state.get<EvaluationEntry[]>(HISTORY_KEY, []).find((e) => e.outDir === outDir);
          await writeResults(outDir, { ...results, dataset: remembered?.dataset ?? results.dataset });
        }
        const panel = await this.openFolder(folder, webviewPanel);
        if (interrupted) {
          panel.setStatus('cancelled');
        }
        return panel;
      }
      if (typeof datasetPath === 'string' && datasetPath.startsWith('hf:')) {
        return await this.openHubDataset(datasetPath, undefined, webviewPanel);
      }
      if (typeof datasetPath === 'string' && datasetPath && (await exists(vscode.Uri.file(datasetPath)))) {
        return await this.openDataset(vscode.Uri.file(datasetPath), webviewPanel);
      }
      this._log.info('dropped a restored Evaluate panel: neither its output folder nor its problem set is there');
    } catch (error) {
      this._log.warn(`dropped a restored Evaluate panel: ${errorMessage(error)}`);
    }
    webviewPanel.dispose();
    return undefined;
  }

  /** The quick pick of past evaluations (this workspace's history and folders under .specreason/evals). */
  async showHistory(): Promise<EvalPanel | undefined> {
    const entries = await this.history();
    if (entries.length === 0) {
      void vscode.window.showInformationMessage(
        'SpecReason: no evaluations in this workspace yet. Run Evaluate Problem Set… on a problem set file.',
      );
      return undefined;
    }
    const pick = await vscode.window.showQuickPick(
      entries.map((e) => ({
        label: `$(beaker) ${e.dataset ? datasetLabel(e.dataset) : e.outDir.split(/[\\/]/).pop()}`,
        description: e.summary,
        detail: `${e.outDir} · ${new Date(e.savedAt).toLocaleString()}`,
        entry: e,
      })),
      { title: 'SpecReason: evaluations of this workspace', matchOnDetail: true },
    );
    return pick ? this.openFolder(vscode.Uri.file(pick.entry.outDir)) : undefined;
  }

  /** Remembered evaluations plus any folder with a results.json under .specreason/evals. */
  async history(): Promise<EvaluationEntry[]> {
    const remembered = this._state.get<EvaluationEntry[]>(HISTORY_KEY, []);
    const found = await vscode.workspace.findFiles(`${EVALS_DIR.join('/')}/*/results.json`, undefined, HISTORY_MAX);
    const known = new Set(remembered.map((e) => e.outDir));
    const discovered: EvaluationEntry[] = [];
    for (const file of found) {
      const outDir = vscode.Uri.joinPath(file, '..').fsPath;
      if (!known.has(outDir)) {
        const stat = await vscode.workspace.fs.stat(file).then(undefined, () => undefined);
        discovered.push({ outDir, savedAt: new Date(stat?.mtime ?? 0).toISOString() });
      }
    }
    const stillThere = await Promise.all(
      remembered.map(async (e) => ((await exists(vscode.Uri.file(e.outDir))) ? e : undefined)),
    );
    return [...stillThere.filter((e): e is EvaluationEntry => !!e), ...discovered].sort((a, b) =>
      b.savedAt.localeCompare(a.savedAt),
    );
  }

  onSettingsChanged(settings: ExtensionSettings): void {
    for (const s of this._sessions) {
      s.panel.setThreshold(settings.config.threshold, settings.saveSettingsTo);
    }
  }

  /** The default output folder: `.specreason/evals/<timestamp>/` in the workspace; asks when none is open. */
  async defaultOutDir(): Promise<vscode.Uri | undefined> {
    const folder = vscode.workspace.workspaceFolders?.[0];
    if (folder) {
      return vscode.Uri.joinPath(folder.uri, ...EVALS_DIR, timestampName());
    }
    const picked = await vscode.window.showOpenDialog({
      title: 'SpecReason: where should the evaluation be written?',
      canSelectFiles: false,
      canSelectFolders: true,
      canSelectMany: false,
      openLabel: 'Write Evaluation Here',
    });
    return picked?.[0] ? vscode.Uri.joinPath(picked[0], `specreason-eval-${timestampName()}`) : undefined;
  }

  private _open(
    state: EvalPanel['state'],
    where: Pick<EvalSession, 'dataset' | 'hub' | 'outDir' | 'form'>,
    into?: vscode.WebviewPanel,
  ): EvalSession {
    const panel = into ? new EvalPanel(into, this._extensionUri, state) : EvalPanel.create(this._extensionUri, state);
    const session: EvalSession = { panel, ...where };
    panel.onMessage((message) => {
      void this._onMessage(session, message).catch((error: unknown) => {
        this._log.error(`evaluate panel (${message.type}): ${errorForLog(error)}`);
        void showError(errorMessage(error));
      });
    });
    this._sessions.add(session);
    panel.onDidDispose(() => {
      // Closing the panel stops its evaluation; finished runs are on disk already.
      session.controller?.abort();
      this._sessions.delete(session);
    });
    this._register(panel);
    return session;
  }

  private async _onMessage(session: EvalSession, message: FromEvalWebview): Promise<void> {
    switch (message.type) {
      case 'eval/start':
        return this._start(session, message.form);
      case 'eval/resume':
        return this._resume(session);
      case 'eval/cancel':
        session.controller?.abort();
        return;
      case 'eval/pickFolder': {
        const picked = await vscode.window.showOpenDialog({
          title: 'SpecReason: output folder of the evaluation',
          canSelectFiles: false,
          canSelectFolders: true,
          canSelectMany: false,
          openLabel: 'Use Folder',
        });
        if (picked?.[0]) {
          session.panel.folderPicked(picked[0].fsPath);
        }
        return;
      }
      case 'eval/openRun':
        return this._openRun(session, message.run);
      case 'eval/useThreshold':
        await writeTuning('threshold', message.threshold, message.target);
        session.panel.setThreshold(message.threshold, message.target);
        void vscode.window.showInformationMessage(
          `SpecReason: threshold set to ${message.threshold} in ${message.target} settings.`,
        );
        return;
      case 'eval/export':
        return this._export(session, message.format, message.svg);
      case 'eval/command':
        if (message.command === 'showHistory') {
          await this.showHistory();
        } else if (message.command === 'showLog') {
          await vscode.commands.executeCommand('specreason.showLog');
        } else if (session.outDir) {
          await vscode.commands.executeCommand('revealFileInOS', session.outDir);
        }
        return;
      case 'eval/ready':
      case 'webview/cspViolation':
        if (message.type === 'webview/cspViolation') {
          this._log.warn(`Evaluate panel CSP violation: ${message.directive} blocked ${message.blocked}`);
        }
        return;
      default: {
        const never: never = message;
        return never;
      }
    }
  }

  /** Runs the form's evaluation into its output folder; finished runs already there are kept (a resume). */
  private async _start(session: EvalSession, form: EvalFormValues): Promise<void> {
    if (session.controller) {
      return; // one evaluation per panel at a time
    }
    const plan = await this._plan(session, form);
    if (!plan) {
      return;
    }
    await this._begin(session, plan);
    const controller = new AbortController();
    session.controller = controller;
    let outcome: EvalOutcome;
    try {
      outcome = await vscode.window.withProgress(
        {
          location: vscode.ProgressLocation.Notification,
          title: `SpecReason: evaluating ${session.panel.state.dataset?.name ?? path.basename(plan.dataset)}`,
          cancellable: true,
        },
        (progress, token) => {
          token.onCancellationRequested(() => controller.abort());
          return runEvaluation({
            set: plan.set,
            outDir: plan.outDir.fsPath,
            config: plan.config,
            configurations: plan.configurations,
            repeats: form.repeats,
            concurrency: form.concurrency,
            choiceOrder: form.choiceOrder,
            seed: form.seed ?? 0,
            signal: controller.signal,
            onProgress: evalProgressReporter(session.panel, plan, progress),
          });
        },
      );
    } catch (error) {
      session.panel.setStatus('error', errorMessage(error));
      throw error;
    } finally {
      session.controller = undefined;
    }
    await this._finish(session, plan, outcome);
  }

  /** What the form asks for, checked and resolved; undefined (after saying why, if it is not a cancel) when it cannot run. */
  private async _plan(session: EvalSession, form: EvalFormValues): Promise<EvalPlan | undefined> {
    const problem = evalFormProblems(form)[0];
    if (problem) {
      void showError(`${problem.message}.`);
      return undefined;
    }
    const dataset = session.dataset;
    if (!dataset && !session.hub) {
      void showError('this evaluation has no problem set: open one with Evaluate Problem Set….');
      return undefined;
    }
    const settings = readSettings();
    const settingsProblem = settingsProblems(settings)[0];
    if (settingsProblem) {
      throw new SettingsProblem([settingsProblem]);
    }
    const outDir = form.outDir ? this._resolve(form.outDir) : await this.defaultOutDir();
    if (!outDir) {
      return undefined;
    }
    const config = await this._keys.apply(settings.config);
    const hub: ResolvedDataset | undefined = session.hub ? await fetchHubWithProgress(session.hub.spec) : undefined;
    const preset = session.hub?.preset;
    if (preset) {
      config.tokenBudget = preset.tokenBudget;
    }
    const source = hub?.name ?? dataset!.fsPath;
    const set = await loadProblemSet(hub?.files ?? source, {
      select: { ids: form.ids, limit: form.limit, sample: form.sample, seed: form.seed ?? 0 },
    });
    // A policy's sweep left empty is its setting's value, written into the form so the panel's columns match.
    for (const [policy, sweep] of Object.entries(POLICY_SWEEPS)) {
      if (form.modes.includes(policy as EvalMode) && !form[sweep.sweep]) {
        form = { ...form, [sweep.sweep]: [config[sweep.param] ?? RUN_SETTINGS[sweep.param].default] };
      }
    }
    const configurations = configurationsOf(form.modes, form.thresholds, form.scoreMethods, form, config);
    // The simulated pair: the panel, results.json and every run opened from the grid say so.
    const simulated = await serversAreSimulated(config);
    const withoutScript = simulated ? set.problems.filter((p) => !demoPairHasScript(p.text)).length : 0;
    const info: ResultsInfo = {
      simulated: simulated || undefined,
      dataset: source,
      hub: hub?.hub,
      preset: preset?.name,
      tokenBudget: config.tokenBudget,
      repeats: form.repeats,
      concurrency: form.concurrency,
      choiceOrder: form.choiceOrder,
    };
    const total = set.problems.length * form.repeats * configurations.length;
    return { form, dataset: source, outDir, config, set, configurations, total, info, simulated, withoutScript };
  }

  /** The panel shows the evaluation running (a resume keeps what it shows) and the workspace remembers it. */
  private async _begin(session: EvalSession, plan: EvalPlan): Promise<void> {
    const { form, dataset, outDir, total } = plan;
    const panel = session.panel;
    const resuming = session.outDir?.fsPath === outDir.fsPath;
    session.outDir = outDir;
    session.form = form;
    panel.reset({
      ...panel.state,
      form, // as typed: an empty folder means a new one for each Run
      status: 'running',
      error: undefined,
      outDir: outDir.fsPath,
      simulated: plan.simulated,
      simulatedWithoutScript: plan.withoutScript,
      problems: { ...panel.state.problems, ...problemPreviews(plan.set.problems) },
      progress: { done: 0, total, failed: 0, resumed: 0, startedAt: Date.now() },
      // A resume keeps what the panel shows; the runs are replaced as they are confirmed or redone.
      configurations: resuming ? panel.state.configurations : [],
      runs: resuming ? panel.state.runs : [],
    });
    await this._remember(outDir, dataset, total, form);
    this._log.info(
      `evaluate ${dataset}: ${plan.set.problems.length} problems × ${form.repeats} × ${plan.configurations.length} configurations → ${outDir.fsPath}`,
    );
  }

  /** Every finished run (kept from before, or run now) goes into the results files, also after a cancel; then the final status. */
  private async _finish(session: EvalSession, plan: EvalPlan, outcome: EvalOutcome): Promise<void> {
    const { panel } = session;
    const outDir = plan.outDir.fsPath;
    const results = buildResults(outcome.rows, plan.configurations, plan.info);
    await writeResults(outDir, results);
    const shown = evalResultsRows(results, path.join(outDir, 'results.json'));
    panel.update(shown.runs, shown.configurations, {
      done: outcome.rows.length,
      total: outcome.jobs,
      failed: outcome.failed,
      resumed: outcome.skipped,
      startedAt: panel.state.progress?.startedAt ?? Date.now(),
    });
    const missing = outcome.jobs - outcome.rows.length;
    this._log.info(
      `evaluation ${outDir}: ${outcome.rows.length}/${outcome.jobs} runs, ${outcome.failed} failed${outcome.cancelled ? ', cancelled' : ''}`,
    );
    if (outcome.cancelled) {
      panel.setStatus('cancelled');
    } else if (outcome.failed > 0 || missing > 0) {
      panel.setStatus(
        'error',
        `${outcome.failed} run${outcome.failed === 1 ? '' : 's'} failed (listed below). Resume retries them; the other runs are kept.`,
      );
    } else if (outcome.rows.some(notGraded)) {
      const count = outcome.rows.filter(notGraded).length;
      panel.setStatus(
        'error',
        `${count} run(s) NOT GRADED: ${casUnavailableReason() ?? 'the symbolic rule did not load'}. Reinstall SpecReason, then re-grade (\`specreason grade ${outDir}\`).`,
      );
    } else {
      panel.setStatus('finished');
    }
  }

  /** Completes the evaluation shown: the same options and folder, skipping finished runs. */
  private async _resume(session: EvalSession): Promise<void> {
    if (!session.outDir) {
      return;
    }
    const remembered = this._state
      .get<EvaluationEntry[]>(HISTORY_KEY, [])
      .find((e) => e.outDir === session.outDir!.fsPath);
    const form = session.form ?? remembered?.form ?? (await this._formOfFolder(session));
    if (!form) {
      return;
    }
    if (remembered?.dataset?.startsWith('hf:')) {
      session.hub ??= { spec: remembered.dataset };
    } else {
      session.dataset ??= remembered?.dataset ? vscode.Uri.file(remembered.dataset) : undefined;
    }
    await this._start(session, { ...form, outDir: session.outDir.fsPath });
  }

  /**
   * The options of an evaluation this editor did not start (e.g. `specreason eval`), from its results.json.
   * The file does not record the problem selection, so the user says which problems to complete.
   */
  private async _formOfFolder(session: EvalSession): Promise<EvalFormValues | undefined> {
    const state = session.panel.state;
    const ids = [...new Set(state.runs.map((r) => r.problemId))];
    const pick = await vscode.window.showQuickPick(
      [
        { label: `The ${ids.length} problems already in this folder`, ids },
        { label: `Every problem of ${state.dataset?.name ?? 'the problem set'}`, ids: undefined },
      ],
      { title: 'SpecReason: resume which problems? (results.json does not record the selection)' },
    );
    if (!pick) {
      return undefined;
    }
    return { ...state.form, ids: pick.ids, limit: undefined, sample: undefined };
  }

  /** A folder typed in the form: absolute, or relative to the first workspace folder. */
  private _resolve(folder: string): vscode.Uri {
    const base = vscode.workspace.workspaceFolders?.[0]?.uri;
    return path.isAbsolute(folder) || !base ? vscode.Uri.file(path.resolve(folder)) : vscode.Uri.joinPath(base, folder);
  }

  /** Opens one run of the grid in the reasoning panel, read from its record file. */
  private async _openRun(session: EvalSession, ref: EvalRunRef): Promise<void> {
    const outDir = session.outDir;
    if (!outDir) {
      return;
    }
    const key = configurationKey(ref);
    const row = session.panel.state.runs.find(
      (r) => r.problemId === ref.problemId && r.repeat === ref.repeat && configurationKey(runConfiguration(r)) === key,
    );
    const found = await findRunFile(outDir, ref, row?.file);
    if (!found) {
      void showError(
        `the record of ${ref.problemId} (repeat ${ref.repeat}, ${configurationLabel(ref)}) is not in ${outDir.fsPath}.`,
      );
      return;
    }
    const { record, graded } = found;
    this._reasoning.openSaved({
      id: record.runId,
      kind: 'solve',
      problem: record.problem,
      records: [record],
      savedAt: record.startedAt,
      simulated: !!session.panel.state.simulated,
      graded,
    });
  }

  private async _export(session: EvalSession, format: EvalExportFormat, svg?: string): Promise<void> {
    const outDir =
      session.outDir ?? (session.panel.state.outDir ? vscode.Uri.file(session.panel.state.outDir) : undefined);
    const base = vscode.workspace.workspaceFolders?.[0]?.uri ?? outDir;
    if (format === 'svg') {
      const target = await vscode.window.showSaveDialog({
        title: 'SpecReason: save the chart',
        defaultUri: outDir ? vscode.Uri.joinPath(outDir, 'chart.svg') : base && vscode.Uri.joinPath(base, 'chart.svg'),
        filters: { 'SVG image': ['svg'] },
      });
      if (target && svg !== undefined) {
        await vscode.workspace.fs.writeFile(target, Buffer.from(svg, 'utf8'));
        this._log.info(`chart saved to ${target.fsPath}`);
        confirmSaved('chart', target);
      }
      return;
    }
    if (!outDir) {
      return;
    }
    let source: vscode.Uri | undefined;
    for (const name of RESULT_FILES[format]) {
      const candidate = vscode.Uri.joinPath(outDir, name);
      if (await exists(candidate)) {
        source = candidate;
        break;
      }
    }
    if (!source) {
      void showError(`${outDir.fsPath} has no ${RESULT_FILES[format].join(' or ')} yet.`);
      return;
    }
    const name = source.path.split('/').pop()!;
    const target = await vscode.window.showSaveDialog({
      title: `SpecReason: save ${name}`,
      defaultUri: base ? vscode.Uri.joinPath(base, name) : undefined,
      filters: { [format === 'markdown' ? 'Markdown' : format.toUpperCase()]: [name.split('.').pop()!] },
    });
    if (target) {
      await vscode.workspace.fs.copy(source, target, { overwrite: true });
      this._log.info(`${name} saved to ${target.fsPath}`);
      confirmSaved(name, target);
    }
  }

  private async _remember(
    outDir: vscode.Uri,
    dataset: string | undefined,
    runs: number,
    form?: EvalFormValues,
  ): Promise<void> {
    const old = this._state.get<EvaluationEntry[]>(HISTORY_KEY, []);
    const entry: EvaluationEntry = {
      outDir: outDir.fsPath,
      dataset,
      savedAt: new Date().toISOString(),
      summary: `${runs} run${runs === 1 ? '' : 's'}`,
      form: form ?? old.find((e) => e.outDir === outDir.fsPath)?.form,
    };
    const list = [entry, ...old.filter((e) => e.outDir !== entry.outDir)];
    await this._state.update(HISTORY_KEY, list.slice(0, HISTORY_MAX));
  }
}

/**
 * The evaluation's progress in the panel (its grid and, a few times a second, the summaries) and in the
 * notification.
 */
function evalProgressReporter(
  panel: EvalPanel,
  plan: EvalPlan,
  progress: vscode.Progress<{ message?: string; increment?: number }>,
): (p: EvalProgress) => void {
  const rows: RunRow[] = [];
  let summarisedAt = 0;
  let reported = 0;
  const summaries = () => evalResultsRows(buildResults(rows, plan.configurations, plan.info)).configurations;
  return (p) => {
    if (p.row) {
      rows.push(p.row);
    }
    // Summaries cost O(runs): at most a few per second, and always for the last run.
    const now = Date.now();
    const summary = now - summarisedAt > 250 || p.done === p.total ? summaries() : panel.state.configurations;
    summarisedAt = summary === panel.state.configurations ? summarisedAt : now;
    panel.update(p.row ? [runRow(p.row as unknown as Record<string, unknown>)] : [], summary, {
      done: p.done,
      total: p.total,
      failed: p.failed,
      resumed: p.skipped,
      startedAt: panel.state.progress?.startedAt ?? now,
    });
    progress.report({
      increment: ((p.done - reported) / Math.max(1, p.total)) * 100,
      message: `${p.done}/${p.total} runs${p.failed ? `, ${p.failed} failed` : ''}${p.etaMs !== undefined ? ` · ETA ${Math.ceil(p.etaMs / 1000)} s` : ''}`,
    });
    reported = p.done;
  };
}

/** An export says where it went, with a way to open it (a save dialog alone leaves the user guessing). */
function confirmSaved(what: string, target: vscode.Uri): void {
  void vscode.window
    .showInformationMessage(`SpecReason: ${what} saved to ${vscode.workspace.asRelativePath(target)}`, 'Open')
    .then((choice) => (choice ? vscode.commands.executeCommand('vscode.open', target) : undefined));
}

/** The form that would produce these runs (an evaluation opened from its folder). */
function formOfRuns(runs: readonly EvalRunRow[]): Partial<EvalFormValues> {
  const modes = [
    ...new Set(runs.map((r): EvalMode => (r.mode === 'specreason' ? (r.policy ?? 'specreason') : r.mode))),
  ];
  const thresholds = [...new Set(runs.flatMap((r) => (r.threshold === undefined ? [] : [r.threshold])))].sort(
    (a, b) => a - b,
  );
  const scoreMethods = [
    ...new Set(runs.flatMap((r) => (r.mode === 'specreason' && r.scoreMethod ? [r.scoreMethod] : []))),
  ];
  const sweeps: PolicySweeps = {};
  for (const sweep of Object.values(POLICY_SWEEPS)) {
    const values = [
      ...new Set(runs.flatMap((r) => (r.params?.[sweep.param] === undefined ? [] : [r.params[sweep.param]!]))),
    ];
    if (values.length) {
      sweeps[sweep.sweep] = values.sort((a, b) => a - b);
    }
  }
  const repeats = runs.reduce((n, r) => Math.max(n, r.repeat + 1), 1);
  return {
    ...(modes.length ? { modes } : {}),
    ...(thresholds.length ? { thresholds } : {}),
    ...(scoreMethods.length ? { scoreMethods } : {}),
    ...sweeps,
    repeats,
  };
}

const isRunRecord = (v: unknown): v is RunRecord =>
  typeof v === 'object' && v !== null && Array.isArray((v as RunRecord).steps) && !!(v as RunRecord).summary;

/** The run record in a run file (the core's `{ …, gold, grade, record }`) with its gold and verdict, if it is one. */
async function runFileIn(file: vscode.Uri): Promise<{ record: RunRecord; graded?: RunGrade } | undefined> {
  const json = (await readJson(file).catch(() => undefined)) as
    | { record?: unknown; gold?: unknown; grade?: { correct?: unknown; extracted?: unknown; rule?: unknown } }
    | undefined;
  if (!isRunRecord(json?.record)) {
    return undefined;
  }
  const g = json.grade;
  const graded =
    typeof json.gold === 'string' && typeof g?.correct === 'boolean' && typeof g.rule === 'string'
      ? {
          gold: json.gold,
          correct: g.correct,
          rule: g.rule,
          extracted: typeof g.extracted === 'string' ? g.extracted : null,
        }
      : undefined;
  return { record: json.record, graded };
}

/**
 * The run file of one run (record, gold, verdict): the file its results row names, else `DIR/<configuration>/<problem id>/<repeat>.json`
 * of whichever configuration folder holds a record of that mode and threshold.
 */
export async function findRunFile(
  outDir: vscode.Uri,
  ref: EvalRunRef,
  relative?: string,
): Promise<{ record: RunRecord; graded?: RunGrade } | undefined> {
  if (relative && !path.isAbsolute(relative) && !relative.split(/[\\/]/).includes('..')) {
    const found = await runFileIn(vscode.Uri.joinPath(outDir, ...relative.split(/[\\/]/)));
    if (found) {
      return found;
    }
  }
  let entries: Array<[string, vscode.FileType]>;
  try {
    entries = await vscode.workspace.fs.readDirectory(outDir);
  } catch {
    return undefined;
  }
  for (const [name, type] of entries) {
    if (type !== vscode.FileType.Directory) {
      continue;
    }
    const found = await runFileIn(vscode.Uri.joinPath(outDir, name, safeId(ref.problemId), `${ref.repeat}.json`));
    const record = found?.record;
    if (name === configurationKey(ref) && record) {
      return found; // the configuration's own folder
    }
    if (
      record &&
      record.mode === ref.mode &&
      (ref.mode !== 'specreason' ||
        ((record.config.stepPolicy ?? 'specreason') === (ref.policy ?? 'specreason') &&
          record.config.threshold === ref.threshold &&
          record.config.scoreMethod === (ref.scoreMethod ?? 'greedy')))
    ) {
      return found;
    }
  }
  return undefined;
}

/** "MATH-500/test @0123abc" (with the preset: "reference-math: MATH-500/test @0123abc"). */
function hubLabel(resolved: ResolvedDataset, preset?: EvalPreset): string {
  const h = resolved.hub!;
  const name = `${h.repo.split('/')[1]}${h.config ? `:${h.config}` : ''}${h.split ? `/${h.split}` : ''} @${h.commit.slice(0, 7)}`;
  return preset ? `${preset.name}: ${name}` : name;
}

/** A history entry's problem set: a file's name, or a Hub set's hf: name without the commit. */
function datasetLabel(dataset: string): string {
  return dataset.startsWith('hf:') ? dataset.replace(/@[0-9a-f]{40}/, '') : (dataset.split(/[\\/]/).pop() ?? dataset);
}
