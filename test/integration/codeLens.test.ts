// The "Solve | Compare" lenses through VS Code's own CodeLens command, and the setting that turns them off.

import assert from 'node:assert/strict';
import * as vscode from 'vscode';

async function lenses(content: string, language: string): Promise<vscode.CodeLens[]> {
  const document = await vscode.workspace.openTextDocument({ content, language });
  return (
    (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', document.uri)) ?? []
  );
}

describe('CodeLens on problems', () => {
  const markdown = '# Homework\n\n## Problem 1\n\nWhat is 17 * 23?\n\n## Notes\n\nnone\n';

  after(async () => {
    await vscode.workspace.getConfiguration('specreason').update('codeLens.enabled', undefined, true);
  });

  it('puts Solve and Compare above the problem, with its text as the argument', async () => {
    await vscode.extensions.getExtension('specreason.specreason')!.activate();
    const found = (await lenses(markdown, 'md')).filter((l) => l.command?.command.startsWith('specreason.'));
    assert.deepEqual(
      found.map((l) => [l.range.start.line, l.command!.command, l.command!.arguments]),
      [
        [4, 'specreason.solveSelection', ['What is 17 * 23?']],
        [4, 'specreason.compareWithBase', ['What is 17 * 23?']],
      ],
    );
  });

  it('specreason.codeLens.enabled = false removes them', async () => {
    await vscode.workspace.getConfiguration('specreason').update('codeLens.enabled', false, true);
    const found = (await lenses(markdown, 'md')).filter((l) => l.command?.command.startsWith('specreason.'));
    assert.deepEqual(found, []);
  });
});
