// The one typed accessor over the `specreason.*` settings, with a change event and validation
// messages that name the setting the user has to fix.

import * as vscode from 'vscode';
import { makeConfig, validateConfig, type SpecReasonConfig } from '../core/config';
import type { TuningKey, TuningValues } from '../shared/protocol';

export const SECTION = 'specreason';

/** Engine config field → setting id, for messages that say what to change. */
const SETTING_OF: Record<string, string> = {
  'base.url': 'specreason.server.baseUrl',
  'small.url': 'specreason.server.smallUrl',
  threshold: 'specreason.threshold',
  scoreMethod: 'specreason.scoreMethod',
  tokenBudget: 'specreason.tokenBudget',
  firstNBaseSteps: 'specreason.firstNBaseSteps',
  stepMaxTokens: 'specreason.stepMaxTokens',
  temperature: 'specreason.temperature',
  topP: 'specreason.topP',
  promptStyle: 'specreason.promptStyle',
  requestTimeoutSec: 'specreason.server.requestTimeout',
  maxRetries: 'specreason.server.maxRetries',
};

export const TUNING_SETTING: Record<TuningKey, string> = {
  threshold: 'threshold',
  scoreMethod: 'scoreMethod',
  tokenBudget: 'tokenBudget',
  firstNBaseSteps: 'firstNBaseSteps',
};

export interface ExtensionSettings {
  config: SpecReasonConfig;
  compareOrder: 'sequential' | 'concurrent';
  compareIncludeSmall: boolean;
  maxProblemLength: number;
  saveSettingsTo: 'user' | 'workspace';
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

/** Read every setting; API keys come from SecretStorage and are filled in by the caller. */
export function readSettings(): ExtensionSettings {
  const c = vscode.workspace.getConfiguration(SECTION);
  const host = c.get<string>('server.host', 'localhost');
  const config = makeConfig({
    base: {
      url: serverUrl(c.get<string>('server.baseUrl', ''), host, c.get<number>('server.basePort', 30000)),
      model: c.get<string>('server.baseModel', '').trim(),
    },
    small: {
      url: serverUrl(c.get<string>('server.smallUrl', ''), host, c.get<number>('server.smallPort', 30001)),
      model: c.get<string>('server.smallModel', '').trim(),
    },
    threshold: c.get<number>('threshold', 7),
    scoreMethod: c.get<SpecReasonConfig['scoreMethod']>('scoreMethod', 'greedy'),
    tokenBudget: c.get<number>('tokenBudget', 8192),
    firstNBaseSteps: c.get<number>('firstNBaseSteps', 0),
    stepMaxTokens: c.get<number>('stepMaxTokens', 512),
    temperature: c.get<number>('temperature', 0.6),
    topP: c.get<number>('topP', 0.95),
    promptStyle: c.get<SpecReasonConfig['promptStyle']>('promptStyle', 'auto'),
    stream: c.get<boolean>('stream', true),
    requestTimeoutSec: c.get<number>('server.requestTimeout', 120),
    maxRetries: c.get<number>('server.maxRetries', 1),
    draftAhead: c.get<boolean>('speculation.draftAhead', false),
    eagerFallback: c.get<boolean>('speculation.eagerFallback', false),
  });
  return {
    config,
    compareOrder: c.get<'sequential' | 'concurrent'>('compare.order', 'sequential'),
    compareIncludeSmall: c.get<boolean>('compare.includeSmall', false),
    maxProblemLength: c.get<number>('maxProblemLength', 20000),
    saveSettingsTo: c.get<'user' | 'workspace'>('panel.saveSettingsTo', 'user'),
    historyMaxRuns: c.get<number>('history.maxRuns', 50),
  };
}

/** Problems of the current settings, each naming its setting id. */
export function settingsProblems(settings: ExtensionSettings): Array<{ setting: string; message: string }> {
  return validateConfig(settings.config).map((p) => ({
    setting: SETTING_OF[p.key] ?? `specreason.${p.key}`,
    message: p.message,
  }));
}

export function tuningValues(settings: ExtensionSettings): TuningValues {
  const { threshold, scoreMethod, tokenBudget, firstNBaseSteps } = settings.config;
  return { threshold, scoreMethod, tokenBudget, firstNBaseSteps, target: settings.saveSettingsTo };
}

/** Validate a tuning value before it is written; returns an error message or undefined. */
export function checkTuningValue(key: TuningKey, value: number | string): string | undefined {
  const probe = makeConfig({ [key]: value });
  const problem = validateConfig(probe).find((p) => p.key === key);
  return problem ? `${SETTING_OF[key]}: ${problem.message}` : undefined;
}

export async function writeTuning(key: TuningKey, value: number | string, target: 'user' | 'workspace'): Promise<void> {
  const problem = checkTuningValue(key, value);
  if (problem) {
    throw new SettingsProblem([{ setting: SETTING_OF[key]!, message: problem }]);
  }
  const configTarget =
    target === 'workspace' && vscode.workspace.workspaceFolders?.length
      ? vscode.ConfigurationTarget.Workspace
      : vscode.ConfigurationTarget.Global;
  await vscode.workspace.getConfiguration(SECTION).update(TUNING_SETTING[key], value, configTarget);
}

/** Fires with fresh settings whenever a specreason.* setting changes. */
export function onSettingsChanged(listener: (settings: ExtensionSettings) => void): vscode.Disposable {
  return vscode.workspace.onDidChangeConfiguration((e) => {
    if (e.affectsConfiguration(SECTION)) {
      listener(readSettings());
    }
  });
}
