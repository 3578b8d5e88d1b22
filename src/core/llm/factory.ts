// Builds the clients of a run: one per role, of the implementation for the server kind. A role whose
// kind is `auto` (the default) gets a client that asks its URL once which engine it is (detect.ts)
// and then is that engine's client. Adding a server kind is a ModelServer implementation and a case here.

import type { ModelRole, ServerConfig, SpecReasonConfig } from '../config';
import { SpecReasonError } from '../errors';
import { withV1 } from './serverUrl';
import { detectKind, fallbackKind, forgetKind, serverRoot } from './detect';
import { LlamaServerClient } from './llamaServer/client';
import { OllamaClient } from './ollama/client';
import { OpenAiCompletionsClient } from './openai/client';
import type {
  ChatMessage,
  ClientOptions,
  GenerateRequest,
  ModelServer,
  ServerFeatures,
  ServerHealth,
  ServerKind,
  ServerKindSetting,
} from './server';
import { SglangClient } from './sglang/client';
import { VllmClient } from './vllm/client';
import { VLLM_HINTS } from './vllm/hints';
import { serverFeatures } from './vllm/metrics';

export interface ServerPair {
  base: ModelServer;
  small: ModelServer;
}

/** The URL a kind's client is made with: vLLM and SGLang take the OpenAI base URL, so /v1 is added when missing. */
function urlFor(kind: ServerKind, url: string): string {
  return kind === 'vllm' || kind === 'sglang' ? (withV1(url) ?? url) : url;
}

export function createServer(
  kind: ServerKindSetting,
  role: ModelRole,
  server: ServerConfig,
  options: ClientOptions,
): ModelServer {
  const at = { ...server, url: kind === 'auto' ? server.url : urlFor(kind, server.url) };
  switch (kind) {
    case 'auto':
      return new DetectingServer(role, server, options);
    case 'vllm':
      return new VllmClient(role, server, options);
    case 'sglang':
      return new SglangClient(role, at, options);
    case 'llama-server':
      return new LlamaServerClient(role, at, options);
    case 'ollama':
      return new OllamaClient(role, at, options);
    case 'openai':
      return new OpenAiCompletionsClient(role, at, options);
    default: {
      const unknown: never = kind;
      throw new Error(`unknown server kind ${String(unknown)}`);
    }
  }
}

/** Prompt, kept steps and one more step, with room for the judge's question. */
export function contextTokens(config: SpecReasonConfig): number {
  return config.tokenBudget + config.stepMaxTokens + 4096;
}

export function clientOptions(config: SpecReasonConfig): ClientOptions {
  return {
    timeoutMs: config.requestTimeoutSec * 1000,
    maxRetries: config.maxRetries,
    stream: config.stream,
    contextTokens: contextTokens(config),
  };
}

/** The base and small clients of a config, each of its role's kind (absent: auto-detected). */
export function createClients(config: SpecReasonConfig): ServerPair {
  const options = clientOptions(config);
  return {
    base: createServer(config.base.kind ?? 'auto', 'base', config.base, options),
    small: createServer(config.small.kind ?? 'auto', 'small', config.small, options),
  };
}

/**
 * A role whose kind is `auto`: on its first call it asks the URL which engine it is (once per URL in
 * the process), then every call goes to that engine's client. A server that cannot be asked is taken
 * for vLLM (Ollama on its own port), so that the client's own request says what is wrong.
 */
export class DetectingServer implements ModelServer {
  private _inner?: ModelServer;
  private _pending?: Promise<ModelServer>;

  constructor(
    readonly role: ModelRole,
    private readonly _server: ServerConfig,
    private readonly _options: ClientOptions,
  ) {}

  get kind(): ServerKind | 'auto' {
    return this._inner?.kind ?? 'auto';
  }
  get url(): string {
    return this._inner?.url ?? this._server.url.replace(/\/+$/, '');
  }
  get hints() {
    return this._inner?.hints ?? VLLM_HINTS;
  }
  get knownModel() {
    return this._inner?.knownModel;
  }
  get requests() {
    return this._inner?.requests ?? 0;
  }
  get modelListRequests() {
    return this._inner?.modelListRequests ?? 0;
  }
  get requestFormat() {
    return this._inner?.requestFormat;
  }

  /** The engine's client, once its URL has said what it is. */
  resolve(signal?: AbortSignal): Promise<ModelServer> {
    if (this._inner) {
      return Promise.resolve(this._inner);
    }
    this._pending ??= detectKind(this._server, this._options.timeoutMs, signal)
      .then((kind) => {
        const inner = createServer(kind ?? fallbackKind(this._server.url), this.role, this._server, this._options);
        // Asked and answered: keep it. Not answered: ask again next time (the server may be starting).
        if (kind !== undefined) {
          this._inner = inner;
        }
        return inner;
      })
      .catch((error: unknown) => {
        throw signal?.aborted ? new SpecReasonError('cancelled', 'Run cancelled') : error;
      })
      .finally(() => {
        this._pending = undefined;
      });
    return this._pending;
  }

  /** Forget the URL's kind when its server went away: another engine may come up on its port. */
  private async _call<T>(signal: AbortSignal | undefined, call: (inner: ModelServer) => Promise<T>): Promise<T> {
    const inner = await this.resolve(signal);
    try {
      return await call(inner);
    } catch (error) {
      if (error instanceof SpecReasonError && error.code === 'server_down') {
        forgetKind(serverRoot(this._server.url));
        this._inner = undefined;
      }
      throw error;
    }
  }

  model(signal?: AbortSignal) {
    return this._call(signal, (inner) => inner.model(signal));
  }
  generate(request: GenerateRequest, signal: AbortSignal, onDelta?: (text: string) => void) {
    return this._call(signal, (inner) => inner.generate(request, signal, onDelta));
  }
  score(messages: ChatMessage[], signal: AbortSignal) {
    return this._call(signal, (inner) => inner.score(messages, signal));
  }
  firstToken(request: GenerateRequest, topLogprobs: number, signal: AbortSignal) {
    return this._call(signal, (inner) => {
      if (!inner.firstToken) {
        throw new SpecReasonError(
          'unsupported',
          `the ${this.role} server (${inner.hints.name}) cannot give a step's first token with its alternatives`,
          { server: { role: this.role, url: inner.url } },
        );
      }
      return inner.firstToken(request, topLogprobs, signal);
    });
  }
  generateMany(request: GenerateRequest, n: number, signal: AbortSignal) {
    return this._call(signal, (inner) => {
      if (!inner.generateMany) {
        throw new SpecReasonError(
          'unsupported',
          `the ${this.role} server (${inner.hints.name}) cannot write several drafts of a step in one request`,
          { server: { role: this.role, url: inner.url } },
        );
      }
      return inner.generateMany(request, n, signal);
    });
  }
  scoreMany(chats: ChatMessage[][], signal: AbortSignal) {
    return this._call(signal, (inner) => {
      if (!inner.scoreMany) {
        throw new SpecReasonError(
          'unsupported',
          `the ${this.role} server (${inner.hints.name}) cannot score several prompts in one request`,
          { server: { role: this.role, url: inner.url } },
        );
      }
      return inner.scoreMany(chats, signal);
    });
  }
  async health(signal?: AbortSignal): Promise<ServerHealth> {
    const inner = await this.resolve(signal).catch(() =>
      createServer(fallbackKind(this._server.url), this.role, this._server, this._options),
    );
    return inner.health(signal);
  }
  async metrics(signal?: AbortSignal): Promise<string | undefined> {
    return (await this.resolve(signal).catch(() => undefined))?.metrics(signal);
  }
  features(metrics: string, before?: string): ServerFeatures {
    return this._inner?.features(metrics, before) ?? serverFeatures(metrics, before);
  }
}
