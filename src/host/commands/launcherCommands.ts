// Start Servers, Stop Servers, Show Server Logs, and the sample problem the walkthrough opens.

import * as vscode from 'vscode';
import type { ModelRole } from '../../core/config';
import { DEMO_PROBLEM } from '../../sim/scenarios';
import type { Host } from '../host';
import type { Commands } from './registry';

export function launcherCommands({ launcher }: Host): Commands {
  return {
    'specreason.startServers': () => launcher.start(),
    'specreason.stopServers': () => launcher.stop(),
    'specreason.showServerLogs': (role?: ModelRole) => launcher.showLogs(role),
    'specreason.openSampleProblem': async () => {
      const document = await vscode.workspace.openTextDocument({
        language: 'markdown',
        content: `# Try SpecReason\n\nClick **Solve** or **Compare** above the problem (or select it and press Ctrl+Alt+R).\n\n## Problem\n\n${DEMO_PROBLEM}\n`,
      });
      await vscode.window.showTextDocument(document);
    },
  };
}
