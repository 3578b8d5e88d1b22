// Check Servers: what each server is, and when one is not right, what to do about it. Also the
// status-bar item that shows the pair's health and the current threshold and budget.

import * as vscode from 'vscode';
import type { SpecReasonConfig } from '../core/config';
import { createClients } from '../core/llm/factory';
import { SIMULATOR_OWNER, type ModelRole, type ServerFeatures, type ServerHealth } from '../core/llm/server';
import { readSettings, settingsProblems, tuningValues, writeTuning } from './settings';
import type { ApiKeys } from './secrets';

export interface ServerReport {
  role: ModelRole;
  url: string;
  health: ServerHealth;
  features?: ServerFeatures;
  /** What is wrong, in one sentence, and what to do; undefined when the server is fine. */
  problem?: string;
  /** The vllm serve command that would start this server. */
  startCommand: string;
  simulated: boolean;
}

export async function checkServers(config: SpecReasonConfig): Promise<ServerReport[]> {
  const clients = createClients({
    ...config,
    maxRetries: 0,
    requestTimeoutSec: Math.min(config.requestTimeoutSec, 10),
  });
  return Promise.all(
    (['base', 'small'] as const).map(async (role) => {
      const client = clients[role];
      const health = await client.health();
      const report: ServerReport = {
        role,
        url: client.url,
        health,
        startCommand: client.hints.startCommand(role, config[role]),
        simulated: false,
      };
      const model = health.models?.[0];
      report.simulated = model?.ownedBy === SIMULATOR_OWNER;
      const host = new URL(client.url).host;
      if (health.error) {
        const e = health.error;
        report.problem =
          e.code === 'server_down'
            ? `nothing listens on ${host} — start vLLM with: ${report.startCommand}`
            : e.code === 'auth'
              ? `${host} wants an API key (HTTP 401): set the key the server was started with (--api-key)`
              : e.code === 'timeout'
                ? `${host} did not answer within ${Math.min(config.requestTimeoutSec, 10)} s: it may still be loading the model, or be hung`
                : `${host}: ${e.message}`;
      } else if (!health.ok) {
        report.problem = `${host} answers /health with HTTP ${health.healthStatus}: the engine is not healthy; see the vLLM log`;
      } else if (config[role].model && !health.models?.some((m) => m.id === config[role].model)) {
        report.problem = `${host} serves ${health.models?.map((m) => m.id).join(', ') || 'no model'}, not the configured ${config[role].model}`;
      }
      if (!health.error) {
        const metrics = await client.metrics();
        if (metrics !== undefined) {
          report.features = client.features(metrics);
        }
      }
      return report;
    }),
  );
}

export function describeReport(r: ServerReport): string {
  if (r.problem) {
    return `${r.role}: ${r.problem}`;
  }
  const m = r.health.models?.[0];
  const f = r.features;
  const extras = f
    ? [
        `speculative decoding ${f.specDecode ? 'on' : 'off'}`,
        `prefix caching ${f.prefixCaching === undefined ? 'unknown' : f.prefixCaching ? 'on' : 'off'}${f.prefixCacheHitRate !== undefined ? ` (hit rate ${(f.prefixCacheHitRate * 100).toFixed(0)} %)` : ''}`,
      ]
    : ['metrics unknown'];
  return `${r.role}: ${r.url} — ${m?.id ?? '?'}${r.simulated ? ' (SIMULATED)' : ''}, max_model_len ${m?.maxModelLen ?? '?'}, vLLM ${r.health.version ?? '?'}, ${r.health.roundTripMs?.toFixed(0) ?? '?'} ms; ${extras.join(', ')}`;
}

/** The status-bar item: pair health, threshold and budget; click to tune. */
export class StatusItem implements vscode.Disposable {
  private readonly _item = vscode.window.createStatusBarItem('specreason.status', vscode.StatusBarAlignment.Right, 100);
  private _health: 'unknown' | 'ok' | 'down' = 'unknown';
  private _detail = 'Servers not checked yet';

  constructor() {
    this._item.name = 'SpecReason';
    this._item.command = 'specreason.tune';
    this.refresh();
    this._item.show();
  }

  setHealth(reports: ServerReport[]): void {
    this._health = reports.every((r) => !r.problem) ? 'ok' : 'down';
    this._detail = reports.map(describeReport).join('\n');
    this.refresh();
  }

  refresh(): void {
    const { threshold, tokenBudget, scoreMethod } = tuningValues(readSettings());
    const icon = this._health === 'ok' ? '$(pass-filled)' : this._health === 'down' ? '$(error)' : '$(circle-outline)';
    this._item.text = `${icon} SpecReason ${threshold}/${tokenBudget}`;
    this._item.tooltip = new vscode.MarkdownString(
      `**SpecReason** — threshold ${threshold} (${scoreMethod}), token budget ${tokenBudget}\n\n${this._detail
        .split('\n')
        .map((l) => `- ${l}`)
        .join('\n')}\n\nClick to change.`,
    );
    this._item.backgroundColor =
      this._health === 'down' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
  }

  dispose(): void {
    this._item.dispose();
  }
}

/** Quick pick to change threshold, score method, budget or first-N base steps. */
export async function tuneQuickPick(): Promise<void> {
  const settings = readSettings();
  const t = tuningValues(settings);
  const items: Array<
    vscode.QuickPickItem & { key: 'threshold' | 'scoreMethod' | 'tokenBudget' | 'firstNBaseSteps' | 'checkServers' }
  > = [
    { key: 'threshold', label: `Threshold: ${t.threshold}`, description: 'keep drafts scoring at least this (0–9)' },
    {
      key: 'scoreMethod',
      label: `Score method: ${t.scoreMethod}`,
      description: 'greedy token or logprob-weighted average',
    },
    { key: 'tokenBudget', label: `Token budget: ${t.tokenBudget}`, description: 'output tokens of kept steps' },
    {
      key: 'firstNBaseSteps',
      label: `First N base steps: ${t.firstNBaseSteps}`,
      description: 'steps the base model writes directly',
    },
    { key: 'checkServers', label: '$(pulse) Check Servers' },
  ];
  const pick = await vscode.window.showQuickPick(items, {
    title: 'SpecReason',
    placeHolder: `Changes are saved to ${t.target} settings`,
  });
  if (!pick) {
    return;
  }
  if (pick.key === 'checkServers') {
    await vscode.commands.executeCommand('specreason.checkServers');
    return;
  }
  let value: string | number | undefined;
  if (pick.key === 'scoreMethod') {
    value = await vscode.window.showQuickPick(['greedy', 'average'], { title: 'Score method' });
  } else {
    const input = await vscode.window.showInputBox({
      title: pick.label.split(':')[0],
      value: String(t[pick.key]),
      validateInput: (text) => {
        const n = Number(text);
        if (!text.trim() || !Number.isFinite(n)) {
          return 'Enter a number';
        }
        const check = settingsProblems({ ...settings, config: { ...settings.config, [pick.key]: n } }).find((p) =>
          p.setting.endsWith(pick.key),
        );
        return check?.message;
      },
    });
    value = input === undefined ? undefined : Number(input);
  }
  if (value !== undefined) {
    await writeTuning(pick.key, value, t.target);
  }
}

export async function runCheckServers(
  keys: ApiKeys,
  status: StatusItem,
  log: vscode.LogOutputChannel,
): Promise<ServerReport[]> {
  const config = await keys.apply(readSettings().config);
  const reports = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Window, title: 'SpecReason: checking servers' },
    () => checkServers(config),
  );
  status.setHealth(reports);
  for (const r of reports) {
    if (r.problem) {
      log.warn(describeReport(r));
    } else {
      log.info(describeReport(r));
    }
  }
  const bad = reports.filter((r) => r.problem);
  if (bad.length === 0) {
    void vscode.window.showInformationMessage(
      `SpecReason: both servers are up. ${reports.map(describeReport).join(' | ')}`,
    );
  }
  for (const r of bad) {
    const actions =
      r.health.error?.code === 'server_down'
        ? ['Copy Start Command']
        : r.health.error?.code === 'auth'
          ? ['Set API Key']
          : [];
    void vscode.window
      .showErrorMessage(`SpecReason: ${describeReport(r)}`, ...actions, 'Open Settings')
      .then(async (choice) => {
        if (choice === 'Copy Start Command') {
          await vscode.env.clipboard.writeText(r.startCommand);
        }
        if (choice === 'Set API Key') {
          await vscode.commands.executeCommand('specreason.setApiKey', r.role);
        }
        if (choice === 'Open Settings') {
          await vscode.commands.executeCommand('workbench.action.openSettings', 'specreason.server');
        }
      });
  }
  return reports;
}
