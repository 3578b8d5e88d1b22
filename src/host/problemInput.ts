// The problem a Solve or Compare command works on: the given text, the editor's selection, with no
// selection the problem block at the cursor (or the (short) document, said in the panel), or what the
// user types; refused with a message when empty or too long. Where it came from goes with it ("Go to source").

import * as vscode from 'vscode';
import { documentProblem } from '../core/problem/documentProblem';
import { problemFileKind } from '../core/problem/problemBlocks';
import { problemTextProblem } from '../core/problem/problemText';
import { parseProblem, type Problem } from '../core/engine/prompts';
import { parseProblemSource, type ProblemSource } from '../shared/protocol';
import { openSettingsAction, showError } from './notify';
import { readSettings } from './settings';

/** Below this many characters, Solve with no selection and no problem block takes the whole document. */
const WHOLE_DOCUMENT_LIMIT = 4000;
/** Beyond this many lines no problem blocks are looked for (as CodeLens). */
const MAX_SCANNED_LINES = 20000;

/** A problem to run, what the panel says about it, and where its text is. */
export interface ProblemInput {
  problem: Problem;
  note?: string;
  source?: ProblemSource;
}

type Picked = { text: string; note?: string; source?: ProblemSource } | undefined;

/** With no selection: the problem block at the cursor, one the user picks, or the short document. */
async function fromDocument(editor: vscode.TextEditor): Promise<Picked | 'none'> {
  const doc = editor.document;
  const all = doc.getText();
  if (!all.trim() || doc.lineCount > MAX_SCANNED_LINES) {
    return 'none';
  }
  const uri = doc.uri.toString();
  const found = documentProblem(all, problemFileKind(doc.languageId, doc.fileName), editor.selection.active.line);
  if (found.kind === 'block' || (found.kind === 'whole' && found.text.length <= WHOLE_DOCUMENT_LIMIT)) {
    return { text: found.text, note: found.note, source: { uri, ...found.span } };
  }
  if (found.kind === 'whole') {
    return 'none';
  }
  const pick = await vscode.window.showQuickPick(
    found.blocks.map((b, index) => ({
      label: b.label ? `Problem ${b.label}` : `Problem on line ${b.line + 1}`,
      detail: b.text.replace(/\s+/g, ' ').slice(0, 200),
      index,
    })),
    { title: 'SpecReason: nothing is selected. Which problem?', ignoreFocusOut: true },
  );
  if (!pick) {
    return undefined;
  }
  const block = found.blocks[pick.index]!;
  return {
    text: block.text,
    note: `Solving ${pick.label.replace(/^Problem/, 'problem')} (no selection; the rest of the document is not sent)`,
    source: { uri, line: block.line, endLine: block.endLine },
  };
}

/**
 * The problem typed in a box. Enter on an empty box keeps it open and says what to do (it used to close the box
 * and then complain); Escape closes it. Undefined when closed.
 */
export function askForProblem(): Promise<string | undefined> {
  const box = vscode.window.createInputBox();
  box.title = 'SpecReason: problem to solve';
  box.prompt = 'Select a problem in the editor, or type it here';
  box.ignoreFocusOut = true;
  return new Promise((resolve) => {
    let accepted: string | undefined;
    box.onDidChangeValue(() => {
      box.validationMessage = undefined;
    });
    box.onDidAccept(() => {
      if (!box.value.trim()) {
        box.validationMessage = 'Type the problem first (or press Escape and select it in the editor)';
        return;
      }
      accepted = box.value;
      box.hide();
    });
    box.onDidHide(() => {
      box.dispose();
      resolve(accepted);
    });
    box.show();
  });
}

/** The problem of a Solve or Compare command. `given`: a CodeLens' text, with `givenSource` where it is. */
export async function problemFromEditor(given?: string, givenSource?: unknown): Promise<ProblemInput | undefined> {
  const settings = readSettings();
  let text = given;
  let note: string | undefined;
  let source = given === undefined ? undefined : parseProblemSource(givenSource);
  if (text === undefined) {
    const editor = vscode.window.activeTextEditor;
    const picked = editor && editor.selection.isEmpty ? await fromDocument(editor) : 'none';
    if (picked === undefined) {
      return undefined; // the user closed the choice
    }
    if (editor && !editor.selection.isEmpty) {
      text = editor.selections.map((s) => editor.document.getText(s)).join('\n');
      const lines = editor.selections.flatMap((s) => [s.start.line, s.end.line]);
      source = { uri: editor.document.uri.toString(), line: Math.min(...lines), endLine: Math.max(...lines) };
    } else if (picked !== 'none') {
      ({ text, note, source } = picked);
    } else {
      text = await askForProblem();
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
    return { problem: parseProblem(text, settings.config.promptStyle), note, source };
  } catch (error) {
    void showError(
      `${(error as Error).message} (setting specreason.promptStyle).`,
      openSettingsAction('specreason.promptStyle'),
    );
    return undefined;
  }
}
