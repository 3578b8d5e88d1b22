// Starting vLLM servers, the parts that need no VS Code: the `vllm serve` command line, and what a
// server's log says when it failed to start (port in use, no such command, CUDA out of memory, no such
// model), so the user is told the cause and the fix instead of "exited with code 1".

import type { ModelRole } from '../config';

/** The paper's pair (spec_reason.py's README): QwQ-32B scores and falls back, R1-Distill-1.5B drafts. */
export const PAPER_MODELS: Readonly<Record<ModelRole, string>> = Object.freeze({
  base: 'Qwen/QwQ-32B',
  small: 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B',
});

export const DEFAULT_SERVE_COMMAND = 'vllm serve';

export interface ServeSpec {
  /** The program and subcommand, as shell text (default `vllm serve`; may be e.g. `conda run -n x vllm serve`). */
  command: string;
  model: string;
  port: number;
  /** More `vllm serve` arguments, as shell text (quotes allowed, e.g. a --speculative-config JSON). */
  extraArgs: string;
}

/** Quote one word for a POSIX shell. */
export function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * The shell command line that starts one server. Prefix caching is on (the paper's setting and the reason the
 * one-token score is cheap) unless the extra arguments say otherwise.
 */
export function serveCommandLine(spec: ServeSpec): string {
  const extra = spec.extraArgs.trim();
  const caching = /--(no-)?enable-prefix-caching\b/.test(extra) ? [] : ['--enable-prefix-caching'];
  return [spec.command.trim() || DEFAULT_SERVE_COMMAND, shellQuote(spec.model), '--port', String(spec.port), ...caching]
    .concat(extra ? [extra] : [])
    .join(' ');
}

/** The TCP port of an OpenAI-compatible URL (the scheme's default when none is written). */
export function portOf(url: string): number {
  const u = new URL(url);
  return u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80;
}

/** Whether a URL points at this machine, where Start Servers can start a server for it. */
export function isLocalUrl(url: string, hostName?: string): boolean {
  const host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return (
    ['localhost', '0.0.0.0', '::1', '::'].includes(host) ||
    host.startsWith('127.') ||
    (hostName !== undefined && host === hostName.toLowerCase())
  );
}

export type LaunchFailureCause =
  'port_in_use' | 'command_not_found' | 'cuda_oom' | 'model_not_found' | 'exited' | 'not_ready' | 'not_local';

export interface LaunchFailure {
  cause: LaunchFailureCause;
  /** What happened and what to do, in a sentence or two (no "SpecReason:" prefix, no role). */
  message: string;
  /** The log line the cause was recognised from, when there is one. */
  line?: string;
}

interface Pattern {
  cause: LaunchFailureCause;
  test: RegExp;
  message: (line: string) => string;
}

// Checked in this order against every line (the most specific causes first): vLLM prints a long traceback,
// and the line that names the cause is often not the last one.
const PATTERNS: readonly Pattern[] = [
  {
    cause: 'cuda_oom',
    test: /CUDA out of memory|OutOfMemoryError|No available memory for the cache blocks|insufficient GPU memory|not enough (GPU|KV cache) memory/i,
    message: () =>
      'CUDA out of memory: free the GPU (nvidia-smi shows what uses it), pick another one with CUDA_VISIBLE_DEVICES in the environment setting, or add --gpu-memory-utilization / --max-model-len to the extra arguments.',
  },
  {
    cause: 'port_in_use',
    test: /address already in use|Errno 98|EADDRINUSE/i,
    message: () =>
      'the port is already in use by another program: stop it, or change the port in the server URL settings.',
  },
  {
    cause: 'model_not_found',
    test: /Repository Not Found|RepositoryNotFoundError|not a valid model identifier|is not a local folder|Invalid repository ID|does not appear to have a file named config\.json|GatedRepoError|Access to model .* is restricted|No such model/i,
    message: () =>
      'the model was not found (or is gated): check the model name, or log in with `huggingface-cli login` / set HF_TOKEN in the environment setting.',
  },
  {
    cause: 'command_not_found',
    test: /command not found|: not found$|No such file or directory.*(vllm|serve)|ENOENT/i,
    message: () =>
      'the command was not found: install vLLM (`pip install vllm`) in this environment, or set the command to its full path (e.g. /path/to/venv/bin/vllm serve).',
  },
];

/**
 * The cause of a failed start, from the server's log and how it ended. `exit` is undefined while the process
 * still runs (then only a recognised log line counts). Exit code 127 is the shell's "command not found".
 */
export function recogniseLaunchFailure(
  lines: readonly string[],
  exit?: { code: number | null; signal: string | null },
): LaunchFailure | undefined {
  for (const pattern of PATTERNS) {
    const line = lines.find((l) => pattern.test.test(l));
    if (line !== undefined) {
      return { cause: pattern.cause, message: pattern.message(line), line: line.trim() };
    }
  }
  if (!exit) {
    return undefined;
  }
  if (exit.code === 127) {
    return { cause: 'command_not_found', message: PATTERNS.find((p) => p.cause === 'command_not_found')!.message('') };
  }
  const how = exit.signal ? `was stopped by ${exit.signal}` : `exited with code ${exit.code}`;
  const last = lines.filter((l) => l.trim()).at(-1);
  return {
    cause: 'exited',
    message: `the server ${how} before it was ready${last ? ` (last log line: ${last.trim().slice(0, 200)})` : ''}: see its log.`,
  };
}

/** A long-running server's log, kept to its last lines (recognising a cause needs only the recent ones). */
export class LogTail {
  private readonly _lines: string[] = [];
  private _partial = '';

  constructor(private readonly _max = 400) {}

  /** Append a chunk of output; returns the complete lines it finished. */
  push(chunk: string): string[] {
    const parts = (this._partial + chunk).split(/\r?\n|\r/);
    this._partial = parts.pop() ?? '';
    const done = parts.filter((l) => l.length > 0);
    this._lines.push(...done);
    if (this._lines.length > this._max) {
      this._lines.splice(0, this._lines.length - this._max);
    }
    return done;
  }

  get lines(): readonly string[] {
    return this._partial ? [...this._lines, this._partial] : this._lines;
  }

  /** The last non-empty line, for progress messages. */
  get last(): string | undefined {
    return this.lines.filter((l) => l.trim()).at(-1);
  }
}

/** m:ss, for elapsed-time progress messages. */
export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
