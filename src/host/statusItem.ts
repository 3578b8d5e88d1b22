// The status-bar item: the pair's health (from the last server check) and the current threshold and
// budget; clicking it opens the tuning quick pick.

import * as vscode from 'vscode';
import { Disposable } from './disposable';
import { describeReport, type ServerReport } from './serverCheck';
import { readSettings, tuningValues } from './settings';

/** The status-bar item: pair health, threshold and budget; click to tune. */
export class StatusItem extends Disposable {
  private readonly _item = this._register(
    vscode.window.createStatusBarItem('specreason.status', vscode.StatusBarAlignment.Right, 100),
  );
  private _health: 'unknown' | 'ok' | 'down' = 'unknown';
  private _detail = 'Servers not checked yet';

  constructor() {
    super();
    this._item.name = 'SpecReason';
    this._item.command = 'specreason.tune';
    this.refresh();
    this._item.show();
  }

  setHealth(reports: ServerReport[]): void {
    this._health = reports.every((r) => !r.problem) ? 'ok' : 'down';
    this._detail = reports.map(describeReport).join('\n');
    this.refresh();
  }

  refresh(): void {
    const { threshold, tokenBudget, scoreMethod } = tuningValues(readSettings());
    const icon = this._health === 'ok' ? '$(pass-filled)' : this._health === 'down' ? '$(error)' : '$(circle-outline)';
    this._item.text = `${icon} SpecReason ${threshold}/${tokenBudget}`;
    this._item.tooltip = new vscode.MarkdownString(
      `**SpecReason** — threshold ${threshold} (${scoreMethod}), token budget ${tokenBudget}\n\n${this._detail
        .split('\n')
        .map((l) => `- ${l}`)
        .join('\n')}\n\nClick to change.`,
    );
    this._item.backgroundColor =
      this._health === 'down' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }
}
