// Activation: build the host objects, register the command families, the panel serializer and the
// status item. Commands live in src/host/commands/ (one file per family).

import * as vscode from 'vscode';
import { registerProblemCodeLenses } from './host/codeLens';
import { redactUrlUserInfo } from './core/llm/serverUrl';
import { evalCommands } from './host/commands/evalCommands';
import { historyCommands } from './host/commands/historyCommands';
import { launcherCommands, registerSampleProblem } from './host/commands/launcherCommands';
import { registerCommands, type CommandFamily } from './host/commands/registry';
import { serverCommands } from './host/commands/serverCommands';
import { settingsCommands } from './host/commands/settingsCommands';
import { solveCommands } from './host/commands/solveCommands';
import type { Host } from './host/host';
import { EVAL_VIEW_TYPE } from './host/evalPanel';
import { Evaluations } from './host/evaluations';
import { RunHistory } from './host/history';
import { VIEW_TYPE } from './host/reasoningPanel';
import { describeRefusedState, restoredState } from './host/restoredState';
import { ApiKeys } from './host/secrets';
import { checkServers, REPORT_SCHEME, reportDocuments, type ServerReport } from './host/serverCheck';
import { ServerLauncher } from './host/serverLauncher';
import { warnAboutWorkspaceServerSettings } from './host/serverSettings';
import { Sessions, type Session } from './host/sessions';
import { onSettingsChanged, readSettings, SECTION, settingsProblems } from './host/settings';
import { recheckHealthWhile, StatusItem } from './host/statusItem';
import { PROTOCOL_VERSION } from './shared/protocol';

/** Every command the extension contributes, by family. A new family: its file and one line here. */
const COMMAND_FAMILIES: readonly CommandFamily[] = [
  solveCommands,
  serverCommands,
  settingsCommands,
  historyCommands,
  launcherCommands,
  evalCommands,
];

/** What the extension exports (used by the integration tests; stable enough for scripts). */
export interface SpecReasonApi {
  sessions(): Session[];
  lastServerReports(): ServerReport[] | undefined;
  /** The status item's pair health (from the last check). */
  health(): 'unknown' | 'ok' | 'down';
  history: RunHistory;
  launcher: ServerLauncher;
  evaluations: Evaluations;
}

export function activate(context: vscode.ExtensionContext): SpecReasonApi {
  const log = vscode.window.createOutputChannel('SpecReason', { log: true });
  const keys = new ApiKeys(context.secrets);
  const history = new RunHistory(context.globalStorageUri, context.globalState);
  const sessions = new Sessions(context.extensionUri, keys, history, log);
  const host: Host = {
    log,
    keys,
    history,
    sessions,
    status: new StatusItem(),
    launcher: new ServerLauncher(log, keys, () => void refreshHealth()),
    evaluations: new Evaluations(context.extensionUri, context.workspaceState, sessions, keys, log),
  };
  context.subscriptions.push(
    log,
    host.sessions,
    host.status,
    host.launcher,
    registerProblemCodeLenses(),
    registerSampleProblem(),
    host.evaluations,
    ...registerCommands(host, COMMAND_FAMILIES),
  );

  // The status item shows the pair's health from the start, quietly (no notifications).
  const refreshHealth = async () => {
    host.status.setHealth(await checkServers(await keys.apply(readSettings().config)));
  };
  void refreshHealth();
  void history
    .prune()
    .then((n) => n && log.info(`run history: dropped ${n} entr${n === 1 ? 'y' : 'ies'} whose file is gone`));
  // Recheck after every run, success or failure: a server that came back (or went away) shows at once.
  const healthWatch = recheckHealthWhile(
    () => host.sessions.running.length === 0 && host.sessions.all.some((s) => s.panel.visible),
    refreshHealth,
  );
  context.subscriptions.push(
    healthWatch,
    host.sessions.onDidEndRun(() => void refreshHealth()),
    vscode.workspace.registerTextDocumentContentProvider(REPORT_SCHEME, reportDocuments),
  );

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, saved: unknown): Promise<void> => {
        const state = restoredState(saved);
        if (!state) {
          log.info(
            `dropped a restored panel: its saved state (${describeRefusedState(saved)}) is not of protocol version ${PROTOCOL_VERSION}`,
          );
          panel.dispose(); // state from another protocol version: nothing safe to show
          return;
        }
        // The records (for export and copy) come from the run history, not from the webview.
        const records = state.sessionId ? (await history.load(state.sessionId))?.records : undefined;
        log.info(
          `restored a panel (${state.kind}, ${state.runs.length} run(s), ${records ? 'with' : 'without'} records)`,
        );
        host.sessions.restore(panel, { state, records });
      },
    }),
    vscode.window.registerWebviewPanelSerializer(EVAL_VIEW_TYPE, {
      deserializeWebviewPanel: async (panel: vscode.WebviewPanel, saved: unknown): Promise<void> => {
        await host.evaluations.restore(panel, saved);
      },
    }),
    onSettingsChanged((settings) => {
      host.sessions.onSettingsChanged(settings);
      host.evaluations.onSettingsChanged(settings);
      host.status.refresh();
      void refreshHealth();
      healthWatch.rearm();
      const problems = settingsProblems(settings);
      if (problems[0]) {
        void vscode.window.showWarningMessage(
          `SpecReason: invalid setting ${problems[0].setting} — ${problems[0].message}`,
        );
      }
    }),
    keys.onDidChange(() => log.info('API keys changed')),
    warnAboutWorkspaceServerSettings(SECTION, log),
  );

  const { base, small } = readSettings().config;
  log.info(`SpecReason activated (base ${redactUrlUserInfo(base.url)}, small ${redactUrlUserInfo(small.url)})`);
  return {
    sessions: () => host.sessions.all,
    lastServerReports: () => host.lastServerReports,
    health: () => host.status.health,
    history,
    launcher: host.launcher,
    evaluations: host.evaluations,
  };
}

export function deactivate(): void {
  // Sessions are disposed through context.subscriptions; their runs are aborted there.
}
