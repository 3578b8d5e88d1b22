// Tune Threshold and Budget, Set API Key, Clear API Key.

import * as vscode from 'vscode';
import type { Host } from '../host';
import { urlOrigin } from '../../core/llm/serverUrl';
import type { KeyScope } from '../secrets';
import { readSettings } from '../settings';
import { tuneQuickPick } from '../tuneQuickPick';
import type { Commands } from './registry';

export function settingsCommands({ keys, log }: Host): Commands {
  return {
    'specreason.tune': () => tuneQuickPick(),
    'specreason.setApiKey': async (scope?: KeyScope) => {
      const scopes = scope ? [scope] : await pickKeyScope();
      if (!scopes) {
        return;
      }
      const key = await vscode.window.showInputBox({
        title: `SpecReason: API key of the ${scopes.join(' and ')} server${scopes.length > 1 ? 's' : ''}`,
        prompt: "The key vLLM was started with (--api-key). Stored in VS Code's secret storage, never in settings.",
        password: true,
        ignoreFocusOut: true,
        validateInput: (v) => (v.trim() ? undefined : 'Enter the key, or use Clear API Key to remove it'),
      });
      if (key === undefined) {
        return;
      }
      const { config } = readSettings();
      for (const s of scopes) {
        await keys.set(s, key.trim(), config[s].url); // bound to this server's origin
      }
      const where = scopes.map((s) => `${s} (${urlOrigin(config[s].url) ?? config[s].url})`).join(' and ');
      log.info(`API key set for ${where}`);
      void vscode.window.showInformationMessage(`SpecReason: API key saved for the ${where} server.`);
    },
    'specreason.clearApiKey': async () => {
      for (const s of ['base', 'small'] as const) {
        await keys.clear(s);
      }
      log.info('API keys cleared');
      void vscode.window.showInformationMessage('SpecReason: API keys cleared.');
    },
  };
}

async function pickKeyScope(): Promise<KeyScope[] | undefined> {
  const pick = await vscode.window.showQuickPick(
    [
      { label: 'Both servers', scopes: ['base', 'small'] as KeyScope[] },
      { label: 'Base model server', scopes: ['base'] as KeyScope[] },
      { label: 'Small model server', scopes: ['small'] as KeyScope[] },
    ],
    { title: 'SpecReason: set the API key for…' },
  );
  return pick?.scopes;
}
