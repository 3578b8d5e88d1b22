// Owns one reasoning panel: the authoritative panel state (replayed to the webview after every
// `webview/ready`), batched event delivery, and the webview's messages (validated, then handed on).

import * as vscode from 'vscode';
import type { RunEvent } from '../core/engine/runRecord';
import {
  parseFromWebview,
  PROTOCOL_VERSION,
  type FromWebview,
  type LiveMetrics,
  type PanelRun,
  type PanelState,
  type ToWebview,
  type TuningValues,
} from '../shared/protocol';
import { EventBatcher } from '../shared/panelSync';
import { panelTitle } from '../shared/panelTitle';
import { PanelHost } from './panelHost';

export const VIEW_TYPE = 'specreason.reasoning';

/** Deltas are coalesced for this long before they are posted (not one message per token). */
const FLUSH_MS = 40;

export type PanelMessageHandler = (message: FromWebview) => void;

export class ReasoningPanel extends PanelHost<ToWebview, FromWebview> {
  private readonly _batcher = new EventBatcher();
  protected readonly _readyType = 'webview/ready';

  static create(extensionUri: vscode.Uri, state: PanelState, onMessage: PanelMessageHandler): ReasoningPanel {
    const panel = vscode.window.createWebviewPanel(
      VIEW_TYPE,
      panelTitle(state),
      { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true },
      PanelHost.options(extensionUri),
    );
    return new ReasoningPanel(panel, extensionUri, state, onMessage);
  }

  constructor(
    webviewPanel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    private _state: PanelState,
    private readonly _onMessage: PanelMessageHandler,
  ) {
    webviewPanel.webview.options = PanelHost.options(extensionUri);
    super(webviewPanel, extensionUri, !!_state.simulated, 'reasoning');
    webviewPanel.title = this._title();
  }

  protected _parse(raw: unknown): FromWebview | undefined {
    return parseFromWebview(raw);
  }

  /** The snapshot holds the queued events too, so they are not sent again (see panelSync.ts). */
  protected _sendSnapshot(): void {
    clearTimeout(this._flushTimer);
    this._flushTimer = undefined;
    this._post(this._batcher.snapshot(this._state));
  }

  protected _handle(message: FromWebview): void {
    this._onMessage(message);
  }

  get state(): PanelState {
    return this._state;
  }
  /** Whether the panel is the active (focused) editor tab. */
  get active(): boolean {
    return this.webviewPanel.active;
  }
  /** In view (its tab is the active one of a visible editor group). */
  get visible(): boolean {
    return this.webviewPanel.visible;
  }
  get running(): boolean {
    return this._state.runs.some((r) => r.status === 'running');
  }
  /** The tab title (see panelTitle). */
  get title(): string {
    return this.webviewPanel.title;
  }
  /** A pinned panel is never reused for another problem. */
  get pinned(): boolean {
    return !!this._state.pinned;
  }

  setPinned(pinned: boolean): void {
    this._state.pinned = pinned;
    this._post({ type: 'panel/didPin', pinned });
  }

  /** Bring the panel to the front without taking the focus from the editor (a reused panel may be hidden). */
  reveal(): void {
    this.webviewPanel.reveal(undefined, true);
  }

  /** Replace the whole state (a re-run, or a restored session) and send it. */
  reset(state: PanelState): void {
    this._flush();
    this._state = state;
    this.webviewPanel.title = this._title();
    this._post(this._batcher.snapshot(state));
  }

  startRun(run: PanelRun): void {
    this._flush();
    this._state.runs = [...this._state.runs.filter((r) => r.runId !== run.runId), run];
    this._post({ type: 'run/didStart', run });
    this.webviewPanel.title = this._title();
  }

  /** Apply an engine event now; deliver it to the webview with the others of the next few ms. */
  pushEvent(runId: string, event: RunEvent): void {
    const run = this._state.runs.find((r) => r.runId === runId);
    if (!run || this.isDisposed) {
      return;
    }
    this._batcher.push(run, event);
    if (event.type === 'run-done' || event.type === 'error') {
      this._flush();
      this.webviewPanel.title = this._title();
    } else {
      this._flushTimer ??= setTimeout(() => this._flush(), FLUSH_MS);
    }
  }

  setTuning(tuning: TuningValues): void {
    this._state.tuning = tuning;
    this._post({ type: 'settings/didChange', tuning });
  }

  setMetrics(metrics: LiveMetrics): void {
    this._state.metrics = metrics;
    this._post({ type: 'metrics/didUpdate', metrics });
  }

  private _title(): string {
    return panelTitle(this._state);
  }

  private _flush(): void {
    clearTimeout(this._flushTimer);
    this._flushTimer = undefined;
    for (const message of this._batcher.take()) {
      this._post(message);
    }
  }
}

export function emptyState(
  kind: PanelState['kind'],
  problem: PanelState['problem'],
  tuning: TuningValues,
  simulated: boolean,
): PanelState {
  return { protocolVersion: PROTOCOL_VERSION, kind, problem, runs: [], tuning, simulated };
}
