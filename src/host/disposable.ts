// A base for host objects that own VS Code resources: register them once, dispose them all together.

import type * as vscode from 'vscode';

export abstract class Disposable implements vscode.Disposable {
  private readonly _owned: vscode.Disposable[] = [];
  private _isDisposed = false;

  get isDisposed(): boolean {
    return this._isDisposed;
  }

  /** Own `d`: it is disposed with this object (at once if this object is already disposed). */
  protected _register<T extends vscode.Disposable>(d: T): T {
    if (this._isDisposed) {
      d.dispose();
    } else {
      this._owned.push(d);
    }
    return d;
  }

  /** Disposes what was registered, newest first; later calls do nothing. */
  dispose(): void {
    if (this._isDisposed) {
      return;
    }
    this._isDisposed = true;
    for (const d of this._owned.splice(0).reverse()) {
      d.dispose();
    }
  }
}
