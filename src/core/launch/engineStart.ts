// Start Servers without VS Code: start one engine's server as a child process (its own process group, so a
// stop ends its workers too), follow its log, wait until it is ready the way that engine says so, and name
// the cause when it does not start. The host's Start Servers and the tests drive it.
//
// Ready, per engine (read in each engine's source, see launch.ts):
// - vLLM and SGLang: GET /health answers 200 (both answer only once the model is loaded) and /v1/models
//   lists the model.
// - llama-server: the HTTP server starts before the model loads; GET /health answers 503 ("Loading model")
//   until it is loaded, then 200; then /v1/models lists it.
// - Ollama: `ollama serve` when nothing answers yet (GET /api/version answers once it listens), then
//   `ollama pull MODEL` when /api/tags does not list the model (its progress lines are the status), then ready.

import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { ModelRole } from '../config';
import {
  LogTail,
  formatElapsed,
  launchCommandLine,
  launchEnv,
  pullCommandLine,
  recogniseLaunchFailure,
  type LaunchFailure,
  type LaunchKind,
} from './serve';

const POLL_MS = 250;
const PROBE_TIMEOUT_MS = 2000;
const STOP_GRACE_MS = 15000;

/** A role's launch settings (`specreason.launch.<role>.*`). */
export interface LaunchSettings {
  command: string;
  model: string;
  extraArgs: string;
  env: Record<string, string>;
}

export interface EngineLaunch extends LaunchSettings {
  kind: LaunchKind;
  role: ModelRole;
  /** The server URL as configured (with or without /v1). */
  url: string;
  cwd: string;
}

/** A server process (or a step of starting one, such as `ollama pull`), the leader of its own process group. */
export class EngineProcess {
  readonly tail = new LogTail();
  readonly startedAt = Date.now();
  exit?: { code: number | null; signal: string | null };
  readonly exited: Promise<void>;
  readonly child: ChildProcess;

  constructor(
    readonly role: ModelRole,
    readonly commandLine: string,
    env: Record<string, string>,
    cwd: string,
    onLine: (line: string) => void = () => undefined,
  ) {
    const windows = process.platform === 'win32';
    this.child = spawn(windows ? commandLine : '/bin/sh', windows ? [] : ['-c', commandLine], {
      detached: !windows, // its own process group: a stop ends the whole tree
      shell: windows,
      env: { ...process.env, ...env },
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const onData = (chunk: Buffer) => {
      for (const line of this.tail.push(chunk.toString('utf8'))) {
        onLine(line);
      }
    };
    this.child.stdout?.on('data', onData);
    this.child.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (error) => {
        onData(Buffer.from(`${error.message}\n`));
        this.exit ??= { code: (error as NodeJS.ErrnoException).code === 'ENOENT' ? 127 : null, signal: null };
        resolve();
      });
      this.child.once('close', (code, signal) => {
        this.exit ??= { code, signal };
        resolve();
      });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGTERM to the whole process group, SIGKILL after a grace period; resolves when no member is left. */
  async stop(graceMs = STOP_GRACE_MS, onKill: () => void = () => undefined): Promise<void> {
    const pgid = this.pid;
    if (pgid === undefined) {
      return;
    }
    if (process.platform === 'win32') {
      spawn('taskkill', ['/pid', String(pgid), '/T', '/F'], { stdio: 'ignore' });
      await this.exited;
      return;
    }
    signalGroup(pgid, 'SIGTERM');
    const deadline = Date.now() + graceMs;
    while (groupAlive(pgid) && Date.now() < deadline) {
      await sleep(50);
    }
    if (groupAlive(pgid)) {
      onKill();
      signalGroup(pgid, 'SIGKILL');
      while (groupAlive(pgid)) {
        await sleep(50);
      }
    }
    await this.exited;
  }
}

export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* already gone */
  }
}

/** Whether any live (non-zombie) process is in the group. Zombies are dead; init reaps them in its own time. */
export function groupAlive(pgid: number): boolean {
  if (process.platform === 'linux') {
    return groupMembers(pgid).length > 0;
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Live processes of a process group, from /proc (Linux). */
export function groupMembers(pgid: number): number[] {
  const members: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) {
      continue;
    }
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(pgrp) === pgid && state !== 'Z') {
        members.push(Number(name));
      }
    } catch {
      /* ended while we looked */
    }
  }
  return members;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The server's root (its URL without /v1), where /health and Ollama's /api live. */
export function serverRoot(url: string): string {
  return url.replace(/\/+$/, '').replace(/\/v1$/, '');
}

export type Readiness =
  | { state: 'down' }
  /** It answers, but is not ready yet (llama-server loading, a /health that is not 200 yet). */
  | { state: 'loading'; detail: string }
  /** Ollama answers but does not have the model yet. */
  | { state: 'no-model' }
  | { state: 'ready'; servedModel: string };

async function get(url: string, signal?: AbortSignal): Promise<{ status: number; body: string } | undefined> {
  const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  try {
    const reply = await fetch(url, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    return { status: reply.status, body: await reply.text() };
  } catch {
    return undefined;
  }
}

function json(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Whether Ollama lists the model (a name without a tag means `:latest`, as Ollama reads it). */
export function ollamaHasModel(tags: unknown, model: string): boolean {
  const names = ((tags as { models?: Array<{ name?: unknown; model?: unknown }> })?.models ?? []).flatMap((m) =>
    [m.name, m.model].filter((n): n is string => typeof n === 'string'),
  );
  const wanted = model.includes(':') ? model : `${model}:latest`;
  return names.some((n) => n === model || n === wanted);
}

/** Where one engine is on its way to ready, from one look at its HTTP API. */
export async function probeReadiness(
  kind: LaunchKind,
  url: string,
  model: string,
  signal?: AbortSignal,
): Promise<Readiness> {
  const root = serverRoot(url);
  if (kind === 'ollama') {
    const version = await get(`${root}/api/version`, signal);
    if (!version) {
      return { state: 'down' };
    }
    if (version.status !== 200) {
      return { state: 'loading', detail: `/api/version answers HTTP ${version.status}` };
    }
    const tags = await get(`${root}/api/tags`, signal);
    return tags?.status === 200 && ollamaHasModel(json(tags.body), model)
      ? { state: 'ready', servedModel: model }
      : { state: 'no-model' };
  }
  const health = await get(`${root}/health`, signal);
  if (!health) {
    return { state: 'down' };
  }
  if (health.status !== 200) {
    const message = (json(health.body) as { error?: { message?: unknown } } | undefined)?.error?.message;
    return {
      state: 'loading',
      detail: typeof message === 'string' ? message : `/health answers HTTP ${health.status}`,
    };
  }
  const models = await get(`${root}/v1/models`, signal);
  const first = (json(models?.body ?? '') as { data?: Array<{ id?: unknown }> } | undefined)?.data?.[0]?.id;
  return typeof first === 'string'
    ? { state: 'ready', servedModel: first }
    : { state: 'loading', detail: 'no model listed yet' };
}

export type StartState = 'started' | 'reused' | 'failed' | 'cancelled';

export interface StartResult {
  state: StartState;
  failure?: LaunchFailure;
  servedModel?: string;
  /** The server process this start launched (none when one was already running). */
  process?: EngineProcess;
}

export interface StartOptions {
  timeoutMs: number;
  signal: AbortSignal;
  /** A short status for the progress ("loading 0:42 · last log line", "pulling 45%"). */
  onStatus?: (status: string) => void;
  /** Every log line of the processes started (server and pull). */
  onLine?: (line: string) => void;
  /** Called when the server process is spawned, before it is ready (the host tracks it for Stop). */
  onSpawn?: (process: EngineProcess) => void;
}

/**
 * Start one engine's server (or reuse the one that answers), and wait until it is ready. Never throws: a failure
 * is a result with its cause; a cancel stops what this start launched.
 */
export async function startEngine(launch: EngineLaunch, options: StartOptions): Promise<StartResult> {
  const { kind, model } = launch;
  const status = options.onStatus ?? (() => undefined);
  let readiness = await probeReadiness(kind, launch.url, model, options.signal);
  let server: EngineProcess | undefined;
  if (readiness.state === 'down') {
    server = new EngineProcess(launch.role, launchCommandLine(launch), launchEnv(launch), launch.cwd, options.onLine);
    options.onSpawn?.(server);
    status('loading');
    const waited = await waitFor(kind, launch, server, options, (r) => r.state === 'ready' || r.state === 'no-model');
    if (waited.state !== 'ok') {
      return waited.result;
    }
    readiness = waited.readiness;
  } else if (readiness.state === 'loading' && kind !== 'llama-server') {
    return {
      state: 'failed',
      failure: {
        cause: 'port_in_use',
        message: `the port is in use by something that is not a ready server (${readiness.detail}): stop it, or change the port in the server URL settings.`,
      },
    };
  }
  if (readiness.state === 'no-model') {
    const pulled = await pull(launch, options);
    if (pulled) {
      await server?.stop();
      return { ...pulled, process: server };
    }
    readiness = await probeReadiness(kind, launch.url, model, options.signal);
  }
  if (readiness.state === 'loading' && !server) {
    // llama-server started elsewhere and still loading: wait for it like one of ours.
    const waited = await waitFor(kind, launch, undefined, options, (r) => r.state === 'ready');
    if (waited.state !== 'ok') {
      return waited.result;
    }
    readiness = waited.readiness;
  }
  if (readiness.state !== 'ready') {
    await server?.stop();
    return {
      state: 'failed',
      process: server,
      failure: { cause: 'not_ready', message: `the server answers but is not ready (${readiness.state})` },
    };
  }
  status(server ? 'running' : 'reused');
  return { state: server ? 'started' : 'reused', servedModel: readiness.servedModel, process: server };
}

type Waited = { state: 'ok'; readiness: Readiness } | { state: 'stop'; result: StartResult };

/** Poll until `done` says ready; a process that exits or logs a fatal cause ends the wait with that cause. */
async function waitFor(
  kind: LaunchKind,
  launch: EngineLaunch,
  server: EngineProcess | undefined,
  options: StartOptions,
  done: (r: Readiness) => boolean,
): Promise<Waited> {
  const startedAt = server?.startedAt ?? Date.now();
  const fail = async (failure: LaunchFailure): Promise<Waited> => {
    await server?.stop();
    return { state: 'stop', result: { state: 'failed', failure, process: server } };
  };
  for (;;) {
    if (options.signal.aborted) {
      await server?.stop();
      return { state: 'stop', result: { state: 'cancelled', process: server } };
    }
    if (server?.exit) {
      return fail(recogniseLaunchFailure(server.tail.lines, server.exit, kind)!);
    }
    // Out of memory and a taken port end the start even if the process lingers while tearing down.
    const early = server && recogniseLaunchFailure(server.tail.lines, undefined, kind);
    if (early && (early.cause === 'cuda_oom' || early.cause === 'port_in_use')) {
      return fail(early);
    }
    const readiness = await probeReadiness(kind, launch.url, launch.model, options.signal);
    if (done(readiness)) {
      return { state: 'ok', readiness };
    }
    const last = server?.tail.last?.trim() ?? '';
    const elapsed = formatElapsed(Date.now() - startedAt);
    options.onStatus?.(
      `${readiness.state === 'loading' ? readiness.detail : 'loading'} ${elapsed}${last ? ` · ${last.length > 70 ? `${last.slice(0, 69)}…` : last}` : ''}`,
    );
    if (Date.now() - startedAt > options.timeoutMs) {
      return fail({
        cause: 'not_ready',
        message: `the server was not ready within ${Math.round(options.timeoutMs / 1000)} s and was stopped (last log line: ${last.slice(0, 200) || 'none'}). Raise specreason.launch.readyTimeout if the model is still downloading or loading.`,
      });
    }
    await Promise.race([server?.exited ?? new Promise(() => undefined), sleep(POLL_MS)]);
  }
}

/** `ollama pull MODEL`, its progress as the status; a failure with its cause, or undefined when it pulled. */
async function pull(launch: EngineLaunch, options: StartOptions): Promise<StartResult | undefined> {
  const puller = new EngineProcess(launch.role, pullCommandLine(launch), launchEnv(launch), launch.cwd, (line) => {
    options.onLine?.(line);
    const progress = /(\d{1,3})%/.exec(line)?.[1];
    options.onStatus?.(
      progress ? `pulling ${launch.model} ${progress}%` : `pulling ${launch.model} · ${line.trim().slice(0, 60)}`,
    );
  });
  options.onStatus?.(`pulling ${launch.model}`);
  const aborted = () => void puller.stop(1000);
  options.signal.addEventListener('abort', aborted, { once: true });
  try {
    await puller.exited;
  } finally {
    options.signal.removeEventListener('abort', aborted);
  }
  if (options.signal.aborted) {
    return { state: 'cancelled' };
  }
  if (puller.exit?.code === 0) {
    return undefined;
  }
  return { state: 'failed', failure: recogniseLaunchFailure(puller.tail.lines, puller.exit, 'ollama') };
}
