// Activation shell: what runs when VS Code activates the extension (a Markdown, plain-text or JSONL file, one of
// its commands, a restored panel). It registers the CodeLens, the status item (no server check yet), the
// contributed commands and the panel restorers, and loads the extension's body (src/host/main.ts, bundled on its
// own as dist/host.js with the engine and its HTTP, LLM and data-set libraries) when SpecReason is first used.

import * as vscode from 'vscode';
import { registerProblemCodeLenses } from './host/codeLens';
import type { LoadedHost, SpecReasonApi } from './host/main';
import { warnAboutWorkspaceServerSettings } from './host/serverSettings';
import { onSettingsChanged, SECTION, settingsProblems } from './host/settings';
import { StatusItem } from './host/statusItem';
import { markWalkthroughStep } from './host/walkthrough';

export type { SpecReasonApi } from './host/main';

// Kept equal to the host's (src/host/reasoningPanel.ts, evalPanel.ts, serverCheck.ts, launcherCommands.ts) by an
// extension-host test; importing them here would load the body at activation.
const REASONING_VIEW = 'specreason.reasoning';
const EVALUATION_VIEW = 'specreason.evaluate';
const DOCUMENT_SCHEMES = ['specreason-report', 'specreason-sample'];

export function activate(context: vscode.ExtensionContext): SpecReasonApi {
  const log = vscode.window.createOutputChannel('SpecReason', { log: true });
  const status = new StatusItem();
  let body: LoadedHost | undefined;

  /** The body, loaded on first use (a synchronous require: about 0.1–0.3 s on a busy machine). */
  const load = (): LoadedHost => {
    if (!body) {
      const t0 = performance.now();
      // esbuild maps this to dist/host.js (esbuild.js); under tsc it is out/src/host/main.js.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const { startHost } = require('./host/main') as typeof import('./host/main');
      body = startHost(context, log, status);
      log.info(`loaded the extension's body in ${Math.round(performance.now() - t0)} ms`);
    }
    return body;
  };
  /** The body, with "SpecReason starting…" in the status bar while it loads. */
  const loadVisibly = async (): Promise<LoadedHost> => {
    if (body) {
      return body;
    }
    status.setStarting(true);
    try {
      await new Promise((r) => setTimeout(r, 0)); // let the status bar show it before the load blocks
      return load();
    } finally {
      status.setStarting(false);
    }
  };

  // Every contributed command: its step of the walkthrough is done however it ran (palette, keybinding, menu,
  // CodeLens, a panel's button), then the body runs it.
  const commands = (context.extension.packageJSON as { contributes: { commands: Array<{ command: string }> } })
    .contributes.commands;
  for (const { command } of commands) {
    context.subscriptions.push(
      vscode.commands.registerCommand(command, async (...args: unknown[]) => {
        markWalkthroughStep(command);
        return (await loadVisibly()).run(command, args);
      }),
    );
  }

  context.subscriptions.push(
    log,
    status,
    registerProblemCodeLenses(),
    ...DOCUMENT_SCHEMES.map((scheme) =>
      vscode.workspace.registerTextDocumentContentProvider(scheme, {
        provideTextDocumentContent: (uri) => load().documentContent(uri),
      }),
    ),
    vscode.window.registerWebviewPanelSerializer(REASONING_VIEW, {
      deserializeWebviewPanel: async (panel, saved) => (await loadVisibly()).restoreReasoningPanel(panel, saved),
    }),
    vscode.window.registerWebviewPanelSerializer(EVALUATION_VIEW, {
      deserializeWebviewPanel: async (panel, saved) => (await loadVisibly()).restoreEvaluationPanel(panel, saved),
    }),
    onSettingsChanged((settings) => {
      status.refresh();
      const problems = settingsProblems(settings);
      if (problems[0]) {
        void vscode.window.showWarningMessage(
          `SpecReason: invalid setting ${problems[0].setting} — ${problems[0].message}`,
        );
      }
    }),
    warnAboutWorkspaceServerSettings(SECTION, log),
  );
  log.info('SpecReason activated');

  return {
    sessions: () => load().host.sessions.all,
    lastServerReports: () => body?.host.lastServerReports,
    health: () => status.health,
    get history() {
      return load().host.history;
    },
    get launcher() {
      return load().host.launcher;
    },
    get evaluations() {
      return load().host.evaluations;
    },
    loaded: () => body !== undefined,
    commandIds: () => load().commandIds(),
    viewTypes: () => ({ reasoning: REASONING_VIEW, evaluation: EVALUATION_VIEW, documents: DOCUMENT_SCHEMES }),
  };
}

export function deactivate(): void {
  // Sessions are disposed through context.subscriptions; their runs are aborted there.
}
