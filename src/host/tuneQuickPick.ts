// The tuning quick pick (command Tune Threshold and Budget, and the status-bar item's click).

import * as vscode from 'vscode';
import { readSettings, settingsProblems, tuningValues, writeTuning } from './settings';

/** Quick pick to change threshold, score method, budget or first-N base steps. */
export async function tuneQuickPick(): Promise<void> {
  const settings = readSettings();
  const t = tuningValues(settings);
  const items: Array<
    vscode.QuickPickItem & { key: 'threshold' | 'scoreMethod' | 'tokenBudget' | 'firstNBaseSteps' | 'checkServers' }
  > = [
    { key: 'threshold', label: `Threshold: ${t.threshold}`, description: 'keep drafts scoring at least this (0–9)' },
    {
      key: 'scoreMethod',
      label: `Score method: ${t.scoreMethod}`,
      description: 'greedy token or logprob-weighted average',
    },
    { key: 'tokenBudget', label: `Token budget: ${t.tokenBudget}`, description: 'output tokens of kept steps' },
    {
      key: 'firstNBaseSteps',
      label: `First N base steps: ${t.firstNBaseSteps}`,
      description: 'steps the base model writes directly',
    },
    { key: 'checkServers', label: '$(pulse) Check Servers' },
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: 'SpecReason',
    placeHolder: `Changes are saved to ${t.target} settings`,
  });
  if (!pick) {
    return;
  }
  if (pick.key === 'checkServers') {
    await vscode.commands.executeCommand('specreason.checkServers');
    return;
  }
  let value: string | number | undefined;
  if (pick.key === 'scoreMethod') {
    value = await vscode.window.showQuickPick(['greedy', 'average'], { title: 'Score method' });
  } else {
    const input = await vscode.window.showInputBox({
      title: pick.label.split(':')[0],
      value: String(t[pick.key]),
      validateInput: (text) => {
        const n = Number(text);
        if (!text.trim() || !Number.isFinite(n)) {
          return 'Enter a number';
        }
        const check = settingsProblems({ ...settings, config: { ...settings.config, [pick.key]: n } }).find((p) =>
          p.setting.endsWith(pick.key),
        );
        return check?.message;
      },
    });
    value = input === undefined ? undefined : Number(input);
  }
  if (value !== undefined) {
    await writeTuning(pick.key, value, t.target);
  }
}
