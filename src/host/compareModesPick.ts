// The quick pick of Compare Modes…: which step policies and baselines one comparison runs side by side.

import * as vscode from 'vscode';
import { COMPARE_MODES, HOST_SETTINGS, type CompareMode } from '../core/settingsTable';

const MODES = HOST_SETTINGS.compareModes;

/**
 * Two or more modes picked by the user, or undefined when dismissed. `current`: the setting's modes, ticked at
 * first (none: SpecReason against base-only). Fewer than two picked: the pick opens again with them ticked.
 */
export async function pickCompareModes(current: readonly CompareMode[]): Promise<CompareMode[] | undefined> {
  let ticked = new Set<CompareMode>(current.length > 0 ? current : ['specreason', 'base']);
  let problem = '';
  for (;;) {
    const items = COMPARE_MODES.map((mode) => ({
      mode,
      label: mode,
      description: mode === 'base' ? 'the reference of every speedup' : undefined,
      detail: MODES.descriptions[mode],
      picked: ticked.has(mode),
    }));
    const picks = await vscode.window.showQuickPick(items, {
      canPickMany: true,
      title: 'SpecReason: Compare Modes',
      placeHolder: `${problem}Tick two or more modes to run side by side; each policy's speedup is against base-only (the setting specreason.compare.modes is the default)`,
      matchOnDetail: true,
    });
    if (!picks) {
      return undefined;
    }
    if (picks.length >= MODES.minItems) {
      return picks.map((p) => p.mode);
    }
    ticked = new Set(picks.map((p) => p.mode));
    problem = `Pick ${MODES.minItems} or more (you ticked ${picks.length}). `;
  }
}
