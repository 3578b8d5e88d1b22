// What the reasoning and Evaluate panels' hosts share: one webview panel with its page, the ready handshake
// (answered with the whole state), the webview's CSP reports, posting (a hidden webview drops messages; the
// snapshot after its next ready repairs that), the batching timer and disposal.

import * as vscode from 'vscode';
import { Disposable } from './disposable';
import { panelHtml } from './webviewHtml';

/** A webview's report of what the Content Security Policy blocked (both panels send it). */
type CspReport = { readonly type: 'webview/cspViolation'; readonly directive: string; readonly blocked: string };

const isCspReport = (message: { readonly type: string }): message is CspReport =>
  message.type === 'webview/cspViolation';

export abstract class PanelHost<ToView, FromView extends { readonly type: string }> extends Disposable {
  protected _flushTimer?: NodeJS.Timeout;
  private readonly _onDidDispose = new vscode.EventEmitter<void>();
  readonly onDidDispose = this._onDidDispose.event;
  /** Resolves when the webview has said it is ready (tests wait on it). */
  readonly ready: Promise<void>;
  private _markReady!: () => void;
  readonly cspViolations: Array<{ directive: string; blocked: string }> = [];

  /** The options both panels' webviews are created (and restored) with. */
  static options(extensionUri: vscode.Uri): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(extensionUri, 'media')],
      enableFindWidget: true,
    };
  }

  constructor(
    readonly webviewPanel: vscode.WebviewPanel,
    extensionUri: vscode.Uri,
    simulated: boolean,
    page: 'reasoning' | 'evaluate',
  ) {
    super();
    this.ready = new Promise((resolve) => {
      this._markReady = resolve;
    });
    webviewPanel.iconPath = vscode.Uri.joinPath(extensionUri, 'media', 'icon.png');
    webviewPanel.webview.html = panelHtml(
      webviewPanel.webview,
      extensionUri,
      simulated,
      (base, ...parts) => vscode.Uri.joinPath(base, ...parts),
      page,
    );
    this._register(webviewPanel.onDidDispose(() => this.dispose()));
    this._register(webviewPanel.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)));
  }

  /** The webview's message, validated (undefined when it is not one). */
  protected abstract _parse(raw: unknown): FromView | undefined;
  /** The type of the webview's "ready" message. */
  protected abstract readonly _readyType: FromView['type'];
  /** Answers "ready" with the whole state: messages sent while the view was hidden are lost. */
  protected abstract _sendSnapshot(): void;
  /** Where the other validated messages go. */
  protected abstract _handle(message: FromView): void;

  /** Handle a message from the webview: untrusted, so validated first; invalid ones are dropped. */
  receive(raw: unknown): void {
    const message = this._parse(raw);
    if (!message) {
      return;
    }
    if (message.type === this._readyType) {
      this._sendSnapshot();
      this._markReady();
      return;
    }
    if (isCspReport(message)) {
      this.cspViolations.push({ directive: message.directive, blocked: message.blocked });
    }
    this._handle(message);
  }

  protected _post(message: ToView): void {
    if (this.isDisposed) {
      return;
    }
    // A hidden webview drops messages; the snapshot after its next ready repairs that.
    void this.webviewPanel.webview.postMessage(message).then(undefined, () => undefined);
  }

  override dispose(): void {
    if (this.isDisposed) {
      return;
    }
    super.dispose();
    clearTimeout(this._flushTimer);
    this._onDidDispose.fire();
    this._onDidDispose.dispose();
    this.webviewPanel.dispose();
  }
}
