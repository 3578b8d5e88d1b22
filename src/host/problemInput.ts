// The problem a Solve or Compare command works on: the given text, the editor's selection, the whole
// (short) document, or what the user types; refused with a message when empty or too long.

import * as vscode from 'vscode';
import { problemTextProblem } from '../core/problemText';
import { parseProblem, type Problem } from '../core/prompts';
import { openSettingsAction, showError } from './notify';
import { readSettings } from './settings';

/** Below this many characters, Solve with no selection takes the whole document. */
const WHOLE_DOCUMENT_LIMIT = 4000;

export async function problemFromEditor(given?: string): Promise<Problem | undefined> {
  const settings = readSettings();
  let text = given;
  if (text === undefined) {
    const editor = vscode.window.activeTextEditor;
    if (editor && !editor.selection.isEmpty) {
      text = editor.selections.map((s) => editor.document.getText(s)).join('\n');
    } else if (editor && editor.document.getText().trim() && editor.document.getText().length <= WHOLE_DOCUMENT_LIMIT) {
      text = editor.document.getText();
    } else {
      text = await vscode.window.showInputBox({
        title: 'SpecReason: problem to solve',
        prompt: 'Select a problem in the editor, or type it here',
        ignoreFocusOut: true,
      });
      if (text === undefined) {
        return undefined;
      }
    }
  }
  if (!text.trim()) {
    void vscode.window.showWarningMessage(
      'SpecReason: the selection is empty. Select the problem text, or type one in the box.',
    );
    return undefined;
  }
  if (text.length > settings.maxProblemLength) {
    void showError(
      `the selection has ${text.length} characters; the limit is ${settings.maxProblemLength} (setting specreason.maxProblemLength). Select just the problem.`,
      openSettingsAction('specreason.maxProblemLength'),
    );
    return undefined;
  }
  const binary = problemTextProblem(text, settings.maxProblemLength, 'the selection'); // NUL bytes, as the CLI
  if (binary) {
    void showError(`${binary}.`);
    return undefined;
  }
  try {
    return parseProblem(text, settings.config.promptStyle);
  } catch (error) {
    void showError(
      `${(error as Error).message} (setting specreason.promptStyle).`,
      openSettingsAction('specreason.promptStyle'),
    );
    return undefined;
  }
}
