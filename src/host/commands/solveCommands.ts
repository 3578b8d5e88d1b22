// Solve, Compare (with base, or any modes picked) and Cancel Run.

import * as vscode from 'vscode';
import type { Host } from '../host';
import { pickCompareModes } from '../compareModesPick';
import { problemFromEditor } from '../problemInput';
import { readSettings } from '../settings';
import type { Session } from '../sessions';
import type { Commands } from './registry';

export function solveCommands({ sessions }: Host): Commands {
  return {
    // CodeLens passes the problem's text and where it is; the palette and keybinding pass nothing.
    'specreason.solveSelection': async (text?: string, source?: unknown) => {
      const input = await problemFromEditor(text, source);
      return input ? sessions.start(input.problem, 'solve', input) : undefined;
    },
    'specreason.compareWithBase': async (text?: string, source?: unknown) => {
      const input = await problemFromEditor(text, source);
      return input ? sessions.start(input.problem, 'compare', input) : undefined;
    },
    // The modes of one comparison, picked from the step policies and the baselines (the setting's are ticked).
    'specreason.compareModes': async (text?: string, source?: unknown) => {
      const input = await problemFromEditor(text, source);
      const modes = input && (await pickCompareModes(readSettings().compareModes));
      return input && modes ? sessions.start(input.problem, 'compare', input, modes) : undefined;
    },
    'specreason.cancelRun': async () => {
      const running = sessions.running;
      if (running.length === 0) {
        void vscode.window.showInformationMessage('SpecReason: no run is in progress.');
        return;
      }
      const target =
        running.length === 1
          ? running[0]
          : (running.find((s) => s.panel.active) ?? (await pickSession(running, 'Cancel which run?')));
      if (target) {
        sessions.cancel(target);
      }
    },
  };
}

async function pickSession(list: Session[], title: string): Promise<Session | undefined> {
  const pick = await vscode.window.showQuickPick(
    list.map((s, i) => ({ label: s.problem.text.slice(0, 80), description: s.kind, index: i })),
    { title },
  );
  return pick ? list[pick.index] : undefined;
}
