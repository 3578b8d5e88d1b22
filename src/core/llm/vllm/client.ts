// A vLLM OpenAI-compatible server, reached through the openai SDK (HTTP, SSE, retries). What is
// vLLM's own lives here: the template flags (vLLM-only fields are top-level body fields), reasoning
// text in `reasoning_content` or `reasoning`, /health, /version and the /metrics names.

import OpenAI from 'openai';
import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { SpecReasonError } from '../../errors';
import { malformedReply, timeoutError, toSpecReasonError, type RequestTarget } from '../errorMapping';
import * as replies from '../replies';
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
import { createFetch, keepingErrorBodies, RequestDeadline } from '../transport';
import { generateBody, scoreBody, STREAMED, type ChatBody, type VllmExtras } from './body';
import { VLLM_HINTS } from './hints';
import { serverFeatures } from './metrics';

/** One generate request on its way: the body sent and what the reply is checked and timed against. */
interface GenerateCall {
  readonly body: ChatBody;
  readonly maxTokens: number;
  readonly signal: AbortSignal;
  readonly onDelta?: (text: string) => void;
  readonly startedAt: number;
}
/** The SDK's per-request options. */
type SdkOptions = Exclude<NonNullable<Parameters<OpenAI['get']>[1]>, Promise<unknown>>;

/** A deadline as SDK request options: its signal, and itself for the transport to find. */
function sdkOptions(deadline: RequestDeadline): SdkOptions {
  return { signal: deadline.signal, fetchOptions: deadline.fetchOptions as SdkOptions['fetchOptions'] };
}

/** Room for a reply's bytes: far more than any real token needs, far less than a runaway server sends. */
const BYTES_PER_TOKEN = 4096;
const BYTES_SLACK = 1_000_000;
/** Chunks a stream may send beyond max_tokens (role, finishing and usage chunks, empty deltas). */
const CHUNK_SLACK = 16;

export class VllmClient implements ModelServer {
  readonly kind = 'vllm';
  readonly hints = VLLM_HINTS;
  readonly url: string;
  private readonly _sdk: OpenAI;
  private readonly _fetch: typeof fetch;
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
    this._fetch = createFetch(_options.timeoutMs);
    this._sdk = new OpenAI({
      baseURL: this.url, // never OPENAI_BASE_URL from the environment
      apiKey: _server.apiKey || 'EMPTY',
      // The request deadlines (transport.ts) end a request first; this is a backstop.
      timeout: Math.ceil(_options.timeoutMs) + 1000,
      maxRetries: _options.maxRetries,
      defaultHeaders: _options.headers,
      fetch: keepingErrorBodies(this._fetch),
      logLevel: 'off', // the SDK would print to the console; errors reach the project's own log
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
            throw malformedReply(`${this.url}/models lists no model`, this._target, this.hints.noModel);
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

  private _listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    this.modelListRequests++;
    return this._request(signal, BYTES_SLACK * 16, async (deadline) =>
      replies.modelList(await this._sdk.get('/models', sdkOptions(deadline))),
    );
  }

  async generate(
    request: GenerateRequest,
    signal: AbortSignal,
    onDelta?: (text: string) => void,
  ): Promise<GenerateResult> {
    const { id: model } = await this.model(signal);
    const body = generateBody(model, request);
    const call: GenerateCall = { body, maxTokens: request.maxTokens, signal, onDelta, startedAt: now() };
    this.requests++;
    return this._options.stream ? this._generateStreaming(call) : this._generateOnce(call);
  }

  private async _generateOnce({ body, maxTokens, signal, onDelta, startedAt }: GenerateCall): Promise<GenerateResult> {
    const reply = await this._request(signal, maxTokens * BYTES_PER_TOKEN + BYTES_SLACK, async (deadline) => {
      const completion = replies.completionBody(
        await this._sdk.chat.completions.create({ ...body, stream: false }, sdkOptions(deadline)),
      );
      const choice = replies.firstChoice(completion) ?? this._malformed('choices is empty');
      const { reasoning = '', content = '' } = replies.messageText(choice.message, 'choices[0].message');
      const text = reasoning + content;
      return {
        text,
        completionTokens: replies.completionTokens(completion.usage, text.length, maxTokens),
        finishReason: replies.finishReason(choice, 'choices[0]'),
      };
    });
    const endedAt = now();
    if (reply.text) {
      onDelta?.(reply.text);
    }
    return { ...reply, ms: endedAt - startedAt, startedAt, endedAt };
  }

  private async _generateStreaming({
    body,
    maxTokens,
    signal,
    onDelta,
    startedAt,
  }: GenerateCall): Promise<GenerateResult> {
    const deadline = this._deadline(signal, true, maxTokens * BYTES_PER_TOKEN + BYTES_SLACK);
    let text = '';
    let chunks = 0;
    let finishReason: string | null = null;
    let usage: unknown;
    const params: ChatCompletionCreateParamsStreaming & VllmExtras = {
      ...body,
      ...STREAMED,
    };
    try {
      const stream = await this._sdk.chat.completions.create(params, sdkOptions(deadline));
      if (!/^text\/event-stream\b/i.test(deadline.contentType ?? '')) {
        throw malformedReply(
          `a streamed request got ${deadline.contentType ?? 'no content type'}, not an event stream`,
          this._target,
          this.hints.notEventStream,
        );
      }
      for await (const raw of stream as AsyncIterable<unknown>) {
        const chunk = replies.completionBody(raw);
        if (chunk.usage !== undefined && chunk.usage !== null) {
          usage = chunk.usage;
        }
        const choice = replies.firstChoice(chunk);
        if (!choice) {
          continue;
        }
        if (++chunks > maxTokens + CHUNK_SLACK) {
          throw malformedReply(
            `it kept streaming past ${chunks - 1} chunks for a max_tokens of ${maxTokens}`,
            this._target,
          );
        }
        const { reasoning = '', content = '' } = replies.messageText(choice.delta, 'choices[0].delta');
        const piece = reasoning + content;
        if (piece) {
          text += piece;
          onDelta?.(piece);
        }
        finishReason = replies.finishReason(choice, 'choices[0]') ?? finishReason;
      }
    } catch (error) {
      throw deadline.expired && !signal.aborted
        ? timeoutError(deadline.expired, this._target)
        : this._error(error, signal);
    } finally {
      deadline.dispose();
    }
    if (signal.aborted) {
      throw new SpecReasonError('cancelled', 'Run cancelled');
    }
    if (deadline.expired) {
      // the SDK ends an aborted stream quietly: the deadline did it
      throw timeoutError(deadline.expired, this._target);
    }
    if (finishReason === null) {
      throw new SpecReasonError(
        'stream_dropped',
        `${this.role} model's stream ended before it finished (${this.url}); got ${text.length} characters`,
        this.hints.connectionLost,
        this._where(),
      );
    }
    if (usage === undefined) {
      throw malformedReply('the stream finished without a usage chunk', this._target, this.hints.noUsage);
    }
    const completionTokens = this._check(() => replies.completionTokens(usage, text.length, maxTokens));
    const endedAt = now();
    return { text, completionTokens, finishReason, ms: endedAt - startedAt, startedAt, endedAt };
  }

  /** The one-token score request (never streamed: it is a single token). */
  async score(messages: ChatMessage[], signal: AbortSignal): Promise<ScoreResult> {
    const { id: model } = await this.model(signal);
    const body = scoreBody(model, messages);
    const startedAt = now();
    this.requests++;
    const reply = await this._request(signal, BYTES_SLACK, async (deadline) => {
      const completion = replies.completionBody(await this._sdk.chat.completions.create(body, sdkOptions(deadline)));
      const choice = replies.firstChoice(completion) ?? this._malformed('choices is empty');
      const sampled = replies.scoreLogprobs(choice);
      if (!sampled) {
        throw new SpecReasonError(
          'malformed_reply',
          `base model's score reply has no logprobs (${this.url})`,
          this.hints.noLogprobs,
          this._where(),
        );
      }
      const { reasoning, content } = replies.messageText(choice.message, 'choices[0].message');
      return { sampledToken: sampled.token, topLogprobs: sampled.top, content: content ?? reasoning ?? null };
    });
    const endedAt = now();
    return { ...reply, ms: endedAt - startedAt, startedAt, endedAt };
  }

  /** GET /health, /version and /v1/models. */
  async health(signal?: AbortSignal): Promise<ServerHealth> {
    const root = this.url.replace(/\/v1$/, '');
    const startedAt = now();
    const result: ServerHealth = { url: this.url, ok: false };
    try {
      // A keep-alive socket of a server that just died fails once with "other side closed"; a
      // second attempt opens a new connection and reports what is really there.
      const health = await this._get(`${root}/health`, signal, (r) => r.arrayBuffer().then(() => r.status)).catch(
        (error: unknown) => {
          if (signal?.aborted || (error instanceof SpecReasonError && error.code === 'timeout')) {
            throw error;
          }
          return this._get(`${root}/health`, signal, (r) => r.arrayBuffer().then(() => r.status));
        },
      );
      result.healthStatus = health;
      result.roundTripMs = now() - startedAt;
      const version = (await this._get(`${root}/version`, signal, async (r) =>
        r.ok ? await r.json() : undefined,
      ).catch(() => undefined)) as { version?: unknown } | undefined;
      result.version = typeof version?.version === 'string' ? version.version : undefined;
      result.models = await this._listModels(signal);
      result.ok = health >= 200 && health < 300;
    } catch (error) {
      result.error = this._error(error, signal);
    }
    return result;
  }

  /** Prometheus text of GET /metrics. */
  async metrics(signal?: AbortSignal): Promise<string | undefined> {
    return this._get(`${this.url.replace(/\/v1$/, '')}/metrics`, signal, async (r) =>
      r.ok ? r.text() : undefined,
    ).catch(() => undefined);
  }

  features(metrics: string, before?: string): ServerFeatures {
    return serverFeatures(metrics, before);
  }

  /** A plain GET (not through the SDK, so never retried) under one deadline. */
  private _get<T>(url: string, signal: AbortSignal | undefined, read: (response: Response) => Promise<T>): Promise<T> {
    return this._request(
      signal,
      BYTES_SLACK * 16,
      async (deadline) => read(await this._fetch(url, { signal: deadline.signal, ...deadline.fetchOptions })),
      1,
    );
  }

  private _deadline(
    signal: AbortSignal | undefined,
    streamed: boolean,
    maxBytes: number,
    attempts = this._options.maxRetries + 1,
  ): RequestDeadline {
    return new RequestDeadline(signal, {
      timeoutMs: this._options.timeoutMs,
      streamed,
      attempts,
      retryTimeouts: this._options.retryTimeouts ?? false,
      maxBytes,
    });
  }

  /**
   * One non-streamed request under one deadline (headers and body). `send` gets the SDK's request
   * options; what it throws, or the deadline's expiry, comes back as a SpecReasonError.
   */
  private async _request<T>(
    signal: AbortSignal | undefined,
    maxBytes: number,
    send: (deadline: RequestDeadline) => Promise<T>,
    attempts?: number,
  ): Promise<T> {
    const deadline = this._deadline(signal, false, maxBytes, attempts);
    try {
      return await send(deadline);
    } catch (error) {
      throw deadline.expired && !signal?.aborted
        ? timeoutError(deadline.expired, this._target)
        : this._error(error, signal);
    } finally {
      deadline.dispose();
    }
  }

  private _check<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw this._error(error);
    }
  }

  private _malformed(what: string): never {
    throw malformedReply(what, this._target);
  }

  private _where() {
    return { role: this.role, url: this.url };
  }

  private _error(error: unknown, signal?: AbortSignal): SpecReasonError {
    return toSpecReasonError(error, this._target, signal);
  }
}
