// The status-bar item: the pair's health (from the last server check) and the current threshold and
// budget; clicking it opens the tuning quick pick.

import * as vscode from 'vscode';
import { formatCount } from '../core/presentation/format';
import { Disposable } from './disposable';
import { HOST_SETTINGS } from '../core/settingsTable';
import { readSetting, readSettings, tuningValues } from './settings';

/** The status-bar item: pair health, threshold and budget; click to tune. */
export class StatusItem extends Disposable {
  private readonly _item = this._register(
    vscode.window.createStatusBarItem('specreason.status', vscode.StatusBarAlignment.Right, 100),
  );
  private _health: 'unknown' | 'ok' | 'down' = 'unknown';
  get health(): 'unknown' | 'ok' | 'down' {
    return this._health;
  }
  private _detail = 'Servers not checked yet';

  constructor() {
    super();
    this._item.name = 'SpecReason';
    this._item.command = 'specreason.tune';
    this.refresh();
    this._item.show();
  }

  /** The pair's health from a server check: all well or not, and a line per server. */
  setHealth(ok: boolean, lines: string[]): void {
    this._health = ok ? 'ok' : 'down';
    this._detail = lines.join('\n');
    this.refresh();
  }

  private _starting = false;

  /** While the extension's body loads (its first use in a window): say that SpecReason is starting. */
  setStarting(starting: boolean): void {
    this._starting = starting;
    this.refresh();
  }

  refresh(): void {
    const { threshold, tokenBudget, scoreMethod } = tuningValues(readSettings());
    if (this._starting) {
      this._item.text = '$(loading~spin) SpecReason starting…';
      this._item.tooltip = 'SpecReason is loading its engine (the first use in this window).';
      this._item.backgroundColor = undefined;
      return;
    }
    const icon = this._health === 'ok' ? '$(pass-filled)' : this._health === 'down' ? '$(error)' : '$(circle-outline)';
    // What the numbers are, on the item itself (it used to say "SpecReason 7/8192").
    this._item.text = `${icon} SpecReason: threshold ${threshold} · budget ${formatCount(tokenBudget)}`;
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

/**
 * Between runs the status bar would go stale (a server that died or came back shows only at the next run):
 * while `wanted()` (a panel in view, no run going) recheck every `specreason.status.healthRecheck` seconds.
 * `rearm()` after a settings change picks up a new interval (0 turns it off).
 */
export function recheckHealthWhile(
  wanted: () => boolean,
  recheck: () => Promise<void>,
): vscode.Disposable & { rearm(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const tick = async () => {
    try {
      if (wanted()) {
        await recheck();
      }
    } catch {
      // the next tick tries again; a failed check is itself reported as a server problem
    } finally {
      rearm();
    }
  };
  const rearm = () => {
    clearTimeout(timer);
    const seconds = readSetting(HOST_SETTINGS.healthRecheckSec);
    timer = !disposed && seconds > 0 ? setTimeout(() => void tick(), seconds * 1000) : undefined;
  };
  rearm();
  return {
    rearm,
    dispose: () => {
      disposed = true;
      clearTimeout(timer);
    },
  };
}
