// Start Servers, Stop Servers, Show Server Logs, and the sample problem the walkthrough opens.

import * as vscode from 'vscode';
import type { ModelRole } from '../../core/config';
import { DEMO_PROBLEM } from '../../sim/scenarios';
import type { Host } from '../host';
import type { Commands } from './registry';

export const SAMPLE_SCHEME = 'specreason-sample';

const SAMPLE = `# Try SpecReason\n\nClick **Solve** or **Compare** above the problem (or select it and press Ctrl+Alt+R).\n\n## Problem\n\n${DEMO_PROBLEM}\n`;

/** Serves the sample problem that Open a Sample Problem shows (registered by the activation shell). */
export const sampleProblemDocuments: vscode.TextDocumentContentProvider = {
  provideTextDocumentContent: () => SAMPLE,
};

export function launcherCommands({ launcher }: Host): Commands {
  return {
    'specreason.startServers': () => launcher.start(),
    'specreason.stopServers': () => launcher.stop(),
    'specreason.showServerLogs': (role?: ModelRole) => launcher.showLogs(role),
    'specreason.openSampleProblem': async () => {
      // A read-only virtual document: it shows the CodeLens like a file, and closing it asks nothing.
      const document = await vscode.workspace.openTextDocument(vscode.Uri.parse(`${SAMPLE_SCHEME}:/Try SpecReason.md`));
      await vscode.window.showTextDocument(document);
    },
  };
}
