// The "Get started with SpecReason" walkthrough ticks a step on a context key its command sets, not only on
// `onCommand`: VS Code counts `onCommand` only for commands the workbench itself runs (palette, keybindings,
// menus), while a CodeLens with arguments, a panel's button or a notification's action run the command inside the
// extension host, unseen by the walkthrough.

import * as vscode from 'vscode';

/** Command id → walkthrough step id (package.json `walkthroughs`: `onContext:specreason.walkthrough.<step>`). */
export const WALKTHROUGH_STEPS: Readonly<Record<string, string>> = {
  'specreason.startServers': 'servers',
  'specreason.checkServers': 'check',
  'specreason.solveSelection': 'solve',
  'specreason.compareWithBase': 'compare',
  'specreason.compareModes': 'compare',
  'specreason.tune': 'tune',
  'specreason.evaluateProblemSet': 'evaluate',
};

const marked = new Set<string>();

/** Tick the walkthrough step of `command` (once per window). */
export function markWalkthroughStep(command: string): void {
  const step = WALKTHROUGH_STEPS[command];
  if (step && !marked.has(step)) {
    marked.add(step);
    void vscode.commands.executeCommand('setContext', `specreason.walkthrough.${step}`, true);
  }
}
