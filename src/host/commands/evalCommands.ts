// Evaluate Problem Set…, Open Evaluation…, Show Evaluation History.

import * as vscode from 'vscode';
import type { Host } from '../host';
import { pickProblemSet } from '../problemSetPicker';
import type { Commands } from './registry';

export function evalCommands({ evaluations }: Host): Commands {
  return {
    /**
     * From the palette: a file, a data set from the Hugging Face Hub or a reference preset; from the Explorer context
     * menu or the editor title: that file.
     */
    'specreason.evaluateProblemSet': async (uri?: vscode.Uri) => {
      const choice = uri instanceof vscode.Uri ? { file: uri } : await pickProblemSet();
      if (!choice) {
        return undefined;
      }
      return 'file' in choice
        ? evaluations.openDataset(choice.file)
        : evaluations.openHubDataset(choice.hub, choice.preset);
    },
    'specreason.openEvaluation': async (uri?: vscode.Uri) => {
      const folder =
        uri instanceof vscode.Uri
          ? uri
          : (
              await vscode.window.showOpenDialog({
                title: 'SpecReason: folder of an evaluation (with results.json)',
                canSelectFiles: false,
                canSelectFolders: true,
                canSelectMany: false,
                openLabel: 'Open Evaluation',
              })
            )?.[0];
      return folder ? evaluations.openFolder(folder) : undefined;
    },
    'specreason.showEvaluationHistory': () => evaluations.showHistory(),
  };
}
