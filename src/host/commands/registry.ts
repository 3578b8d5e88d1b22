// Commands come in families (one file each, a function from the host to a map of id → handler);
// this registers them all the same way: a handler that throws is logged and shown with "Show Log".

import * as vscode from 'vscode';
import type { Host } from '../host';
import { errorForLog, errorMessage, showError } from '../notify';

export type CommandHandler = (...args: never[]) => unknown;

/** Command id (as contributed in package.json) → handler. */
export type Commands = Record<string, CommandHandler>;

export type CommandFamily = (host: Host) => Commands;

export function registerCommands(host: Host, families: readonly CommandFamily[]): vscode.Disposable[] {
  return families.flatMap((family) =>
    Object.entries(family(host)).map(([id, handler]) =>
      vscode.commands.registerCommand(id, async (...args: never[]) => {
        try {
          return await handler(...args);
        } catch (error) {
          host.log.error(`${id}: ${errorForLog(error, true)}`);
          void showError(errorMessage(error));
          return undefined;
        }
      }),
    ),
  );
}
