// Starting servers, the parts that need no VS Code: each engine's command line, and what its log says when
// it failed to start (port in use, no such command, out of memory, no such model), so the user is told the
// cause and the fix instead of "exited with code 1". The words are each engine's own, read in its source:
// vLLM; SGLang (sgl-project/sglang: python/sglang/launch_server.py, srt/model_executor/model_runner.py "Not
// enough memory. Please try to increase --mem-fraction-static."); llama.cpp's llama-server (ggml-org/llama.cpp
// aa6192d tools/server/server.cpp, server-http.cpp: "couldn't bind HTTP server socket", "exiting due to model
// loading error", ggml's "cudaMalloc failed: out of memory" / "failed to allocate CUDA0 buffer"); Ollama
// (ollama/ollama fb30760: cmd/cmd.go RunServer binds OLLAMA_HOST, cobra prints "Error: listen tcp …: bind:
// address already in use"; server/images.go "pull model manifest: …"; llm/status.go's out-of-memory words).
// serverStart.ts runs the processes and waits for each engine's readiness.

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

/** The engines Start Servers can start (a hosted OpenAI-compatible provider is not started here). */
export const LAUNCH_KINDS = ['vllm', 'sglang', 'llama-server', 'ollama'] as const;
export type LaunchKind = (typeof LAUNCH_KINDS)[number];

/** The program of each engine, as shell text (a setting may give another path, e.g. in a virtualenv). */
export const DEFAULT_SERVE_COMMANDS: Readonly<Record<LaunchKind, string>> = {
  vllm: DEFAULT_SERVE_COMMAND,
  sglang: 'python -m sglang.launch_server',
  'llama-server': 'llama-server',
  ollama: 'ollama',
};

export const ENGINE_NAMES: Readonly<Record<LaunchKind, string>> = {
  vllm: 'vLLM',
  sglang: 'SGLang',
  'llama-server': "llama.cpp's llama-server",
  ollama: 'Ollama',
};

/**
 * Which engine a role's Start Servers starts: the configured server kind when it is one Start Servers can start,
 * else what the launch command names, else vLLM.
 */
export function launchKindOf(command: string, kind?: string): LaunchKind {
  if ((LAUNCH_KINDS as readonly string[]).includes(kind ?? '')) {
    return kind as LaunchKind;
  }
  const c = command.toLowerCase();
  if (/simulated-vllm/.test(c)) {
    return 'vllm'; // the project's simulated server takes `vllm serve`'s arguments whatever engine it plays
  }
  return /sglang/.test(c)
    ? 'sglang'
    : /llama-server/.test(c)
      ? 'llama-server'
      : /\bollama\b/.test(c)
        ? 'ollama'
        : 'vllm';
}

export interface KindServeSpec extends ServeSpec {
  kind: LaunchKind;
}

/** The command a role's launch runs: the given one, or the engine's own when none (or vLLM's default) is given. */
function programOf(kind: LaunchKind, command: string): string {
  const c = command.trim();
  return !c || (kind !== 'vllm' && c === DEFAULT_SERVE_COMMAND) ? DEFAULT_SERVE_COMMANDS[kind] : c;
}

/** A llama-server model that is a Hugging Face repo (`org/name[:quant]`) rather than a .gguf path: `-hf`. */
function isHfRepo(model: string): boolean {
  return !/\.gguf$/i.test(model) && /^[\w.-]+\/[\w.-]+(:[\w.-]+)?$/.test(model) && !model.startsWith('.');
}

/**
 * The shell command line that starts one engine's server on a port. SGLang and llama-server get their metrics
 * on (the conformance probe reads prefix caching from them) unless the extra arguments say otherwise; Ollama's
 * port goes in OLLAMA_HOST (launchEnv), its model is pulled afterwards (pullCommandLine).
 */
export function launchCommandLine(spec: {
  kind: LaunchKind;
  command: string;
  model: string;
  url?: string;
  port?: number;
  extraArgs: string;
}): string {
  const port = spec.port ?? portOf(spec.url!);
  const extra = spec.extraArgs.trim();
  const program = programOf(spec.kind, spec.command);
  const tail = extra ? [extra] : [];
  switch (spec.kind) {
    case 'vllm':
      return serveCommandLine({ command: program, model: spec.model, port, extraArgs: spec.extraArgs });
    case 'sglang':
      return [program, '--model-path', shellQuote(spec.model), '--port', String(port)]
        .concat(/--enable-metrics\b/.test(extra) ? [] : ['--enable-metrics'], tail)
        .join(' ');
    case 'llama-server':
      return [program, isHfRepo(spec.model) ? '-hf' : '-m', shellQuote(spec.model), '--port', String(port)]
        .concat(/--metrics\b/.test(extra) ? [] : ['--metrics'], tail)
        .join(' ');
    case 'ollama':
      return [program, 'serve'].concat(tail).join(' ');
    default: {
      const unknown: never = spec.kind;
      return unknown;
    }
  }
}

/** Ollama's `pull` of the model, with the same program. */
export function pullCommandLine(spec: { command: string; model: string }): string {
  return `${programOf('ollama', spec.command)} pull ${shellQuote(spec.model)}`;
}

/** Environment a launch adds: Ollama listens where OLLAMA_HOST says (default 127.0.0.1:11434). */
export function launchEnv(spec: {
  kind: LaunchKind;
  url: string;
  env: Record<string, string>;
}): Record<string, string> {
  if (spec.kind !== 'ollama' || spec.env.OLLAMA_HOST) {
    return spec.env;
  }
  const host = new URL(spec.url).hostname.replace(/^\[|\]$/g, '');
  return { ...spec.env, OLLAMA_HOST: `${host === 'localhost' ? '127.0.0.1' : host}:${portOf(spec.url)}` };
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
  message: (kind: LaunchKind) => string;
}

const INSTALL: Readonly<Record<LaunchKind, string>> = {
  vllm: 'install vLLM (`pip install vllm`) in this environment, or set the command to its full path (e.g. /path/to/venv/bin/vllm serve)',
  sglang:
    'install SGLang (`pip install sglang`) in this environment, or set the command to the Python that has it (e.g. /path/to/venv/bin/python -m sglang.launch_server)',
  'llama-server':
    "install llama.cpp (a release from github.com/ggml-org/llama.cpp, or your package manager), or set the command to the llama-server binary's path",
  ollama: "install Ollama (ollama.com/download), or set the command to the ollama binary's path",
};

const OUT_OF_MEMORY: Readonly<Record<LaunchKind, string>> = {
  vllm: 'CUDA out of memory: free the GPU (nvidia-smi shows what uses it), pick another one with CUDA_VISIBLE_DEVICES in the environment setting, or add --gpu-memory-utilization / --max-model-len to the extra arguments.',
  sglang:
    'out of GPU memory: free the GPU (nvidia-smi shows what uses it), pick another one with CUDA_VISIBLE_DEVICES in the environment setting, or give the KV cache room: raise --mem-fraction-static (SGLang asks for it when the weights leave none) or lower --context-length in the extra arguments.',
  'llama-server':
    'out of memory loading the model: offload fewer layers to the GPU (-ngl N), use a smaller context (-c N) or a smaller quantisation, or free the GPU (nvidia-smi shows what uses it).',
  ollama:
    'Ollama ran out of memory loading the model: pick a smaller model or quantisation, a smaller context (OLLAMA_CONTEXT_LENGTH in the environment setting), or free the GPU.',
};

const MODEL_NOT_FOUND: Readonly<Record<LaunchKind, string>> = {
  vllm: 'the model was not found (or is gated): check the model name, or log in with `huggingface-cli login` / set HF_TOKEN in the environment setting.',
  sglang:
    'the model was not found (or is gated): check the model path, or log in with `huggingface-cli login` / set HF_TOKEN in the environment setting.',
  'llama-server':
    'the model file was not found or could not be loaded: set the launch model to the path of a .gguf file, or to a Hugging Face GGUF repository (started with -hf).',
  ollama:
    'Ollama has no such model: check its name in the Ollama library (e.g. deepseek-r1:1.5b) and set it as the launch model.',
};

// Checked in this order against every line (the most specific causes first): vLLM and SGLang print a long
// traceback, and the line that names the cause is often not the last one.
const PATTERNS: readonly Pattern[] = [
  {
    cause: 'cuda_oom',
    test: /CUDA out of memory|OutOfMemoryError|No available memory for the cache blocks|insufficient GPU memory|not enough (GPU|KV cache) memory|Not enough memory\. Please try to increase --mem-fraction-static|cudaMalloc failed|failed to allocate (CUDA|Metal|Vulkan|ROCm)\w* buffer|unable to allocate \w+ buffer|out of device memory|requires more system memory|insufficient memory/i,
    message: (kind) => OUT_OF_MEMORY[kind],
  },
  {
    cause: 'port_in_use',
    test: /address already in use|Errno 98|EADDRINUSE|couldn't bind HTTP server socket|Only one usage of each socket address/i,
    message: () =>
      'the port is already in use by another program: stop it, or change the port in the server URL settings.',
  },
  {
    cause: 'model_not_found',
    test: /Repository Not Found|RepositoryNotFoundError|not a valid model identifier|is not a local folder|Invalid repository ID|does not appear to have a file named config\.json|GatedRepoError|Access to model .* is restricted|No such model|failed to open GGUF file|gguf_init_from_file\w*: failed to open|failed to load model from .*\.gguf|pull model manifest: file does not exist|not found, try pulling it first/i,
    message: (kind) => MODEL_NOT_FOUND[kind],
  },
  {
    cause: 'command_not_found',
    test: /command not found|: not found$|No such file or directory.*(vllm|serve|sglang|llama-server|ollama)|ENOENT|No module named '?(sglang|vllm)/i,
    message: (kind) => `the command was not found: ${INSTALL[kind]}.`,
  },
];

/**
 * The cause of a failed start, from the server's log and how it ended. `exit` is undefined while the process
 * still runs (then only a recognised log line counts). Exit code 127 is the shell's "command not found".
 */
export function recogniseLaunchFailure(
  lines: readonly string[],
  exit?: { code: number | null; signal: string | null },
  kind: LaunchKind = 'vllm',
): LaunchFailure | undefined {
  for (const pattern of PATTERNS) {
    const line = lines.find((l) => pattern.test.test(l));
    if (line !== undefined) {
      return { cause: pattern.cause, message: pattern.message(kind), line: line.trim() };
    }
  }
  if (!exit) {
    return undefined;
  }
  if (exit.code === 127) {
    return {
      cause: 'command_not_found',
      message: PATTERNS.find((p) => p.cause === 'command_not_found')!.message(kind),
    };
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
