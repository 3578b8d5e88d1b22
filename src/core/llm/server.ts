// What the engine needs from an OpenAI-compatible model server. The engine, its lanes and the host
// depend on this interface only; src/core/llm/factory.ts picks the implementation for a server kind.

import type { ModelRole, ServerConfig } from '../config';
import type { SpecReasonError } from '../errors';
import type { TokenLogprob } from '../engine/scoring';
import type { RequestFormat } from './requestBodies';

export type { ModelRole, ServerConfig };

export interface ChatMessage {
  role: 'user' | 'assistant';
  content: string;
}

export interface GenerateRequest {
  messages: ChatMessage[];
  /** true: continue the final assistant message (prefill); false: open a new assistant turn. */
  continueFinal: boolean;
  maxTokens: number;
  temperature: number;
  topP: number;
  stop?: string[];
}

export interface GenerateResult {
  text: string;
  completionTokens: number;
  finishReason: string | null;
  /** Prompt tokens as the server counted them (usage.prompt_tokens), where it says. */
  promptTokens?: number;
  /** Wall time of the request. */
  ms: number;
  startedAt: number;
  endedAt: number;
}

export interface ScoreResult {
  sampledToken: string;
  topLogprobs: TokenLogprob[];
  /** The reply text (the reference's "justification"). */
  content: string | null;
  ms: number;
  startedAt: number;
  endedAt: number;
}

export interface ModelInfo {
  id: string;
  /** The context length the server allows, when it says. */
  maxModelLen?: number;
  /** vLLM says "vllm"; the project's simulated server says "specreason-simulator". */
  ownedBy?: string;
}

export const SIMULATOR_OWNER = 'specreason-simulator';

export interface ServerHealth {
  url: string;
  ok: boolean;
  healthStatus?: number;
  version?: string;
  models?: ModelInfo[];
  roundTripMs?: number;
  error?: SpecReasonError;
  /** The server kind that answered (detected, or as configured). */
  kind?: ServerKind;
}

/** What the server's metrics say about speculative decoding and prefix caching. */
export interface ServerFeatures {
  specDecode: boolean;
  /** undefined when the server does not say. */
  prefixCaching?: boolean;
  prefixCacheHitRate?: number;
  specDecodeAcceptance?: number;
}

/**
 * The server kinds there is an implementation for (the factory picks one). `openai` is any
 * OpenAI-compatible server with /v1/completions and top-k logprobs (hosted providers).
 */
export const SERVER_KINDS = ['vllm', 'sglang', 'llama-server', 'ollama', 'openai'] as const;
export type ServerKind = (typeof SERVER_KINDS)[number];
/** What a role's kind setting may say: a kind, or `auto` (probe the URL once, src/core/llm/detect.ts). */
export const SERVER_KIND_SETTINGS = ['auto', ...SERVER_KINDS] as const;
export type ServerKindSetting = (typeof SERVER_KIND_SETTINGS)[number];

/** What users call each kind. */
export const SERVER_KIND_NAMES: Readonly<Record<ServerKind, string>> = {
  vllm: 'vLLM',
  sglang: 'SGLang',
  'llama-server': "llama.cpp's llama-server",
  ollama: 'Ollama',
  openai: 'OpenAI-compatible server',
};

/** Fix-it hints: what to tell a user about each failure, worded for one server kind. */
export interface ServerHints {
  /** What users call this server, e.g. "vLLM". */
  name: string;
  /** The shell command that would start this server. */
  startCommand(role: ModelRole, server: ServerConfig): string;
  serverDown(role: ModelRole, server: ServerConfig): string;
  timeout: string;
  connectionLost: string;
  serverError: string;
  notThisKind: string;
  noModel: string;
  noLogprobs: string;
  /** A stream that finished without the usage chunk stream_options asks for. */
  noUsage: string;
  /** A streamed request answered with something other than an event stream. */
  notEventStream: string;
  contextLength: string;
  auth: string;
  modelNotFound: string;
}

export interface ClientOptions {
  /** The deadline of one request (see transport.ts for what it covers). */
  timeoutMs: number;
  maxRetries: number;
  stream: boolean;
  /** Extra HTTP headers on every chat request (e.g. the session key a router routes by). */
  headers?: Record<string, string>;
  /** Retry a request whose headers did not come within the timeout (default: report it at once). */
  retryTimeouts?: boolean;
  /**
   * Tokens of context a run needs (prompt, kept steps and one more step): engines that size their
   * context per request (Ollama's num_ctx, whose small default truncates silently) are asked for it.
   */
  contextTokens?: number;
}

/** One model server, as the engine uses it. */
export interface ModelServer {
  /** The kind of server; `auto` until a detecting client has probed its URL (see detect.ts). */
  readonly kind: ServerKind | 'auto';
  readonly role: ModelRole;
  /** The OpenAI base URL (with /v1), without a trailing slash. */
  readonly url: string;
  /** The served model: id and context length (asked once, then cached). */
  model(signal?: AbortSignal): Promise<ModelInfo>;
  /** The model once discovered, without asking the server. */
  readonly knownModel?: ModelInfo;
  /** One generation, streamed to onDelta when the client streams, else delivered at once. */
  generate(request: GenerateRequest, signal: AbortSignal, onDelta?: (text: string) => void): Promise<GenerateResult>;
  /** The one-token score request with the top-10 logprobs. */
  score(messages: ChatMessage[], signal: AbortSignal): Promise<ScoreResult>;
  /**
   * First-token routing's probe: the first token of the step `request` asks for (greedy, one token) with its
   * top `topLogprobs` alternatives. Only kinds that can serve it have it (llm/capabilities.ts).
   */
  firstToken?(request: GenerateRequest, topLogprobs: number, signal: AbortSignal): Promise<ScoreResult>;
  /**
   * `n` generations of one request in one request (OpenAI's `n`), never streamed; each result carries the
   * request's time. Only kinds that can serve it have it (llm/capabilities.ts).
   */
  generateMany?(request: GenerateRequest, n: number, signal: AbortSignal): Promise<GenerateResult[]>;
  /**
   * Several score requests in ONE request (a prompt list on /v1/completions, in the order of `chats`); each
   * result carries the request's time. Only kinds that can serve it have it (llm/capabilities.ts).
   */
  scoreMany?(chats: ChatMessage[][], signal: AbortSignal): Promise<ScoreResult[]>;
  /** Health, version and served models, for Check Servers. Never throws. */
  health(signal?: AbortSignal): Promise<ServerHealth>;
  /** The server's metrics text, or undefined when it has none. Never throws. */
  metrics(signal?: AbortSignal): Promise<string | undefined>;
  /** Read a metrics text; with `before`, rates cover only the time since then. */
  features(metrics: string, before?: string): ServerFeatures;
  /** What to tell a user about this server's failures (e.g. the command that starts it). */
  readonly hints: ServerHints;
  /** Chat requests made (a retried request counts once), for the run summary and the benchmark. */
  readonly requests: number;
  /** Model-list requests sent. */
  readonly modelListRequests: number;
  /** How requests are sent to it (kind, rendered template), once known: the panel rebuilds them from it. */
  readonly requestFormat?: RequestFormat;
}

/** Wall-clock milliseconds with sub-millisecond resolution. */
export const now = (): number => performance.timeOrigin + performance.now();
