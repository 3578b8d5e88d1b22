// A vLLM OpenAI-compatible server, reached through the openai SDK (HTTP, SSE, retries). What is
// vLLM's own lives here: the template flags (vLLM-only fields are top-level body fields), reasoning
// text in `reasoning_content` or `reasoning`, /health, /version and the /metrics names.

import OpenAI from 'openai';
import type {
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import { linkedAbort } from '../../abort';
import { SpecReasonError } from '../../errors';
import { toSpecReasonError, type RequestTarget } from '../errorMapping';
import {
  now,
  type ChatMessage,
  type ClientOptions,
  type GenerateRequest,
  type GenerateResult,
  type ModelInfo,
  type ModelRole,
  type ModelServer,
  type ScoreResult,
  type ServerConfig,
  type ServerFeatures,
  type ServerHealth,
} from '../server';
import { fetchKeepingErrorBodies, undiciFetch, withLinkedSignal } from '../transport';
import { VLLM_HINTS } from './hints';
import { serverFeatures } from './metrics';

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

export class VllmClient implements ModelServer {
  readonly kind = 'vllm';
  readonly hints = VLLM_HINTS;
  readonly url: string;
  private readonly _sdk: OpenAI;
  private readonly _target: RequestTarget;
  private _model?: Promise<ModelInfo>;
  knownModel?: ModelInfo;
  requests = 0;
  modelListRequests = 0;

  constructor(
    readonly role: ModelRole,
    private readonly _server: ServerConfig,
    private readonly _options: ClientOptions,
  ) {
    this.url = _server.url.replace(/\/+$/, '');
    this._target = { role, url: this.url, server: _server, timeoutMs: _options.timeoutMs, hints: this.hints };
    this._sdk = new OpenAI({
      baseURL: this.url, // never OPENAI_BASE_URL from the environment
      apiKey: _server.apiKey || 'EMPTY',
      timeout: _options.timeoutMs,
      maxRetries: _options.maxRetries,
      fetch: fetchKeepingErrorBodies,
    });
  }

  model(signal?: AbortSignal): Promise<ModelInfo> {
    if (!this._model) {
      // The configured name, else the first id of GET /v1/models.
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
              this.hints.noModel,
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
      throw this._error(error);
    }
  }

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
      throw this._error(error);
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
      finishReason: choice.finish_reason ?? null,
      ms: endedAt - startedAt,
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
      throw this._error(error, signal);
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
        this.hints.connectionLost,
        this._where(),
      );
    }
    const endedAt = now();
    return {
      text,
      completionTokens: usage.completion_tokens,
      finishReason,
      ms: endedAt - startedAt,
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
      throw this._error(error, signal);
    }
    const choice = completion.choices?.[0];
    const first = choice?.logprobs?.content?.[0];
    if (!choice || !first || !Array.isArray(first.top_logprobs)) {
      throw new SpecReasonError(
        'malformed',
        `base model's score reply has no logprobs (${this.url})`,
        this.hints.noLogprobs,
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

  /** GET /health, /version and /v1/models. */
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
      result.error = this._error(error, signal);
    }
    return result;
  }

  /** Prometheus text of GET /metrics. */
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

  features(metrics: string, before?: string): ServerFeatures {
    return serverFeatures(metrics, before);
  }

  private _silentStream(): SpecReasonError {
    return new SpecReasonError(
      'timeout',
      `${this.role} model sent nothing for ${this._options.timeoutMs / 1000} s (${this.url})`,
      this.hints.timeout,
      this._where(),
    );
  }

  private _where() {
    return { role: this.role, url: this.url };
  }

  private _error(error: unknown, signal?: AbortSignal): SpecReasonError {
    return toSpecReasonError(error, this._target, signal);
  }
}
