// The tuning quick pick (command Tune Threshold and Budget, and the status-bar item's click).

import * as vscode from 'vscode';
import { parseNumberText, TUNING_KEYS, tuningSetting, type TuningKey } from '../core/settingsTable';
import { readSettings, tuningValues, writeTuning } from './settings';

/** Quick pick to change one of the tunable settings (see the settings table), or check the servers. */
export async function tuneQuickPick(): Promise<void> {
  const t = tuningValues(readSettings());
  const items: Array<vscode.QuickPickItem & { key: TuningKey | 'checkServers' }> = [
    ...TUNING_KEYS.map((key) => {
      const { tune } = tuningSetting(key);
      return { key, label: `${tune.label}: ${t[key]}`, description: tune.hint };
    }),
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
  const key = pick.key;
  const spec = tuningSetting(key);
  let value: string | number | undefined;
  switch (spec.kind) {
    case 'choice':
      value = (
        await vscode.window.showQuickPick(
          spec.choices.map((choice) => ({ label: choice, description: spec.descriptions?.[choice] })),
          { title: spec.tune.label },
        )
      )?.label;
      break;
    case 'number': {
      const parse = (text: string) => parseNumberText(spec.tune.label, spec, text);
      const input = await vscode.window.showInputBox({
        title: spec.tune.label,
        value: String(t[key]),
        validateInput: (text) => {
          const parsed = parse(text);
          return 'problem' in parsed ? parsed.problem : undefined;
        },
      });
      const parsed = input === undefined ? undefined : parse(input);
      value = parsed && 'value' in parsed ? parsed.value : undefined;
      break;
    }
    default: {
      const unknown: never = spec;
      return unknown;
    }
  }
  if (value !== undefined) {
    await writeTuning(key, value, t.target);
  }
}
