// The extension's body, loaded when SpecReason is first used in a window (a command, a restored panel, the API):
// the host objects, the command families, the panel restorers and the status item's health checks. It holds the
// engine and its HTTP, LLM and data-set libraries, so esbuild bundles it on its own (dist/host.js); the
// activation shell (src/extension.ts) requires it on first use.

import * as vscode from 'vscode';
import { redactUrlUserInfo } from '../core/llm/serverUrl';
import { PROTOCOL_VERSION } from '../shared/protocol';
import { evalCommands } from './commands/evalCommands';
import { historyCommands } from './commands/historyCommands';
import { launcherCommands, sampleProblemDocuments } from './commands/launcherCommands';
import { commandHandlers, type CommandFamily } from './commands/registry';
import { serverCommands } from './commands/serverCommands';
import { settingsCommands } from './commands/settingsCommands';
import { solveCommands } from './commands/solveCommands';
import { Evaluations } from './evaluations';
import type { Host } from './host';
import { RunHistory } from './history';
import { describeRefusedState, restoredState } from './restoredState';
import { ApiKeys } from './secrets';
import { checkServers, REPORT_SCHEME, reportDocuments, showHealth, type ServerReport } from './serverCheck';
import { ServerLauncher } from './serverLauncher';
import { Sessions, type Session } from './sessions';
import { onSettingsChanged, readSettings } from './settings';
import { recheckHealthWhile, type StatusItem } from './statusItem';

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
  /** Whether the extension's body is loaded (SpecReason was used in this window). */
  loaded(): boolean;
  /** The command ids the body handles (each contributed command has one). */
  commandIds(): string[];
  /** The panel types and document schemes the activation shell restores and serves before the body loads. */
  viewTypes(): { reasoning: string; evaluation: string; documents: string[] };
}

/** The loaded body, as the activation shell uses it. */
export interface LoadedHost {
  /** Run a contributed command (errors are logged and shown with "Show Log"). */
  run(id: string, args: unknown[]): Promise<unknown>;
  commandIds(): string[];
  restoreReasoningPanel(panel: vscode.WebviewPanel, saved: unknown): Promise<void>;
  restoreEvaluationPanel(panel: vscode.WebviewPanel, saved: unknown): Promise<void>;
  /** Text of a `specreason-report:` or `specreason-sample:` document. */
  documentContent(uri: vscode.Uri): vscode.ProviderResult<string>;
  readonly host: Host;
}

export function startHost(
  context: vscode.ExtensionContext,
  log: vscode.LogOutputChannel,
  status: StatusItem,
): LoadedHost {
  const keys = new ApiKeys(context.secrets);
  const history = new RunHistory(context.globalStorageUri, context.globalState);
  const sessions = new Sessions(context.extensionUri, keys, history, log);
  const host: Host = {
    log,
    keys,
    history,
    sessions,
    status,
    launcher: new ServerLauncher(log, keys, () => void refreshHealth()),
    evaluations: new Evaluations(context.extensionUri, context.workspaceState, sessions, keys, log),
  };
  context.subscriptions.push(host.sessions, host.launcher, host.evaluations);
  const handlers = commandHandlers(host, COMMAND_FAMILIES);

  // From the first use on, the status item shows the pair's health, quietly (no notifications).
  const refreshHealth = async () => {
    showHealth(host.status, await checkServers(await keys.apply(readSettings().config)));
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
    onSettingsChanged((settings) => {
      host.sessions.onSettingsChanged(settings);
      host.evaluations.onSettingsChanged(settings);
      void refreshHealth();
      healthWatch.rearm();
    }),
    keys.onDidChange(() => log.info('API keys changed')),
  );

  const { base, small } = readSettings().config;
  log.info(`SpecReason loaded (base ${redactUrlUserInfo(base.url)}, small ${redactUrlUserInfo(small.url)})`);
  return {
    host,
    run: async (id, args) => {
      const handler = handlers.get(id);
      if (!handler) {
        throw new Error(`no handler for the command ${id}`);
      }
      return handler(...args);
    },
    commandIds: () => [...handlers.keys()],
    restoreReasoningPanel: async (panel, saved) => {
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
    restoreEvaluationPanel: async (panel, saved) => {
      await host.evaluations.restore(panel, saved);
    },
    documentContent: (uri) =>
      (uri.scheme === REPORT_SCHEME ? reportDocuments : sampleProblemDocuments).provideTextDocumentContent(
        uri,
        new vscode.CancellationTokenSource().token,
      ),
  };
}
