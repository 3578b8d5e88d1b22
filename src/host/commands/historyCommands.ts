// Show Run History and Export Run.

import * as vscode from 'vscode';
import type { Host } from '../host';
import { historyItem } from '../historyEntry';
import { showError } from '../notify';
import type { Commands } from './registry';

export function historyCommands({ history, sessions }: Host): Commands {
  return {
    'specreason.showHistory': async () => {
      const entries = await history.existing();
      if (entries.length === 0) {
        void vscode.window.showInformationMessage('SpecReason: no saved runs yet.');
        return;
      }
      const pick = await vscode.window.showQuickPick(
        entries.map((e) => ({ ...historyItem(e), id: e.id })),
        { title: 'SpecReason: run history', matchOnDescription: true },
      );
      if (!pick) {
        return;
      }
      const saved = await history.load(pick.id);
      if (!saved) {
        await history.remove(pick.id);
        void showError("that run's file is missing or unreadable; it was removed from the history.");
        return;
      }
      sessions.openSaved(saved);
    },
    'specreason.exportRun': async () => {
      const session = sessions.current;
      if (!session) {
        void vscode.window.showInformationMessage('SpecReason: open or run a problem first.');
        return;
      }
      await sessions.exportJson(session);
    },
  };
}
