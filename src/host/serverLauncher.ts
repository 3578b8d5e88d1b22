// Start Servers / Stop Servers / Show Server Logs: runs `vllm serve` for each role on the machine the extension
// runs on (over Remote-SSH: the GPU host), waits until /health and /v1/models answer, and says why a start failed.
//
// Child processes, not terminals or tasks: the extension reads their output (the progress shows the last log line,
// failures are recognised from it), knows their exit code, and stops them reliably. Each server is the leader of
// its own process group (detached), so Stop ends vLLM's worker processes too, not just the shell.

import { spawn } from 'node:child_process';
import os from 'node:os';
import * as vscode from 'vscode';
import type { ModelRole, SpecReasonConfig } from '../core/config';
import { createClients } from '../core/llm/factory';
import type { ModelServer } from '../core/llm/server';
import type { RunEvent } from '../core/engine/runRecord';
import {
  DEFAULT_SERVE_COMMAND,
  PAPER_MODELS,
  formatElapsed,
  isLocalUrl,
  launchCommandLine,
  launchKindOf,
  portOf,
  recogniseLaunchFailure,
  serveCommandLine,
  type LaunchFailure,
  type LaunchKind,
} from '../core/launch/serve';
import {
  EngineProcess,
  groupAlive,
  probeReadiness,
  signalGroup,
  startEngine,
  type LaunchSettings,
} from '../core/launch/engineStart';
import { commandAction, openSettingsAction, showError } from './notify';
import type { ApiKeys } from './secrets';
import { HOST_SETTINGS, launchSettings } from '../core/settingsTable';
import { SECTION, readSetting, readSettings } from './settings';
import { LAUNCH_KEYS, ignoredWorkspaceSettings, userSettingsTarget } from './serverSettings';
import { forgetServer, listenerOf, recordServer, serverOnPort } from './serverRegistry';

const ROLES: readonly ModelRole[] = ['base', 'small'];
const POLL_MS = 500;
const STOP_GRACE_MS = 15000;

export type { LaunchSettings };

/** The launch settings of one role (`specreason.launch.<role>.*`); the model falls back to the served-model setting. */
export function readLaunchSettings(role: ModelRole, config: SpecReasonConfig): LaunchSettings {
  const spec = launchSettings(role);
  const env = readSetting(spec.env) ?? {};
  return {
    command: readSetting(spec.command).trim() || DEFAULT_SERVE_COMMAND,
    model: readSetting(spec.model).trim() || config[role].model || PAPER_MODELS[role],
    extraArgs: readSetting(spec.extraArgs),
    env: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])),
  };
}

/** Seconds Start Servers waits for a server to answer (loading a 32B model, or downloading it, takes minutes). */
function readyTimeoutSec(): number {
  return readSetting(HOST_SETTINGS.launchReadyTimeoutSec);
}

/** The shell command that starts one role's server, as Check Servers shows it. */
export function startCommandFor(role: ModelRole, config: SpecReasonConfig): string {
  const s = readLaunchSettings(role, config);
  const kind = launchKindOf(s.command, config[role].kind);
  return kind === 'vllm'
    ? serveCommandLine({ ...s, port: portOf(config[role].url) })
    : launchCommandLine({ ...s, kind, url: config[role].url });
}

export type LaunchState = 'started' | 'reused' | 'failed' | 'cancelled';

export interface LaunchOutcome {
  role: ModelRole;
  url: string;
  state: LaunchState;
  failure?: LaunchFailure;
  /** Process group id of a server this start launched (also for a failed one, until it is stopped). */
  pid?: number;
  /** The model a reused server serves. */
  servedModel?: string;
}

export class ServerLauncher implements vscode.Disposable {
  private readonly _processes = new Map<ModelRole, EngineProcess>();
  private readonly _channels = new Map<ModelRole, vscode.OutputChannel>();
  private _starting?: Promise<LaunchOutcome[]>;

  constructor(
    private readonly _log: vscode.LogOutputChannel,
    private readonly _keys: ApiKeys,
    /** Called after a start or stop, e.g. to refresh the status item's health. */
    private readonly _onChange: () => void = () => undefined,
  ) {}

  /** Servers this extension started and that still run: role → process group id. */
  running(): Partial<Record<ModelRole, number>> {
    return Object.fromEntries(
      [...this._processes].filter(([, p]) => !p.exit && p.pid !== undefined).map(([role, p]) => [role, p.pid!]),
    );
  }

  private _channel(role: ModelRole): vscode.OutputChannel {
    let channel = this._channels.get(role);
    if (!channel) {
      channel = vscode.window.createOutputChannel(`SpecReason: ${role} server`);
      this._channels.set(role, channel);
    }
    return channel;
  }

  /** Start both servers (or reuse the ones that answer), with a cancellable progress notification. */
  async start(): Promise<LaunchOutcome[]> {
    if (!this._starting && !(await this._confirmIgnoredLaunchSettings())) {
      return [];
    }
    // A second Start while one runs joins it instead of starting the pair twice.
    this._starting ??= this._start().finally(() => {
      this._starting = undefined;
      this._onChange();
    });
    return this._starting;
  }

  /**
   * Launch settings set only where SpecReason does not take commands from (a workspace or folder): Start Servers
   * would run the defaults instead. Say so, offer the settings where they belong; start only when asked to.
   */
  private async _confirmIgnoredLaunchSettings(): Promise<boolean> {
    const c = vscode.workspace.getConfiguration(SECTION);
    const ignored = ignoredWorkspaceSettings(c, LAUNCH_KEYS).filter((k) => c.inspect(k)?.globalValue === undefined);
    if (ignored.length === 0) {
      return true;
    }
    const ids = ignored.map((k) => `${SECTION}.${k}`);
    const target = userSettingsTarget();
    const where = vscode.env.remoteName ? 'Remote settings (this machine)' : 'User settings';
    this._log.warn(`start servers: ${ids.join(', ')} set in workspace settings only; ignored`);
    const START = 'Start with Defaults';
    const choice = await vscode.window.showWarningMessage(
      `SpecReason: Start Servers would use the defaults (\`${DEFAULT_SERVE_COMMAND}\`): ${ids.join(', ')} ${ids.length > 1 ? 'are' : 'is'} set in this workspace's settings, which SpecReason never takes a command to run from. Set ${ids.length > 1 ? 'them' : 'it'} in your ${where}.`,
      target.label,
      START,
    );
    if (choice === target.label) {
      await vscode.commands.executeCommand(target.command, { query: `${SECTION}.launch` });
    }
    return choice === START;
  }

  private async _start(): Promise<LaunchOutcome[]> {
    const config = await this._keys.apply(readSettings().config);
    const timeoutMs = readyTimeoutSec() * 1000;
    const clients = createClients({ ...config, maxRetries: 0, requestTimeoutSec: 5 });
    const status = new Map<ModelRole, string>(ROLES.map((r) => [r, 'checking…']));
    const outcomes = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'SpecReason: starting servers', cancellable: true },
      async (progress, token) => {
        const cancel = new AbortController();
        token.onCancellationRequested(() => cancel.abort());
        const ticker = setInterval(() => {
          for (const role of ROLES) {
            const p = this._processes.get(role);
            if (p && !p.exit && status.get(role)?.startsWith('loading')) {
              const last = p.tail.last?.trim() ?? '';
              status.set(
                role,
                `loading ${formatElapsed(Date.now() - p.startedAt)}${last ? ` · ${last.length > 70 ? `${last.slice(0, 69)}…` : last}` : ''}`,
              );
            }
          }
          progress.report({ message: ROLES.map((r) => `${r}: ${status.get(r)}`).join(' — ') });
        }, 1000);
        try {
          return await Promise.all(
            ROLES.map((role) =>
              this._startOne(role, config, clients[role], timeoutMs, cancel.signal, (s) => status.set(role, s)),
            ),
          );
        } finally {
          clearInterval(ticker);
        }
      },
    );
    this._report(outcomes);
    return outcomes;
  }

  private async _startOne(
    role: ModelRole,
    config: SpecReasonConfig,
    client: ModelServer,
    timeoutMs: number,
    signal: AbortSignal,
    setStatus: (s: string) => void,
  ): Promise<LaunchOutcome> {
    const url = client.url;
    const port = portOf(url);
    const fail = (failure: LaunchFailure, pid?: number): LaunchOutcome => {
      setStatus('failed');
      this._log.warn(`start ${role} server: ${failure.cause}: ${failure.message}`);
      return { role, url, state: 'failed', failure, pid };
    };
    const alive = this._processes.get(role);
    const settings = readLaunchSettings(role, config);
    const kind = launchKindOf(settings.command, config[role].kind);
    if (kind !== 'vllm' && !(alive && !alive.exit)) {
      return this._startEngine(kind, role, config, settings, timeoutMs, signal, setStatus, fail);
    }
    const before = await client.health();
    if (before.ok) {
      const ours = alive && !alive.exit ? alive : undefined;
      setStatus(ours ? 'running' : 'reused');
      const servedModel = before.models?.[0]?.id;
      this._log.info(`start ${role} server: ${url} already answers (${servedModel ?? 'no model listed'}); reused`);
      return { role, url, state: ours ? 'started' : 'reused', servedModel, pid: ours?.pid };
    }
    if (alive && !alive.exit) {
      // Ours and still loading (a Start while an earlier one was cancelled mid-way is joined above): wait for it.
      setStatus('loading');
      return this._waitReady(alive, client, timeoutMs, signal, url, fail);
    }
    if (before.error?.code !== 'server_down') {
      const what = before.error ? before.error.message : `its /health answers HTTP ${before.healthStatus}`;
      return fail({
        cause: 'port_in_use',
        message: `port ${port} is in use by something that is not a ready vLLM server (${what}): stop it, or change the port in the server URL settings.`,
      });
    }
    if (!isLocalUrl(url, os.hostname())) {
      return fail({
        cause: 'not_local',
        message: `${url} is not on this machine: Start Servers starts servers where the extension runs (over Remote-SSH, the GPU host). Point the URL at localhost, or start the server on ${new URL(url).hostname}.`,
      });
    }
    const commandLine = serveCommandLine({ ...settings, port });
    const channel = this._channel(role);
    channel.appendLine(`[SpecReason] ${new Date().toISOString()} $ ${commandLine}`);
    if (Object.keys(settings.env).length) {
      channel.appendLine(`[SpecReason] environment: ${Object.keys(settings.env).join(', ')} (values not shown)`);
    }
    const server = new EngineProcess(role, commandLine, settings.env, workingFolder(), (line) =>
      channel.appendLine(line),
    );
    void server.exited.then(() =>
      channel.appendLine(
        `[SpecReason] the server process ended (${server.exit?.signal ? `signal ${server.exit.signal}` : `exit code ${server.exit?.code}`})`,
      ),
    );
    this._processes.set(role, server);
    if (server.pid !== undefined) {
      // Recorded for Stop Servers in any window (and for what it says about servers it did not start).
      const pgid = server.pid;
      recordServer({
        pgid,
        role,
        port,
        command: commandLine,
        startedBy: 'SpecReason: Start Servers in a VS Code window',
        startedAt: new Date().toISOString(),
      });
      void server.exited.then(() => forgetServer(port, pgid));
    }
    this._log.info(`start ${role} server (pid ${server.pid ?? '?'}): ${commandLine}`);
    setStatus('loading');
    return this._waitReady(server, client, timeoutMs, signal, url, fail);
  }

  /** SGLang, llama-server and Ollama: started and waited for the way each engine says it is ready (core engineStart). */
  private async _startEngine(
    kind: LaunchKind,
    role: ModelRole,
    config: SpecReasonConfig,
    settings: LaunchSettings,
    timeoutMs: number,
    signal: AbortSignal,
    setStatus: (s: string) => void,
    fail: (failure: LaunchFailure, pid?: number) => LaunchOutcome,
  ): Promise<LaunchOutcome> {
    const url = config[role].url;
    if (!isLocalUrl(url, os.hostname())) {
      const readiness = await probeReadiness(kind, url, settings.model, signal);
      if (readiness.state === 'ready') {
        setStatus('reused');
        return { role, url, state: 'reused', servedModel: readiness.servedModel };
      }
      return fail({
        cause: 'not_local',
        message: `${url} is not on this machine: Start Servers starts servers where the extension runs (over Remote-SSH, the GPU host). Point the URL at localhost, or start the server on ${new URL(url).hostname}.`,
      });
    }
    const channel = this._channel(role);
    if (Object.keys(settings.env).length) {
      channel.appendLine(`[SpecReason] environment: ${Object.keys(settings.env).join(', ')} (values not shown)`);
    }
    const result = await startEngine(
      {
        kind,
        role,
        url,
        ...settings,
        cwd: workingFolder(),
      },
      {
        timeoutMs,
        signal,
        onStatus: setStatus,
        onLine: (line) => channel.appendLine(line),
        onSpawn: (server) => {
          channel.appendLine(`[SpecReason] ${new Date().toISOString()} $ ${server.commandLine}`);
          this._processes.set(role, server);
          this._log.info(`start ${role} server (pid ${server.pid ?? '?'}): ${server.commandLine}`);
        },
      },
    );
    const pid = result.process?.pid;
    if (result.state === 'failed') {
      return fail(result.failure!, pid);
    }
    if (result.state !== 'cancelled') {
      this._log.info(`start ${role} server: ${result.state} (${url}, ${result.servedModel ?? '?'})`);
    }
    return { role, url, state: result.state, pid, servedModel: result.servedModel };
  }

  private async _waitReady(
    server: EngineProcess,
    client: ModelServer,
    timeoutMs: number,
    signal: AbortSignal,
    url: string,
    fail: (failure: LaunchFailure, pid?: number) => LaunchOutcome,
  ): Promise<LaunchOutcome> {
    const { role } = server;
    for (;;) {
      if (signal.aborted) {
        await this._stopProcess(server);
        return { role, url, state: 'cancelled', pid: server.pid };
      }
      if (server.exit) {
        return fail(recogniseLaunchFailure(server.tail.lines, server.exit)!, server.pid);
      }
      // Out of memory and a taken port end the start even if the process lingers while tearing down.
      const early = recogniseLaunchFailure(server.tail.lines);
      if (early && (early.cause === 'cuda_oom' || early.cause === 'port_in_use')) {
        await this._stopProcess(server);
        return fail(early, server.pid);
      }
      const health = await client.health(signal);
      if (health.ok && health.models?.length) {
        this._log.info(`start ${role} server: ready after ${formatElapsed(Date.now() - server.startedAt)} (${url})`);
        return { role, url, state: 'started', pid: server.pid, servedModel: health.models[0]!.id };
      }
      if (Date.now() - server.startedAt > timeoutMs) {
        await this._stopProcess(server);
        return fail(
          {
            cause: 'not_ready',
            message: `the server did not answer /health and /v1/models within ${Math.round(timeoutMs / 1000)} s and was stopped (last log line: ${server.tail.last?.trim().slice(0, 200) ?? 'none'}). Raise specreason.launch.readyTimeout if the model is still downloading or loading.`,
          },
          server.pid,
        );
      }
      await Promise.race([server.exited, new Promise((r) => setTimeout(r, POLL_MS))]);
    }
  }

  private _report(outcomes: LaunchOutcome[]): void {
    const failed = outcomes.filter((o) => o.state === 'failed');
    if (outcomes.some((o) => o.state === 'cancelled')) {
      void vscode.window.showInformationMessage(
        'SpecReason: Start Servers cancelled; the servers it started were stopped.',
      );
      return;
    }
    for (const o of failed) {
      void showError(
        `the ${o.role} server did not start — ${o.failure!.message}`,
        commandAction('Show Server Log', 'specreason.showServerLogs', o.role),
        openSettingsAction(`specreason.launch.${o.role}`),
      );
    }
    if (failed.length === 0) {
      void vscode.window.showInformationMessage(
        `SpecReason: servers ready — ${outcomes.map((o) => `${o.role} ${o.state === 'reused' ? `reused${reusedFrom(o)}` : 'started'} (${o.servedModel ?? '?'} on port ${portOf(o.url)})`).join(', ')}.`,
      );
    }
  }

  /**
   * Stop the servers SpecReason's launcher started on the configured ports: this window's, and those another window
   * or scripts/demo.sh recorded (serverRegistry.ts). Never one it did not start: it says which, and what it runs.
   */
  async stop(): Promise<{ stopped: ModelRole[]; pids: number[]; leftRunning: ModelRole[] }> {
    const config = readSettings().config;
    const ours = [...this._processes.values()].filter((p) => !p.exit);
    const elsewhere = ROLES.filter((role) => !ours.some((p) => p.role === role))
      .map((role) => ({ role, port: portOf(config[role].url), entry: serverOnPort(portOf(config[role].url)) }))
      .filter((s) => process.platform !== 'win32' && s.entry && groupAlive(s.entry.pgid));
    const notOurs = ROLES.filter(
      (role) => !ours.some((p) => p.role === role) && !elsewhere.some((s) => s.role === role),
    )
      .map((role) => ({ role, port: portOf(config[role].url) }))
      .map((s) => ({ ...s, listener: listenerOf(s.port) }))
      .filter((s) => s.listener);
    const leftAlone = notOurs.map(
      ({ role, port, listener }) =>
        `the ${role} server on port ${port} was not started by SpecReason (pid ${listener!.pid}: ${listener!.command.slice(0, 120)}) and is left running; stop it where it was started`,
    );
    if (ours.length === 0 && elsewhere.length === 0) {
      void vscode.window.showInformationMessage(
        `SpecReason: no server started by SpecReason is running${leftAlone.length ? ` — ${leftAlone.join('; ')}.` : ' (servers started elsewhere are left alone).'}`,
      );
      return { stopped: [], pids: [], leftRunning: notOurs.map((s) => s.role) };
    }
    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'SpecReason: stopping servers' },
      () =>
        Promise.all([
          ...ours.map((p) => this._stopProcess(p)),
          ...elsewhere.map(async ({ role, port, entry }) => {
            await this._stopGroup(role, entry!.pgid);
            forgetServer(port, entry!.pgid);
          }),
        ]),
    );
    this._onChange();
    const stopped = [...ours.map((p) => p.role), ...elsewhere.map((s) => s.role)];
    const origins = elsewhere.map(({ role, entry }) => `the ${role} server was started by ${entry!.startedBy}`);
    void vscode.window.showInformationMessage(
      `SpecReason: stopped the ${stopped.join(' and ')} server${stopped.length > 1 ? 's' : ''}${origins.length ? ` (${origins.join('; ')})` : ''}.${leftAlone.length ? ` Not stopped: ${leftAlone.join('; ')}.` : ''}`,
    );
    this._log.info(`stop servers: stopped ${stopped.join(', ')}${origins.length ? `; ${origins.join('; ')}` : ''}`);
    return {
      stopped,
      pids: [...ours.map((p) => p.pid), ...elsewhere.map((s) => s.entry!.pgid)].filter((p) => p !== undefined),
      leftRunning: notOurs.map((s) => s.role),
    };
  }

  /** SIGTERM to the whole process group, SIGKILL after a grace period; resolves when no member is left. */
  private async _stopProcess(server: EngineProcess): Promise<void> {
    if (server.pid === undefined) {
      return;
    }
    this._log.info(`stop ${server.role} server (process group ${server.pid})`);
    await server.stop(STOP_GRACE_MS, () =>
      this._log.warn(`${server.role} server did not stop within ${STOP_GRACE_MS / 1000} s: SIGKILL`),
    );
  }

  /** A server SpecReason started elsewhere (another window, the demo): SIGTERM its group, SIGKILL after a grace period. */
  private async _stopGroup(role: ModelRole, pgid: number): Promise<void> {
    this._log.info(`stop ${role} server (process group ${pgid})`);
    signalGroup(pgid, 'SIGTERM');
    const deadline = Date.now() + STOP_GRACE_MS;
    while (groupAlive(pgid) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
    if (groupAlive(pgid)) {
      this._log.warn(`${role} server did not stop within ${STOP_GRACE_MS / 1000} s: SIGKILL`);
      signalGroup(pgid, 'SIGKILL');
      while (groupAlive(pgid)) {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
  }

  /** Show a role's server log (asks which when both have one and no role is given). */
  async showLogs(role?: ModelRole): Promise<void> {
    const roles = [...this._channels.keys()];
    if (roles.length === 0) {
      void vscode.window.showInformationMessage(
        'SpecReason: no server log yet. Servers started with SpecReason: Start Servers log here; others log in their own terminal.',
      );
      return;
    }
    const target =
      role ??
      (roles.length === 1
        ? roles[0]
        : (
            await vscode.window.showQuickPick(
              roles.map((r) => ({ label: `${r} server`, role: r })),
              { title: 'SpecReason: show which server log?' },
            )
          )?.role);
    if (target) {
      this._channel(target).show(true);
    }
  }

  dispose(): void {
    // The window is closing: end what we started (a detached group would outlive the extension host).
    for (const p of this._processes.values()) {
      if (!p.exit && p.pid !== undefined) {
        if (process.platform === 'win32') {
          spawn('taskkill', ['/pid', String(p.pid), '/T', '/F'], { stdio: 'ignore' });
        } else {
          signalGroup(p.pid, 'SIGTERM');
        }
      }
    }
    for (const c of this._channels.values()) {
      c.dispose();
    }
  }
}

/** Where a reused server came from, when SpecReason's launcher started it elsewhere (another window, the demo). */
function reusedFrom(o: LaunchOutcome): string {
  const entry = serverOnPort(portOf(o.url));
  return entry && groupAlive(entry.pgid) ? `, started by ${entry.startedBy},` : '';
}

/** Where a server runs: the first workspace folder on this machine, else the home folder. */
function workingFolder(): string {
  return vscode.workspace.workspaceFolders?.[0]?.uri.scheme === 'file'
    ? vscode.workspace.workspaceFolders[0].uri.fsPath
    : os.homedir();
}

/** Whether Start Servers runs the project's simulated server for a role (as the demo configures it). */
export function launchesSimulator(role: ModelRole, config: SpecReasonConfig): boolean {
  return /simulated-vllm/.test(readLaunchSettings(role, config).command);
}

/** The fix for a simulated server that is down: not a GPU `vllm serve` command, but Start Servers. */
export function simulatorDownHint(role: ModelRole, url: string): string {
  return `the simulated ${role} server (${new URL(url).host}) is not running: SpecReason: Start Servers restarts it`;
}

/**
 * A run event whose error is a simulated server that is down gets the simulator's fix as its hint (the panel shows
 * it under the error, with a Start Servers button) instead of a `vllm serve` command for a GPU machine.
 */
export function withSimulatorHint(event: RunEvent, config: SpecReasonConfig): RunEvent {
  const error =
    event.type === 'error' ? event.error : event.type === 'run-done' ? event.record.summary.error : undefined;
  const role = error?.server?.role;
  if (error?.code === 'server_down' && role && launchesSimulator(role, config)) {
    error.hint = `The simulated ${role} server is not running (the demo's pair is SIMULATED): SpecReason: Start Servers restarts it.`;
  }
  return event;
}
