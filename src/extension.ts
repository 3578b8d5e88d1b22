// Activation: build the objects and register commands, the panel serializer and the status item.

import * as vscode from 'vscode';
import { parseProblem, type Problem } from './core/prompts';
import { PROTOCOL_VERSION, type PanelState } from './shared/protocol';
import { RunHistory } from './host/history';
import { VIEW_TYPE } from './host/reasoningPanel';
import { ApiKeys, type KeyScope } from './host/secrets';
import { checkServers, runCheckServers, StatusItem, tuneQuickPick, type ServerReport } from './host/servers';
import { Sessions, type Session } from './host/sessions';
import { onSettingsChanged, readSettings, settingsProblems } from './host/settings';

/** Below this many characters, Solve with no selection takes the whole document. */
const WHOLE_DOCUMENT_LIMIT = 4000;

/** What the extension exports (used by the integration tests; stable enough for scripts). */
export interface SpecReasonApi {
  sessions(): Session[];
  lastServerReports(): ServerReport[] | undefined;
  history: RunHistory;
}

export function activate(context: vscode.ExtensionContext): SpecReasonApi {
  const log = vscode.window.createOutputChannel('SpecReason', { log: true });
  const keys = new ApiKeys(context.secrets);
  const history = new RunHistory(context.globalStorageUri, context.globalState);
  const sessions = new Sessions(context.extensionUri, keys, history, log);
  const status = new StatusItem();
  let lastReports: ServerReport[] | undefined;
  context.subscriptions.push(log, sessions, status);
  // The status item shows the pair's health from the start, quietly (no notifications).
  const refreshHealth = async () => {
    status.setHealth(await checkServers(await keys.apply(readSettings().config)));
  };
  void refreshHealth();

  const command = (id: string, handler: (...args: never[]) => unknown) =>
    context.subscriptions.push(
      vscode.commands.registerCommand(id, async (...args: never[]) => {
        try {
          return await handler(...args);
        } catch (error) {
          log.error(`${id}: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
          void vscode.window.showErrorMessage(`SpecReason: ${error instanceof Error ? error.message : String(error)}`);
          return undefined;
        }
      }),
    );

  command('specreason.solveSelection', async (text?: string) => {
    const problem = await problemFromEditor(text);
    return problem ? sessions.start(problem, 'solve') : undefined;
  });
  command('specreason.compareWithBase', async (text?: string) => {
    const problem = await problemFromEditor(text);
    return problem ? sessions.start(problem, 'compare') : undefined;
  });
  command('specreason.cancelRun', async () => {
    const running = sessions.running;
    if (running.length === 0) {
      void vscode.window.showInformationMessage('SpecReason: no run is in progress.');
      return;
    }
    const target =
      running.length === 1
        ? running[0]
        : (running.find((s) => s.panel.panel.active) ?? (await pickSession(running, 'Cancel which run?')));
    if (target) {
      sessions.cancel(target);
    }
  });
  command('specreason.checkServers', async () => {
    lastReports = await runCheckServers(keys, status, log);
    return lastReports;
  });
  command('specreason.setApiKey', async (scope?: KeyScope) => {
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
    for (const s of scopes) {
      await keys.set(s, key.trim());
    }
    log.info(`API key set for ${scopes.join(', ')}`);
    void vscode.window.showInformationMessage(`SpecReason: API key saved for the ${scopes.join(' and ')} server.`);
  });
  command('specreason.clearApiKey', async () => {
    for (const s of ['base', 'small'] as const) {
      await keys.clear(s);
    }
    log.info('API keys cleared');
    void vscode.window.showInformationMessage('SpecReason: API keys cleared.');
  });
  command('specreason.showHistory', async () => {
    const entries = history.list();
    if (entries.length === 0) {
      void vscode.window.showInformationMessage('SpecReason: no saved runs yet.');
      return;
    }
    const pick = await vscode.window.showQuickPick(
      entries.map((e) => ({
        label: `${e.kind === 'compare' ? '$(split-horizontal)' : '$(play)'} ${e.title}`,
        description: `${e.stopReason}${e.answer !== undefined ? ` · answer ${e.answer}` : ''}`,
        detail: new Date(e.savedAt).toLocaleString(),
        id: e.id,
      })),
      { title: 'SpecReason: run history', matchOnDescription: true },
    );
    if (!pick) {
      return;
    }
    const saved = await history.load(pick.id);
    if (!saved) {
      void vscode.window.showErrorMessage("SpecReason: that run's file is missing from the extension storage.");
      return;
    }
    sessions.openSaved(saved);
  });
  command('specreason.exportRun', async () => {
    const session = sessions.current;
    if (!session) {
      void vscode.window.showInformationMessage('SpecReason: open or run a problem first.');
      return;
    }
    await sessions.exportJson(session);
  });
  command('specreason.tune', () => tuneQuickPick());
  command('specreason.showLog', () => log.show(true));

  context.subscriptions.push(
    vscode.window.registerWebviewPanelSerializer(VIEW_TYPE, {
      deserializeWebviewPanel: (panel: vscode.WebviewPanel, saved: unknown): Promise<void> => {
        const state = restoredState(saved);
        if (!state) {
          log.info(
            `dropped a restored panel: its saved state (${typeof saved}${saved && typeof saved === 'object' ? `: ${Object.keys(saved).slice(0, 8).join(', ')}` : ''}) is not of protocol version ${PROTOCOL_VERSION}`,
          );
          panel.dispose(); // state from another protocol version: nothing safe to show
          return Promise.resolve();
        }
        log.info(`restored a panel (${state.kind}, ${state.runs.length} run(s))`);
        sessions.restore(panel, { state });
        return Promise.resolve();
      },
    }),
    onSettingsChanged((settings) => {
      sessions.onSettingsChanged(settings);
      status.refresh();
      void refreshHealth();
      const problems = settingsProblems(settings);
      if (problems[0]) {
        void vscode.window.showWarningMessage(
          `SpecReason: invalid setting ${problems[0].setting} — ${problems[0].message}`,
        );
      }
    }),
    keys.onDidChange(() => log.info('API keys changed')),
  );

  const { base, small } = readSettings().config;
  log.info(`SpecReason activated (base ${base.baseUrl}, small ${small.baseUrl})`);
  return { sessions: () => sessions.all, lastServerReports: () => lastReports, history };

  async function problemFromEditor(given?: string): Promise<Problem | undefined> {
    const settings = readSettings();
    let text = given;
    if (text === undefined) {
      const editor = vscode.window.activeTextEditor;
      if (editor && !editor.selection.isEmpty) {
        text = editor.selections.map((s) => editor.document.getText(s)).join('\n');
      } else if (
        editor &&
        editor.document.getText().trim() &&
        editor.document.getText().length <= WHOLE_DOCUMENT_LIMIT
      ) {
        text = editor.document.getText();
      } else {
        text = await vscode.window.showInputBox({
          title: 'SpecReason: problem to solve',
          prompt: 'Select a problem in the editor, or type it here',
          ignoreFocusOut: true,
        });
        if (text === undefined) {
          return undefined;
        }
      }
    }
    if (!text.trim()) {
      void vscode.window.showWarningMessage(
        'SpecReason: the selection is empty. Select the problem text, or type one in the box.',
      );
      return undefined;
    }
    if (text.length > settings.maxProblemLength) {
      void vscode.window
        .showErrorMessage(
          `SpecReason: the selection has ${text.length} characters; the limit is ${settings.maxProblemLength} (setting specreason.maxProblemLength). Select just the problem.`,
          'Open Settings',
        )
        .then((c) => {
          if (c) {
            void vscode.commands.executeCommand('workbench.action.openSettings', 'specreason.maxProblemLength');
          }
        });
      return undefined;
    }
    try {
      return parseProblem(text, settings.config.promptStyle);
    } catch (error) {
      void vscode.window.showErrorMessage(`SpecReason: ${(error as Error).message} (setting specreason.promptStyle).`);
      return undefined;
    }
  }
}

async function pickSession(list: Session[], title: string): Promise<Session | undefined> {
  const pick = await vscode.window.showQuickPick(
    list.map((s, i) => ({ label: s.problem.text.slice(0, 80), description: s.kind, index: i })),
    { title },
  );
  return pick ? list[pick.index] : undefined;
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

/** The webview's saved state, if it is of this protocol version. */
function restoredState(saved: unknown): PanelState | undefined {
  if (typeof saved === 'string') {
    // Some hosts hand the state back as its JSON text.
    try {
      saved = JSON.parse(saved);
    } catch {
      return undefined;
    }
  }
  const candidate = (saved as { state?: unknown } | undefined)?.state ?? saved;
  const s = candidate as Partial<PanelState> | undefined;
  return s && s.protocolVersion === PROTOCOL_VERSION && Array.isArray(s.runs) && s.problem
    ? (s as PanelState)
    : undefined;
}

export function deactivate(): void {
  // Sessions are disposed through context.subscriptions; their runs are aborted there.
}
