// One vLLM OpenAI-compatible server, reached through the openai SDK (HTTP, SSE, retries).
// Knows vLLM's quirks (../../shared/reference/vllm-api.md): vLLM-only fields are top-level body
// fields, reasoning text may come as `reasoning_content` or `reasoning`, errors come in two body
// shapes plus an error event inside a 200 stream, and a dropped stream just ends.

import { Readable } from 'node:stream';
import { Agent, request as undiciRequest } from 'undici';
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import { linkedAbort } from '../abort';
import type { ModelRole, ServerConfig } from '../config';
import { SpecReasonError } from '../errors';
import type { TokenLogprob } from '../scoring';

export type { ModelRole };

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
  promptTokens: number;
  finishReason: string | null;
  /** Wall time of the request, and time to the first text. */
  ms: number;
  ttftMs?: number;
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
}

export interface ClientOptions {
  timeoutMs: number;
  maxRetries: number;
  stream: boolean;
}

/** vLLM's extra request fields, sent top-level beside the OpenAI ones. */
interface VllmExtras {
  add_generation_prompt: boolean;
  continue_final_message: boolean;
  top_k?: number;
}

/** Delta fields vLLM adds and the SDK types do not know. */
interface VllmDelta {
  content?: string | null;
  reasoning_content?: string | null;
  reasoning?: string | null;
}

/** Wall-clock milliseconds with sub-millisecond resolution. */
export const now = (): number => performance.timeOrigin + performance.now();

/** Keep-alive connections shared by every client (vLLM's keep-alive is 5 s). */
const agent = new Agent({ keepAliveTimeout: 4000 });

/**
 * The SDK's HTTP transport: undici's `request` (the same library as Node's built-in fetch, without the
 * WHATWG layers), adapted to the fetch signature the SDK takes. Measured here: 0.60 ms per SDK request
 * against 0.98 ms over Node 20's fetch, which matters at two requests per reasoning step.
 */
const undiciFetch: typeof fetch = async (input, init = {}) => {
  const headers = new Headers(init.headers);
  const reply = await undiciRequest(String(input instanceof Request ? input.url : input), {
    method: (init.method ?? 'GET') as 'GET',
    headers: Object.fromEntries(headers),
    body: init.body as string | undefined,
    signal: init.signal ?? undefined,
    dispatcher: agent,
  });
  const responseHeaders = new Headers();
  for (const [name, value] of Object.entries(reply.headers)) {
    for (const v of Array.isArray(value) ? value : value === undefined ? [] : [value]) {
      responseHeaders.append(name, String(v));
    }
  }
  const noBody = reply.statusCode === 204 || reply.statusCode === 304 || init.method === 'HEAD';
  if (noBody) {
    reply.body.resume();
  }
  return new Response(noBody ? null : (Readable.toWeb(reply.body) as ReadableStream<Uint8Array>), {
    status: reply.statusCode,
    headers: responseHeaders,
  });
};

/**
 * openai 6.x reads only `body.error`, so vLLM ≤0.10.0's flat `{"object":"error","message":…}` body and
 * FastAPI's `{"detail":…}` lose their message ("400 status code (no body)"). Rewrite them into the
 * nested shape before the SDK sees them.
 */
const fetchKeepingErrorBodies: typeof fetch = async (input, init) => {
  const response = await undiciFetch(input, init);
  if (response.ok) {
    return response;
  }
  const text = await response.text();
  let body = text;
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    if (parsed && typeof parsed === 'object' && !('error' in parsed)) {
      const message =
        typeof parsed.message === 'string'
          ? parsed.message
          : parsed.detail !== undefined
            ? typeof parsed.detail === 'string'
              ? parsed.detail
              : JSON.stringify(parsed.detail)
            : undefined;
      if (message !== undefined) {
        body = JSON.stringify({
          error: {
            message,
            type: parsed.type ?? null,
            param: parsed.param ?? null,
            code: parsed.code ?? response.status,
          },
        });
      }
    }
  } catch {
    if (text.trim()) {
      body = JSON.stringify({ error: { message: text.trim().slice(0, 500) } });
    }
  }
  const headers = new Headers(response.headers);
  headers.delete('content-length');
  headers.delete('content-encoding');
  headers.set('content-type', 'application/json');
  return new Response(body, { status: response.status, statusText: response.statusText, headers });
};

function causeCode(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; e && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      return code;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * Run a request on its own signal linked to the caller's. The SDK adds an abort listener to the
 * signal it is given and never removes it; on a run-long signal that would pile up one listener
 * per request (hundreds in a long run).
 */
async function withLinkedSignal<T>(
  signal: AbortSignal | undefined,
  request: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const link = linkedAbort(signal);
  try {
    return await request(link.signal);
  } finally {
    link.unlink();
  }
}

export class VllmClient {
  readonly url: string;
  private readonly _sdk: OpenAI;
  private _model?: Promise<ModelInfo>;
  /** The model id once discovered, without asking the server. */
  knownModel?: ModelInfo;
  /** Counters for the run summary and the benchmark. */
  requests = 0;
  modelListRequests = 0;

  constructor(
    readonly role: ModelRole,
    private readonly _server: ServerConfig,
    private readonly _options: ClientOptions,
  ) {
    this.url = _server.baseUrl.replace(/\/+$/, '');
    this._sdk = new OpenAI({
      baseURL: this.url, // never OPENAI_BASE_URL from the environment
      apiKey: _server.apiKey || 'EMPTY',
      timeout: _options.timeoutMs,
      maxRetries: _options.maxRetries,
      fetch: fetchKeepingErrorBodies,
    });
  }

  /** The served model: the configured name, else the first id of GET /v1/models (asked once per client). */
  model(signal?: AbortSignal): Promise<ModelInfo> {
    if (!this._model) {
      const pending = this._listModels(signal)
        .then((models) => {
          if (this._server.model) {
            return models.find((m) => m.id === this._server.model) ?? { id: this._server.model };
          }
          const first = models[0];
          if (!first) {
            throw new SpecReasonError(
              'malformed',
              `${this.url}/models lists no model`,
              'Check that vLLM finished loading the model.',
              this._where(),
            );
          }
          return first;
        })
        .then((info) => (this.knownModel = info));
      pending.catch(() => {
        this._model = undefined;
      }); // retry discovery on the next call
      this._model = pending;
    }
    return this._model;
  }

  private async _listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    this.modelListRequests++;
    try {
      const page = await withLinkedSignal(signal, (s) => this._sdk.models.list({ signal: s }));
      return page.data.map((m) => {
        const maxModelLen = (m as unknown as { max_model_len?: unknown }).max_model_len;
        return {
          id: m.id,
          maxModelLen: typeof maxModelLen === 'number' ? maxModelLen : undefined,
          ownedBy: m.owned_by,
        };
      });
    } catch (error) {
      throw this.toError(error);
    }
  }

  /** One generation; streams text to onDelta when the client streams. */
  async generate(
    request: GenerateRequest,
    signal: AbortSignal,
    onDelta?: (text: string) => void,
  ): Promise<GenerateResult> {
    const { id: model } = await this.model(signal);
    const body = {
      model,
      messages: request.messages,
      temperature: request.temperature,
      top_p: request.topP,
      max_tokens: request.maxTokens,
      ...(request.stop ? { stop: request.stop } : {}),
      // Always both: vLLM defaults add_generation_prompt to true and rejects it with continue_final_message.
      add_generation_prompt: !request.continueFinal,
      continue_final_message: request.continueFinal,
    };
    return this._options.stream
      ? this._generateStreaming(body, signal, onDelta)
      : this._generateOnce(body, signal, onDelta);
  }

  private async _generateOnce(
    body: ChatCompletionCreateParamsNonStreaming & VllmExtras,
    signal: AbortSignal,
    onDelta?: (text: string) => void,
  ): Promise<GenerateResult> {
    const startedAt = now();
    this.requests++;
    let completion: OpenAI.Chat.Completions.ChatCompletion;
    try {
      completion = await withLinkedSignal(signal, (s) =>
        this._sdk.chat.completions.create({ ...body, stream: false }, { signal: s }),
      );
    } catch (error) {
      throw this.toError(error);
    }
    const choice = completion.choices?.[0];
    if (!choice || !completion.usage) {
      throw new SpecReasonError(
        'malformed',
        `${this.role} model replied without choices or usage`,
        undefined,
        this._where(),
      );
    }
    const message = choice.message as unknown as VllmDelta;
    const text = (message.reasoning_content ?? message.reasoning ?? '') + (message.content ?? '');
    const endedAt = now();
    if (text) {
      onDelta?.(text);
    }
    return {
      text,
      completionTokens: completion.usage.completion_tokens,
      promptTokens: completion.usage.prompt_tokens,
      finishReason: choice.finish_reason ?? null,
      ms: endedAt - startedAt,
      ttftMs: endedAt - startedAt,
      startedAt,
      endedAt,
    };
  }

  private async _generateStreaming(
    body: ChatCompletionCreateParamsNonStreaming & VllmExtras,
    signal: AbortSignal,
    onDelta?: (text: string) => void,
  ): Promise<GenerateResult> {
    const startedAt = now();
    this.requests++;
    // The SDK's timeout stops at the response headers; a server that goes silent mid-stream is caught
    // by an idle timer that aborts our own controller.
    const { controller, unlink } = linkedAbort(signal);
    let idle: NodeJS.Timeout | undefined;
    let timedOut = false;
    const armIdleTimer = () => {
      clearTimeout(idle);
      idle = setTimeout(() => {
        timedOut = true;
        controller.abort();
      }, this._options.timeoutMs);
    };
    let text = '';
    let ttftMs: number | undefined;
    let finishReason: string | null = null;
    let usage: { completion_tokens: number; prompt_tokens: number } | undefined;
    const params: ChatCompletionCreateParamsStreaming & VllmExtras = {
      ...body,
      stream: true,
      stream_options: { include_usage: true },
    };
    try {
      armIdleTimer();
      const stream = await this._sdk.chat.completions.create(params, { signal: controller.signal });
      for await (const chunk of stream) {
        armIdleTimer();
        if (chunk.usage) {
          usage = chunk.usage;
        }
        const choice = chunk.choices?.[0];
        if (!choice) {
          continue;
        }
        const delta = choice.delta as unknown as VllmDelta | undefined;
        const piece = (delta?.reasoning_content ?? delta?.reasoning ?? '') + (delta?.content ?? '');
        if (piece) {
          ttftMs ??= now() - startedAt;
          text += piece;
          onDelta?.(piece);
        }
        if (choice.finish_reason) {
          finishReason = choice.finish_reason;
        }
      }
    } catch (error) {
      if (timedOut && !signal.aborted) {
        throw this._silentStream();
      }
      throw this.toError(error, signal);
    } finally {
      clearTimeout(idle);
      unlink();
    }
    if (signal.aborted) {
      throw new SpecReasonError('cancelled', 'Run cancelled');
    }
    if (timedOut) {
      throw this._silentStream();
    } // the SDK ends an aborted stream quietly: the idle timer did it
    if (finishReason === null || !usage) {
      throw new SpecReasonError(
        'stream_dropped',
        `${this.role} model's stream ended before it finished (${this.url}); got ${text.length} characters`,
        'The server closed the connection mid-reply: check that vLLM is still running.',
        this._where(),
      );
    }
    const endedAt = now();
    return {
      text,
      completionTokens: usage.completion_tokens,
      promptTokens: usage.prompt_tokens,
      finishReason,
      ms: endedAt - startedAt,
      ttftMs,
      startedAt,
      endedAt,
    };
  }

  /** The one-token score request (never streamed: it is a single token). */
  async score(messages: ChatMessage[], signal: AbortSignal): Promise<ScoreResult> {
    const { id: model } = await this.model(signal);
    const body: ChatCompletionCreateParamsNonStreaming & VllmExtras = {
      model,
      messages,
      temperature: 0,
      max_tokens: 1,
      logprobs: true,
      top_logprobs: 10,
      add_generation_prompt: false,
      continue_final_message: true,
    };
    const startedAt = now();
    this.requests++;
    let completion: OpenAI.Chat.Completions.ChatCompletion;
    try {
      completion = await withLinkedSignal(signal, (s) => this._sdk.chat.completions.create(body, { signal: s }));
    } catch (error) {
      throw this.toError(error, signal);
    }
    const choice = completion.choices?.[0];
    const first = choice?.logprobs?.content?.[0];
    if (!choice || !first || !Array.isArray(first.top_logprobs)) {
      throw new SpecReasonError(
        'malformed',
        `base model's score reply has no logprobs (${this.url})`,
        'The score needs logprobs: check that the server allows them (vLLM --max-logprobs ≥ 10).',
        this._where(),
      );
    }
    const message = choice.message as unknown as VllmDelta;
    const endedAt = now();
    return {
      sampledToken: first.token,
      topLogprobs: first.top_logprobs.map((t) => ({ token: t.token, logprob: t.logprob })),
      content: message.content ?? message.reasoning_content ?? message.reasoning ?? null,
      ms: endedAt - startedAt,
      startedAt,
      endedAt,
    };
  }

  /** GET /health, /version and /v1/models, for Check Servers. Never throws. */
  async health(signal?: AbortSignal): Promise<ServerHealth> {
    const root = this.url.replace(/\/v1$/, '');
    const startedAt = now();
    const result: ServerHealth = { url: this.url, ok: false };
    const timeout = AbortSignal.timeout(this._options.timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    try {
      // A keep-alive socket of a server that just died fails once with "other side closed"; a
      // second attempt opens a new connection and reports what is really there.
      const health = await undiciFetch(`${root}/health`, { signal: combined }).catch((error: unknown) => {
        if (combined.aborted) {
          throw error;
        }
        return undiciFetch(`${root}/health`, { signal: combined });
      });
      result.healthStatus = health.status;
      await health.arrayBuffer();
      result.roundTripMs = now() - startedAt;
      const version = (await undiciFetch(`${root}/version`, { signal: combined })
        .then((r) => (r.ok ? r.json() : undefined))
        .catch(() => undefined)) as { version?: string } | undefined;
      result.version = version?.version;
      result.models = await this._listModels(combined);
      result.ok = health.ok;
    } catch (error) {
      result.error = this.toError(error, signal);
    }
    return result;
  }

  /** Prometheus text of GET /metrics, or undefined when the server has none. */
  async metrics(signal?: AbortSignal): Promise<string | undefined> {
    try {
      const response = await undiciFetch(`${this.url.replace(/\/v1$/, '')}/metrics`, {
        signal: signal ?? AbortSignal.timeout(this._options.timeoutMs),
      });
      return response.ok ? await response.text() : undefined;
    } catch {
      return undefined;
    }
  }

  private _silentStream(): SpecReasonError {
    return new SpecReasonError(
      'timeout',
      `${this.role} model sent nothing for ${this._options.timeoutMs / 1000} s (${this.url})`,
      'The server may be overloaded or hung; raise the request timeout or restart vLLM.',
      this._where(),
    );
  }

  private _where() {
    return { role: this.role, url: this.url };
  }

  /** Any failure of a request as a SpecReasonError that says what to fix. */
  toError(error: unknown, signal?: AbortSignal): SpecReasonError {
    if (error instanceof SpecReasonError) {
      return error;
    }
    const where = this._where();
    const who = `${this.role} model`;
    if (error instanceof APIUserAbortError || signal?.aborted || (error as { name?: string })?.name === 'AbortError') {
      return new SpecReasonError('cancelled', 'Run cancelled');
    }
    if (error instanceof APIConnectionTimeoutError || (error as { name?: string })?.name === 'TimeoutError') {
      return new SpecReasonError(
        'timeout',
        `${who} did not answer within ${this._options.timeoutMs / 1000} s (${this.url})`,
        'The server may be overloaded or hung; raise the request timeout or restart vLLM.',
        where,
      );
    }
    const code = causeCode(error);
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EHOSTUNREACH' || code === 'EAI_AGAIN') {
      const port = new URL(this.url).port;
      return new SpecReasonError(
        'server_down',
        `no server at ${this.url} — is vLLM running?`,
        `Start it with: vllm serve ${this.role === 'base' ? 'Qwen/QwQ-32B' : 'deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B'} --port ${port || (this.role === 'base' ? 30000 : 30001)}`,
        where,
      );
    }
    if (
      error instanceof APIConnectionError ||
      code === 'ECONNRESET' ||
      code === 'UND_ERR_SOCKET' ||
      (error instanceof TypeError && /terminated|fetch failed/i.test(error.message))
    ) {
      return new SpecReasonError(
        'stream_dropped',
        `connection to the ${who} was lost (${this.url})`,
        'The server closed the connection: check that vLLM is still running.',
        where,
      );
    }
    if (error instanceof APIError) {
      const detail =
        typeof error.error === 'object' && error.error && 'message' in error.error
          ? String((error.error as { message: unknown }).message)
          : error.message.replace(/^\d{3}\s+/, '');
      const message = `${who} (${this.url}): ${detail}`;
      const status = error.status as number | undefined;
      if (/maximum context length/i.test(detail)) {
        return new SpecReasonError(
          'context_length',
          message,
          "The reasoning no longer fits the model's context: lower the token budget or serve with a larger --max-model-len.",
          where,
          status,
        );
      }
      if (status === 401 || status === 403) {
        return new SpecReasonError(
          'auth',
          `${who} (${this.url}) refused the API key (HTTP ${status})`,
          'Set the API key the server was started with (--api-key).',
          where,
          status,
        );
      }
      if (status === 404) {
        return new SpecReasonError(
          'model_not_found',
          message,
          'Check the model name setting, or leave it empty to use the served model.',
          where,
          status,
        );
      }
      if (status !== undefined && status < 500) {
        return new SpecReasonError('bad_request', message, undefined, where, status);
      }
      return new SpecReasonError(
        'server_error',
        message,
        'vLLM reported an internal error; see its log.',
        where,
        status,
      );
    }
    if (error instanceof SyntaxError) {
      return new SpecReasonError(
        'malformed',
        `${who} sent data that is not valid JSON (${this.url}): ${error.message}`,
        'Is this URL really a vLLM server?',
        where,
      );
    }
    return new SpecReasonError(
      'server_error',
      `${who} (${this.url}): ${error instanceof Error ? error.message : String(error)}`,
      undefined,
      where,
    );
  }
}
