// "Solve | Compare" above each problem in Markdown and plain-text files and on each line of a JSONL problem set
// (src/core/problem/problemBlocks.ts finds them). Off with specreason.codeLens.enabled.

import * as vscode from 'vscode';
import { findProblemBlocks, problemFileKind } from '../core/problem/problemBlocks';
import { HOST_SETTINGS } from '../core/settingsTable';
import { SECTION, readSetting } from './settings';

const SELECTOR: vscode.DocumentSelector = [
  { language: 'markdown' },
  { language: 'plaintext' },
  { language: 'jsonl' },
  { pattern: '**/*.jsonl' },
];

class ProblemCodeLenses implements vscode.CodeLensProvider {
  private readonly _changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this._changed.event;

  refresh(): void {
    this._changed.fire();
  }

  provideCodeLenses(document: vscode.TextDocument): vscode.CodeLens[] {
    if (!readSetting(HOST_SETTINGS.codeLensEnabled, document.uri)) {
      return [];
    }
    const kind = problemFileKind(document.languageId, document.fileName);
    if (!kind || document.lineCount > 20000) {
      return [];
    }
    return findProblemBlocks(document.getText(), kind).flatMap((block) => {
      const range = new vscode.Range(block.line, 0, block.line, 0);
      const source = { uri: document.uri.toString(), line: block.line, endLine: block.endLine };
      const name = block.label ? ` ${block.label}` : '';
      return [
        new vscode.CodeLens(range, {
          title: '$(play) Solve',
          tooltip: `SpecReason: solve problem${name}`,
          command: 'specreason.solveSelection',
          arguments: [block.text, source],
        }),
        new vscode.CodeLens(range, {
          title: 'Compare',
          tooltip: `SpecReason: compare problem${name} with the base model alone`,
          command: 'specreason.compareWithBase',
          arguments: [block.text, source],
        }),
      ];
    });
  }

  dispose(): void {
    this._changed.dispose();
  }
}

export function registerProblemCodeLenses(): vscode.Disposable {
  const provider = new ProblemCodeLenses();
  return vscode.Disposable.from(
    provider,
    vscode.languages.registerCodeLensProvider(SELECTOR, provider),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(`${SECTION}.codeLens`)) {
        provider.refresh();
      }
    }),
  );
}
