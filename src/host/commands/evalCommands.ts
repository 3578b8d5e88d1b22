// Evaluate Problem Set…, Open Evaluation…, Show Evaluation History.

import * as vscode from 'vscode';
import type { Host } from '../host';
import type { Commands } from './registry';

export const PROBLEM_SET_EXTENSIONS = ['jsonl', 'json', 'csv', 'parquet'] as const;

export function evalCommands({ evaluations }: Host): Commands {
  return {
    /** From the palette (asks for the file), the Explorer context menu or the editor title (get the file). */
    'specreason.evaluateProblemSet': async (uri?: vscode.Uri) => {
      const file =
        uri instanceof vscode.Uri
          ? uri
          : (
              await vscode.window.showOpenDialog({
                title: 'SpecReason: problem set to evaluate',
                canSelectMany: false,
                filters: { 'Problem sets': [...PROBLEM_SET_EXTENSIONS] },
                openLabel: 'Evaluate',
              })
            )?.[0];
      return file ? evaluations.openDataset(file) : undefined;
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
