// The one typed accessor over the `specreason.*` settings, with a change event and validation
// messages that name the setting the user has to fix.

import * as vscode from 'vscode';
import { makeConfig, validateConfig, type SpecReasonConfig } from '../core/config';
import {
  HOST_SETTINGS,
  RUN_SETTING_KEYS,
  RUN_SETTINGS,
  TUNING_KEYS,
  settingProblem,
  type CompareMode,
  type CompareOrder,
  type HostSettings,
  type RunSettings,
  type SaveTarget,
  type Setting,
  type TuningKey,
} from '../core/settingsTable';
import type { TuningValues } from '../shared/protocol';
import { USER_ONLY_KEYS, userLayerValue } from './serverSettings';

export const SECTION = 'specreason';

const settingId = (spec: Setting) => `${SECTION}.${spec.setting}`;

/** Engine config field → setting id, for messages that say what to change. */
const SETTING_OF: Record<string, string> = {
  'base.url': settingId(HOST_SETTINGS.baseUrl),
  'small.url': settingId(HOST_SETTINGS.smallUrl),
  ...Object.fromEntries(RUN_SETTING_KEYS.map((k) => [k, settingId(RUN_SETTINGS[k])])),
};

export interface ExtensionSettings {
  config: SpecReasonConfig;
  compareOrder: CompareOrder;
  compareIncludeSmall: boolean;
  compareRounds: number;
  /** Empty: the configured step policy against base-only (and small-only when `compareIncludeSmall`). */
  compareModes: CompareMode[];
  maxProblemLength: number;
  saveSettingsTo: SaveTarget;
  historyMaxRuns: number;
}

export class SettingsProblem extends Error {
  constructor(readonly problems: Array<{ setting: string; message: string }>) {
    super(problems.map((p) => `${p.setting}: ${p.message}`).join('; '));
  }
}

function serverUrl(explicit: string, host: string, port: number): string {
  if (explicit.trim()) {
    return explicit.trim();
  }
  const h = host.trim() || 'localhost';
  return `http://${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:${port}/v1`;
}

/** A setting's value; its default is package.json's, which a unit test holds equal to the table's. */
function read(c: vscode.WorkspaceConfiguration, spec: Setting): unknown {
  // Where requests and the API key go, and what Start Servers runs: user and Remote settings only (host/serverSettings.ts).
  const value = USER_ONLY_KEYS.has(spec.setting) ? userLayerValue(c, spec.setting) : c.get(spec.setting);
  return value ?? spec.default;
}

/** One setting of the table, for a resource (e.g. a document) when it is scoped. */
export function readSetting<S extends Setting>(spec: S, scope?: vscode.ConfigurationScope): S['default'] {
  return read(vscode.workspace.getConfiguration(SECTION, scope), spec) as S['default'];
}

/** Read every setting; API keys come from SecretStorage and are filled in by the caller. */
export function readSettings(): ExtensionSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const get = <K extends keyof HostSettings>(key: K) => read(c, HOST_SETTINGS[key]) as HostSettings[K];
  const host = get('serverHost');
  const run = Object.fromEntries(RUN_SETTING_KEYS.map((k) => [k, read(c, RUN_SETTINGS[k])])) as RunSettings;
  const config = makeConfig({
    base: {
      url: serverUrl(get('baseUrl'), host, get('basePort')),
      model: get('baseModel').trim(),
      kind: get('baseKind'),
    },
    small: {
      url: serverUrl(get('smallUrl'), host, get('smallPort')),
      model: get('smallModel').trim(),
      kind: get('smallKind'),
    },
    ...run,
  });
  return {
    config,
    compareOrder: get('compareOrder'),
    compareIncludeSmall: get('compareIncludeSmall'),
    compareRounds: get('compareRounds'),
    compareModes: get('compareModes'),
    maxProblemLength: get('maxProblemLength'),
    saveSettingsTo: get('saveSettingsTo'),
    historyMaxRuns: get('historyMaxRuns'),
  };
}

/** Problems of the current settings, each naming its setting id. */
export function settingsProblems(settings: ExtensionSettings): Array<{ setting: string; message: string }> {
  const problems = validateConfig(settings.config).map((p) => ({
    setting: SETTING_OF[p.key] ?? `specreason.${p.key}`,
    message: p.message,
  }));
  const modes = HOST_SETTINGS.compareModes;
  const modesProblem = settingProblem(settingId(modes), modes, settings.compareModes);
  return modesProblem ? [...problems, { setting: settingId(modes), message: modesProblem }] : problems;
}

export function tuningValues(settings: ExtensionSettings): TuningValues {
  const values = Object.fromEntries(TUNING_KEYS.map((k) => [k, settings.config[k]])) as Pick<RunSettings, TuningKey>;
  return { ...values, target: settings.saveSettingsTo };
}

/** Validate a tuning value before it is written; returns an error message or undefined. */
export function checkTuningValue(key: TuningKey, value: unknown): string | undefined {
  const problem = settingProblem(key, RUN_SETTINGS[key], value);
  return problem ? `${SETTING_OF[key]}: ${problem}` : undefined;
}

export async function writeTuning(key: TuningKey, value: number | string, target: SaveTarget): Promise<void> {
  const problem = checkTuningValue(key, value);
  if (problem) {
    throw new SettingsProblem([{ setting: SETTING_OF[key]!, message: problem }]);
  }
  const configTarget =
    target === 'workspace' && vscode.workspace.workspaceFolders?.length
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(SECTION).update(RUN_SETTINGS[key].setting, value, configTarget);
}

/** Fires with fresh settings whenever a specreason.* setting changes. */
export function onSettingsChanged(listener: (settings: ExtensionSettings) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) {
      listener(readSettings());
    }
  });
}
