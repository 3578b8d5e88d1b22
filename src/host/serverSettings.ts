// Which servers requests (and the API key) go to, and which commands Start Servers runs, are chosen in user or
// Remote settings only. A workspace's .vscode/settings.json is not trusted with them: a cloned repository could
// otherwise point the extension at any host (it would send the stored key there, even at startup) or make Start
// Servers run any command.
//
// Not the `machine` scope: in a remote window (Remote-SSH, WSL, dev containers, code-server) VS Code reads only
// the window, resource and language-overridable settings of the local User settings (LOCAL_MACHINE_SCOPES in VS
// Code's configuration service), so a machine-scoped value there is dropped, and the Settings editor shows the
// default. Worse, it is dropped only once VS Code re-reads the file (after any setting is written), so Start
// Servers worked at first and then ran `vllm serve`. These settings have the default (window) scope instead,
// are read here from the user layer (local User merged with Remote), whatever the workspace says, and the
// manifest lists them in `restrictedConfigurations`, so VS Code itself ignores them in untrusted workspaces. The
// settings table marks them (`userOnly`); the manifest's list is generated from it.

import * as vscode from 'vscode';
import { ALL_SETTINGS, type Setting } from '../core/settingsTable';

/** Setting keys (under `specreason.`) of the table's entries that are user-only for `reason`. */
const userOnly = (reason: Setting['userOnly']): ReadonlySet<string> =>
  new Set(
    Object.values(ALL_SETTINGS)
      .filter((s) => s.userOnly === reason)
      .map((s) => s.setting),
  );

/** Setting keys (under `specreason.`) that decide which server a request goes to. */
export const SERVER_LOCATION_KEYS = userOnly('server');

/** Setting keys (under `specreason.`) of what Start Servers runs, and how long it waits. */
export const LAUNCH_KEYS = userOnly('launch');

/** Every setting a workspace cannot set: read from user and Remote settings only. */
export const USER_ONLY_KEYS: ReadonlySet<string> = new Set([...SERVER_LOCATION_KEYS, ...LAUNCH_KEYS]);

/** A user-only setting from user and Remote settings, else its default; workspace values are ignored. */
export function userLayerValue<T>(c: vscode.WorkspaceConfiguration, key: string): T | undefined {
  const values = c.inspect<T>(key);
  return values?.globalValue ?? values?.defaultValue;
}

/** The user-only settings (of `keys`) that a workspace (or folder) tries to set, which are ignored. */
export function ignoredWorkspaceSettings(
  c: vscode.WorkspaceConfiguration,
  keys: Iterable<string> = USER_ONLY_KEYS,
): string[] {
  return [...keys].filter((key) => {
    const values = c.inspect(key);
    return values?.workspaceValue !== undefined || values?.workspaceFolderValue !== undefined;
  });
}

/** Where user-only settings go in this window: the Remote tab in a remote window, else the User tab. */
export function userSettingsTarget(): { label: string; command: string } {
  return vscode.env.remoteName
    ? { label: 'Open Remote Settings', command: 'workbench.action.openRemoteSettings' }
    : { label: 'Open User Settings', command: 'workbench.action.openGlobalSettings' };
}

/** Tell the user (once per change) that a workspace's user-only settings are ignored, and log it. */
export function warnAboutWorkspaceServerSettings(section: string, log: vscode.LogOutputChannel): vscode.Disposable {
  let warned = '';
  const check = () => {
    const ignored = ignoredWorkspaceSettings(vscode.workspace.getConfiguration(section));
    const ids = ignored.map((k) => `${section}.${k}`).join(', ');
    if (ids && ids !== warned) {
      log.warn(
        `ignored workspace settings ${ids}: servers and Start Servers' commands come from user or Remote settings only`,
      );
      void vscode.window.showWarningMessage(
        `SpecReason: this workspace sets ${ids}; ignored. Which servers SpecReason talks to (and sends your API key to) and what Start Servers runs are set in user or Remote settings only.`,
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
