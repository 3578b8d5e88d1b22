// What every server kind's client shares: the openai SDK over the project's transport, model discovery
// (asked once, then cached), request counters and timing, and one deadline per request with its failure
// said as a SpecReasonError that names the server (transport.ts, errorMapping.ts). Each kind (vllm/,
// sglang/, llamaServer/, ollama/, openai/) adds its own requests and reply shapes.

import OpenAI from 'openai';
import { SpecReasonError } from '../errors';
import { malformedReply, timeoutError, toSpecReasonError, type RequestTarget } from './errorMapping';
import * as replies from './replies';
import type { RequestFormat } from './requestBodies';
import type {
  ChatMessage,
  ClientOptions,
  GenerateRequest,
  GenerateResult,
  ModelInfo,
  ModelRole,
  ModelServer,
  ScoreResult,
  ServerConfig,
  ServerFeatures,
  ServerHealth,
  ServerHints,
  ServerKind,
} from './server';
import { now } from './server';
import { createFetch, keepingErrorBodies, RequestDeadline } from './transport';

/** Room for a reply's bytes: far more than any real token needs, far less than a runaway server sends. */
export const BYTES_PER_TOKEN = 4096;
export const BYTES_SLACK = 1_000_000;
/** Chunks a stream may send beyond max_tokens (role, finishing and usage chunks, empty deltas). */
export const CHUNK_SLACK = 16;

/** The SDK's per-request options. */
type SdkOptions = Exclude<NonNullable<Parameters<OpenAI['get']>[1]>, Promise<unknown>>;

/** A deadline as SDK request options: its signal, and itself for the transport to find. */
export function sdkOptions(deadline: RequestDeadline): SdkOptions {
  return { signal: deadline.signal, fetchOptions: deadline.fetchOptions };
}

/** The openai SDK over the project's transport, for one server (never OPENAI_BASE_URL from the environment). */
export function createSdk(
  baseURL: string,
  server: ServerConfig,
  options: ClientOptions,
  fetchImpl: typeof fetch,
): OpenAI {
  return new OpenAI({
    baseURL,
    apiKey: server.apiKey || 'EMPTY',
    // The request deadlines (transport.ts) end a request first; this is a backstop.
    timeout: Math.ceil(options.timeoutMs) + 1000,
    maxRetries: options.maxRetries,
    defaultHeaders: options.headers,
    fetch: keepingErrorBodies(fetchImpl),
    logLevel: 'off', // the SDK would print to the console; errors reach the project's own log
  });
}

/** What a request returns, with when it started and ended. */
export type Timed<T> = T & { ms: number; startedAt: number; endedAt: number };

/** How one kind's streamed reply is read: its events, which of them count, their text and how it says it finished. */
export interface StreamReading<E> {
  /** Sends the request under the deadline and checks the reply's headers; the events. */
  open(deadline: RequestDeadline): Promise<AsyncIterable<unknown>>;
  /** The part of an event that is read, or undefined for one that carries none and is not counted (a usage chunk). */
  select(event: Record<string, unknown>): E | undefined;
  text(event: E): string;
  /** After an event's text is passed on: where the kind notes the end (finish reason, stop, done). */
  seen(event: E): void;
  finished(): boolean;
  /** How the overflow message names the events and the limit: `chunks for a max_tokens`. */
  counting: string;
}

/** A streamed OpenAI-style reply (choices, and a usage chunk) read to its end. */
export interface StreamedChoices {
  text: string;
  finishReason: string | null;
  usage: unknown;
}

export abstract class HttpModelServer implements ModelServer {
  abstract readonly kind: ServerKind;
  abstract readonly hints: ServerHints;
  /** The URL requests are made under, without a trailing slash. */
  readonly url: string;
  /** scheme://host:port plus any path prefix, without /v1: where /health, /metrics and native routes are. */
  readonly root: string;
  protected readonly _fetch: typeof fetch;
  private _sdkClient?: OpenAI;
  private _model?: Promise<ModelInfo>;
  knownModel?: ModelInfo;
  requests = 0;
  modelListRequests = 0;

  constructor(
    readonly role: ModelRole,
    protected readonly _server: ServerConfig,
    protected readonly _options: ClientOptions,
    url = _server.url,
  ) {
    this.url = url.replace(/\/+$/, '');
    this.root = this.url.replace(/\/v1$/, '');
    this._fetch = createFetch(_options.timeoutMs);
  }

  /** How this server is sent its requests (the run record keeps it for the panel's Request view). */
  get requestFormat(): RequestFormat {
    return { kind: this.kind };
  }

  protected get _target(): RequestTarget {
    return {
      role: this.role,
      url: this.url,
      server: this._server,
      timeoutMs: this._options.timeoutMs,
      hints: this.hints,
    };
  }

  /** The openai SDK for this server (made on first use), rooted at `_sdkBase`. */
  protected get _sdk(): OpenAI {
    return (this._sdkClient ??= createSdk(this._sdkBase, this._server, this._options, this._fetch));
  }

  /** Where the SDK's paths start: the OpenAI base URL (llama-server's client roots it at the server). */
  protected get _sdkBase(): string {
    return this.url;
  }

  /** The served models (one request): GET /models under the OpenAI base, unless the kind lists them otherwise. */
  protected _listModels(signal?: AbortSignal, path = '/models'): Promise<ModelInfo[]> {
    this.modelListRequests++;
    return this._request(signal, BYTES_SLACK * 16, async (deadline) =>
      replies.modelList(await this._sdk.get(path, sdkOptions(deadline))),
    );
  }

  /** One counted request, timed. */
  protected async _timed<T extends object>(send: () => Promise<T>): Promise<Timed<T>> {
    const startedAt = now();
    this.requests++;
    const reply = await send();
    const endedAt = now();
    return { ...reply, ms: endedAt - startedAt, startedAt, endedAt };
  }

  model(signal?: AbortSignal): Promise<ModelInfo> {
    if (!this._model) {
      // The configured name, else the first id the server lists.
      const pending = this._listModels(signal)
        .then((models) => this._chooseModel(models))
        .then((info) => (this.knownModel = info));
      pending.catch(() => {
        this._model = undefined;
      }); // retry discovery on the next call
      this._model = pending;
    }
    return this._model;
  }

  protected _chooseModel(models: ModelInfo[]): ModelInfo | Promise<ModelInfo> {
    if (this._server.model) {
      return models.find((m) => m.id === this._server.model) ?? { id: this._server.model };
    }
    const first = models[0];
    if (!first) {
      throw malformedReply(`${this.url} lists no model`, this._target, this.hints.noModel);
    }
    return first;
  }

  abstract generate(
    request: GenerateRequest,
    signal: AbortSignal,
    onDelta?: (text: string) => void,
  ): Promise<GenerateResult>;
  abstract score(messages: ChatMessage[], signal: AbortSignal): Promise<ScoreResult>;
  abstract health(signal?: AbortSignal): Promise<ServerHealth>;
  abstract features(metrics: string, before?: string): ServerFeatures;

  /** Prometheus text of GET /metrics (undefined when the server has none). */
  async metrics(signal?: AbortSignal): Promise<string | undefined> {
    return this._get(`${this.root}/metrics`, signal, async (r) => (r.ok ? r.text() : undefined)).catch(() => undefined);
  }

  /** GET a health path, once more on a keep-alive socket that just died ("other side closed"). */
  protected async _healthStatus(path: string, signal?: AbortSignal): Promise<number> {
    const status = () => this._get(`${this.root}${path}`, signal, (r) => r.arrayBuffer().then(() => r.status));
    return status().catch((error: unknown) => {
      if (signal?.aborted || (error instanceof SpecReasonError && error.code === 'timeout')) {
        throw error;
      }
      return status();
    });
  }

  /** A plain GET (never retried) under one deadline. */
  protected _get<T>(
    url: string,
    signal: AbortSignal | undefined,
    read: (response: Response) => Promise<T>,
  ): Promise<T> {
    return this._request(
      signal,
      BYTES_SLACK * 16,
      async (deadline) => read(await this._fetch(url, { signal: deadline.signal, ...deadline.fetchOptions })),
      1,
    );
  }

  protected _deadline(
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
   * One non-streamed request under one deadline (headers and body). What `send` throws, or the
   * deadline's expiry, comes back as a SpecReasonError.
   */
  protected async _request<T>(
    signal: AbortSignal | undefined,
    maxBytes: number,
    send: (deadline: RequestDeadline) => Promise<T>,
    attempts?: number,
  ): Promise<T> {
    const deadline = this._deadline(signal, false, maxBytes, attempts);
    try {
      return await send(deadline);
    } catch (error) {
      throw this._failure(error, deadline, signal);
    } finally {
      deadline.dispose();
    }
  }

  /**
   * A streamed reply read to its end under one deadline: each event's text passed to onDelta as it comes, the
   * events capped at max_tokens plus slack, then checked that it finished (not cancelled, cut or dropped).
   */
  protected async _readStream<E>(
    signal: AbortSignal,
    maxTokens: number,
    reading: StreamReading<E>,
    onDelta?: (text: string) => void,
    attempts?: number,
  ): Promise<string> {
    const deadline = this._deadline(signal, true, maxTokens * BYTES_PER_TOKEN + BYTES_SLACK, attempts);
    let text = '';
    let count = 0;
    try {
      for await (const raw of await reading.open(deadline)) {
        const event = reading.select(replies.completionBody(raw));
        if (event === undefined) {
          continue;
        }
        if (++count > maxTokens + CHUNK_SLACK) {
          this._malformed(`it kept streaming past ${count - 1} ${reading.counting} of ${maxTokens}`);
        }
        const piece = reading.text(event);
        if (piece) {
          text += piece;
          onDelta?.(piece);
        }
        reading.seen(event);
      }
    } catch (error) {
      throw this._failure(error, deadline, signal);
    } finally {
      deadline.dispose();
    }
    // The SDK ends an aborted stream quietly: the deadline or the caller did it.
    this._checkStreamEnd(deadline, signal, reading.finished(), text.length);
    return text;
  }

  /** A streamed OpenAI-style reply: the first choice's text (`text` reads it), its finish reason, the usage chunk. */
  protected async _readChoices(
    signal: AbortSignal,
    maxTokens: number,
    open: (deadline: RequestDeadline) => Promise<AsyncIterable<unknown>>,
    text: (choice: Record<string, unknown>) => string,
    onDelta?: (text: string) => void,
  ): Promise<StreamedChoices> {
    const end: Omit<StreamedChoices, 'text'> = { finishReason: null, usage: undefined };
    const streamed = await this._readStream(
      signal,
      maxTokens,
      {
        open,
        select: (chunk) => {
          if (chunk.usage !== undefined && chunk.usage !== null) {
            end.usage = chunk.usage;
          }
          return replies.firstChoice(chunk);
        },
        text,
        seen: (choice) => {
          end.finishReason = replies.finishReason(choice, 'choices[0]') ?? end.finishReason;
        },
        finished: () => end.finishReason !== null,
        counting: 'chunks for a max_tokens',
      },
      onDelta,
    );
    if (end.usage === undefined) {
      throw malformedReply('the stream finished without a usage chunk', this._target, this.hints.noUsage);
    }
    return { text: streamed, ...end };
  }

  /** A streamed request whose reply is not an event stream (checked once its headers are in). */
  protected _expectEventStream(deadline: RequestDeadline): void {
    if (!/^text\/event-stream\b/i.test(deadline.contentType ?? '')) {
      throw malformedReply(
        `a streamed request got ${deadline.contentType ?? 'no content type'}, not an event stream`,
        this._target,
        this.hints.notEventStream,
      );
    }
  }

  /** What a request that threw under `deadline` failed of. */
  protected _failure(error: unknown, deadline: RequestDeadline, signal?: AbortSignal): SpecReasonError {
    return deadline.expired && !signal?.aborted
      ? timeoutError(deadline.expired, this._target)
      : this._error(error, signal);
  }

  /** After a stream ended: cancelled, cut by its deadline, or ended without finishing. */
  protected _checkStreamEnd(deadline: RequestDeadline, signal: AbortSignal, finished: boolean, received: number): void {
    if (signal.aborted) {
      throw new SpecReasonError('cancelled', 'Run cancelled');
    }
    if (deadline.expired) {
      throw timeoutError(deadline.expired, this._target);
    }
    if (!finished) {
      throw new SpecReasonError(
        'stream_dropped',
        `${this.role} model's stream ended before it finished (${this.url}); got ${received} characters`,
        { hint: this.hints.connectionLost, server: this._where() },
      );
    }
  }

  protected _check<T>(read: () => T): T {
    try {
      return read();
    } catch (error) {
      throw this._error(error);
    }
  }

  protected _malformed(what: string): never {
    throw malformedReply(what, this._target);
  }

  protected _noLogprobs(): never {
    throw new SpecReasonError('malformed_reply', `base model's score reply has no logprobs (${this.url})`, {
      hint: this.hints.noLogprobs,
      server: this._where(),
    });
  }

  protected _where() {
    return { role: this.role, url: this.url };
  }

  protected _error(error: unknown, signal?: AbortSignal): SpecReasonError {
    return toSpecReasonError(error, this._target, signal);
  }
}
