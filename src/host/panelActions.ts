// Panel actions that reach into the editor: "Go to source" (the problem's text in its document) and
// copying one step. Both read the host's own panel state, never text from the webview's message.

import * as vscode from 'vscode';
import { relocateProblem } from '../core/problem/documentProblem';
import { parseProblemSource, type PanelState } from '../shared/protocol';
import { showError } from './notify';

/** Open the problem's document and select its text; says so when the text is no longer there. */
export async function goToSource(state: PanelState): Promise<void> {
  const source = parseProblemSource(state.problemSource); // a restored panel's state came from the webview
  if (!source) {
    void vscode.window.showInformationMessage('SpecReason: this problem was typed in: there is no document to go to.');
    return;
  }
  let document: vscode.TextDocument;
  try {
    document = await vscode.workspace.openTextDocument(vscode.Uri.parse(source.uri, true));
  } catch (error) {
    void showError(`cannot open the problem's document ${source.uri}: ${(error as Error).message ?? String(error)}`);
    return;
  }
  const span = relocateProblem(document.getText(), source, state.problem.text);
  const shown = span ?? { line: Math.min(source.line, document.lineCount - 1), endLine: source.line };
  const endLine = Math.min(shown.endLine, document.lineCount - 1);
  const range = new vscode.Range(shown.line, 0, endLine, document.lineAt(endLine).text.length);
  const open = vscode.window.visibleTextEditors.find((e) => e.document === document);
  const editor = await vscode.window.showTextDocument(document, {
    viewColumn: open?.viewColumn ?? vscode.ViewColumn.One,
    selection: span ? range : undefined,
  });
  editor.revealRange(range, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  if (!span) {
    void vscode.window.showWarningMessage(
      `SpecReason: the problem's text is no longer in ${vscode.workspace.asRelativePath(document.uri)} (edited since the run); showing where it was.`,
    );
  }
}

/** Copy the kept text of one step to the clipboard. */
export async function copyStep(state: PanelState, runId: string, stepId: number): Promise<void> {
  const step = state.runs.find((r) => r.runId === runId)?.steps.find((s) => s.step_id === stepId);
  if (!step) {
    void vscode.window.showWarningMessage(
      `SpecReason: step ${stepId + 1} is not in this panel's runs; nothing copied.`,
    );
    return;
  }
  await vscode.env.clipboard.writeText(step.step_str);
  vscode.window.setStatusBarMessage(`SpecReason: step ${stepId + 1} copied`, 4000);
}
