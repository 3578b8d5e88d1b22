// Owns one Evaluate panel: the authoritative panel state (replayed to the webview after every
// `eval/ready`), finished runs delivered in batches, and the webview's messages (validated first).

import * as vscode from 'vscode';
import {
  EVAL_PROTOCOL_VERSION,
  parseFromEvalWebview,
  type EvalConfigurationRow,
  type EvalPanelState,
  type EvalProgress,
  type EvalRunRow,
  type EvalStatus,
  type FromEvalWebview,
  type ToEvalWebview,
} from '../shared/protocol';
import { PanelHost } from './panelHost';

export const EVAL_VIEW_TYPE = 'specreason.evaluate';

/** Finished runs are coalesced for this long (an evaluation at high concurrency finishes many at once). */
const FLUSH_MS = 100;

export type EvalMessageHandler = (message: FromEvalWebview) => void;

const runKey = (r: EvalRunRow) =>
  JSON.stringify([r.mode, r.threshold ?? null, r.scoreMethod ?? null, r.problemId, r.repeat]);

export class EvalPanel extends PanelHost<ToEvalWebview, FromEvalWebview> {
  private readonly _pendingRuns: EvalRunRow[] = [];
  private readonly _runIndex = new Map<string, number>();
  private _onMessage: EvalMessageHandler = () => undefined;
  protected readonly _readyType = 'eval/ready';

  static create(extensionUri: vscode.Uri, state: EvalPanelState): EvalPanel {
    const panel = vscode.window.createWebviewPanel(
      EVAL_VIEW_TYPE,
      'SpecReason: Evaluate',
      { viewColumn: vscode.ViewColumn.Active },
      PanelHost.options(extensionUri),
    );
    return new EvalPanel(panel, extensionUri, state);
  }

  constructor(
    webviewPanel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private _state: EvalPanelState,
  ) {
    super(webviewPanel, extensionUri, !!_state.simulated, 'evaluate');
    this._index();
    webviewPanel.title = this._title();
  }

  /** Where the webview's (validated) messages go. */
  onMessage(handler: EvalMessageHandler): void {
    this._onMessage = handler;
  }

  protected _parse(raw: unknown): FromEvalWebview | undefined {
    return parseFromEvalWebview(raw);
  }

  protected _sendSnapshot(): void {
    this._flush();
    this._post({ type: 'eval/snapshot', state: this._state });
  }

  protected _handle(message: FromEvalWebview): void {
    this._onMessage(message);
  }

  get state(): EvalPanelState {
    return this._state;
  }

  /** Replace the whole state (a new evaluation, or results read from a folder) and send it. */
  reset(state: EvalPanelState): void {
    clearTimeout(this._flushTimer);
    this._flushTimer = undefined;
    this._pendingRuns.length = 0;
    this._state = state;
    this._index();
    this.webviewPanel.title = this._title();
    this._post({ type: 'eval/snapshot', state });
  }

  /** Finished runs and the summaries they changed; delivered with the others of the next few ms. */
  update(runs: readonly EvalRunRow[], configurations: readonly EvalConfigurationRow[], progress?: EvalProgress): void {
    for (const run of runs) {
      const key = runKey(run);
      const at = this._runIndex.get(key);
      if (at === undefined) {
        this._runIndex.set(key, this._state.runs.length);
        this._state.runs.push(run);
      } else {
        this._state.runs[at] = run;
      }
      this._pendingRuns.push(run);
    }
    this._state.configurations = [...configurations];
    if (progress) {
      this._state.progress = progress;
    }
    this._flushTimer ??= setTimeout(() => this._flush(), FLUSH_MS);
  }

  setStatus(status: EvalStatus, error?: string, outDir?: string): void {
    this._flush();
    this._state.status = status;
    this._state.error = error;
    if (outDir !== undefined) {
      this._state.outDir = outDir;
    }
    this.webviewPanel.title = this._title();
    this._post({ type: 'eval/status', status, error, outDir });
  }

  setThreshold(threshold: number, target: 'user' | 'workspace'): void {
    this._state.threshold = threshold;
    this._state.thresholdTarget = target;
    this._post({ type: 'eval/thresholdDidChange', threshold, target });
  }

  folderPicked(outDir: string): void {
    this._state.form.outDir = outDir;
    this._post({ type: 'eval/folderPicked', outDir });
  }

  reveal(): void {
    this.webviewPanel.reveal(undefined, false);
  }

  private _index(): void {
    this._runIndex.clear();
    this._state.runs.forEach((r, i) => this._runIndex.set(runKey(r), i));
  }

  private _title(): string {
    const name = this._state.dataset?.name;
    const status = this._state.status === 'running' ? ' (running)' : '';
    return `SpecReason: Evaluate${name ? ` ${name}` : ''}${status}`;
  }

  private _flush(): void {
    clearTimeout(this._flushTimer);
    this._flushTimer = undefined;
    if (this._pendingRuns.length === 0 && !this._state.progress) {
      return;
    }
    this._post({
      type: 'eval/didUpdate',
      runs: this._pendingRuns.splice(0),
      configurations: this._state.configurations,
      progress: this._state.progress,
    });
  }
}

export function emptyEvalState(
  form: EvalPanelState['form'],
  threshold: number,
  thresholdTarget: 'user' | 'workspace',
): EvalPanelState {
  return {
    protocolVersion: EVAL_PROTOCOL_VERSION,
    form,
    status: 'idle',
    configurations: [],
    runs: [],
    threshold,
    thresholdTarget,
  };
}
