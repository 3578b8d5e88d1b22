// Where requests (and the API key) go is chosen in user or Remote settings only. A workspace's
// .vscode/settings.json is not trusted with it: a cloned repository could otherwise point the extension at
// any host, and it would send the stored key there, even at startup (the status-bar health check).
// Not the `machine` scope: in a remote window (Remote-SSH, code-server) VS Code then ignores these settings
// in the local user settings and hides them from the Settings editor's User tab. Instead they are read here
// from the user layer (local user merged with Remote), whatever the workspace says; the manifest also lists
// them in `restrictedConfigurations`, so VS Code itself ignores them in untrusted workspaces.

import * as vscode from 'vscode';

/** Setting keys (under `specreason.`) that decide which server a request goes to. */
export const SERVER_LOCATION_KEYS: ReadonlySet<string> = new Set([
  'server.host',
  'server.basePort',
  'server.smallPort',
  'server.baseUrl',
  'server.smallUrl',
]);

/** A server-location setting from user and Remote settings, else its default; workspace values are ignored. */
export function userLayerValue<T>(c: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const values = c.inspect<T>(key);
  return values?.globalValue ?? values?.defaultValue;
}

/** The server-location settings a workspace (or folder) tries to set, which are ignored. */
export function ignoredWorkspaceServerSettings(c: vscode.WorkspaceConfiguration): string[] {
  return [...SERVER_LOCATION_KEYS].filter((key) => {
    const values = c.inspect(key);
    return values?.workspaceValue !== undefined || values?.workspaceFolderValue !== undefined;
  });
}

/** Tell the user (once per change) that a workspace's server settings are ignored, and log it. */
export function warnAboutWorkspaceServerSettings(section: string, log: vscode.LogOutputChannel): vscode.Disposable {
  let warned = '';
  const check = () => {
    const ignored = ignoredWorkspaceServerSettings(vscode.workspace.getConfiguration(section));
    const ids = ignored.map((k) => `${section}.${k}`).join(', ');
    if (ids && ids !== warned) {
      log.warn(`ignored workspace settings ${ids}: the servers are chosen in user or Remote settings only`);
      void vscode.window.showWarningMessage(
        `SpecReason: this workspace sets ${ids}; ignored. Which servers SpecReason talks to (and sends your API key to) is set in user or Remote settings only.`,
      );
    }
    warned = ids;
  };
  check();
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(section)) {
      check();
    }
  });
}
