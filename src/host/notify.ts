// The one way the host reports an error to the user: a notification with the message, the caller's
// fix-it actions, and always "Show Log" (the log has the details the one-line message leaves out).

import * as vscode from 'vscode';
import { describeCause } from '../core/errors';

export interface ErrorAction {
  title: string;
  run: () => unknown;
}

const SHOW_LOG: ErrorAction = {
  title: 'Show Log',
  run: () => vscode.commands.executeCommand('specreason.showLog'),
};

/** An action that opens the Settings editor filtered to `query` (a setting id or a prefix of one). */
export function openSettingsAction(query: string): ErrorAction {
  return { title: 'Open Settings', run: () => vscode.commands.executeCommand('workbench.action.openSettings', query) };
}

/** An action that runs one of the extension's (or VS Code's) commands. */
export function commandAction(title: string, command: string, ...args: unknown[]): ErrorAction {
  return { title, run: () => vscode.commands.executeCommand(command, ...args) };
}

/**
 * Show `message` (prefixed "SpecReason: ") as an error with `actions` and "Show Log". Settles when the
 * user picked an action (and it ran) or closed the notification; never rejects.
 */
export async function showError(message: string, ...actions: ErrorAction[]): Promise<void> {
  const all = [...actions, SHOW_LOG];
  const choice = await vscode.window.showErrorMessage(`SpecReason: ${message}`, ...all.map((a) => a.title));
  try {
    await all.find((a) => a.title === choice)?.run();
  } catch (error) {
    void vscode.window.showErrorMessage(`SpecReason: ${choice} failed: ${errorMessage(error)}`);
  }
}

/** The message of anything thrown. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** What the log keeps of anything thrown: its message (or stack) and the chain of errors underneath it. */
export function errorForLog(error: unknown, withStack = false): string {
  if (!(error instanceof Error)) {
    return String(error);
  }
  const cause = describeCause(error.cause);
  return `${withStack ? (error.stack ?? error.message) : error.message}${cause ? ` (cause: ${cause})` : ''}`;
}
