// llama.cpp's llama-server (ggml-org/llama.cpp tools/server, read at server-task.cpp 00efb3e and
// server-context.cpp's handle_props): one model per server. The chat is rendered here with the
// template GET /props reports (`chat_template`, `bos_token`, `eos_token`; n_ctx under
// `default_generation_settings`) and sent as a raw prompt to the native POST /completion (`n_predict`,
// `n_probs`, `cache_prompt`). Its reply: `content`, `tokens_predicted`, `stop_type` (eos | word |
// limit) and, not streamed, `completion_probabilities` [{token, logprob, top_logprobs: [{token,
// logprob}]}] — not OpenAI's shape. Streamed: SSE events of {content, stop}, the last one with stop:
// true and the counts. /completion adds BOS itself, so a BOS the template printed is taken off (else
// the model sees two). GET /health answers 503 while the model loads.

import type { ChatTemplate } from '../chatTemplate';
import { BYTES_PER_TOKEN, BYTES_SLACK, sdkOptions } from '../httpServer';
import { RawPromptServer } from '../rawPrompt';
import * as replies from '../replies';
import { knownTemplateFor } from '../templates/known';
import { isJinjaTemplate } from '../chatTemplate';
import {
  now,
  type ChatMessage,
  type ClientOptions,
  type GenerateRequest,
  type ModelInfo,
  type ModelRole,
  type ScoreResult,
  type ServerConfig,
  type ServerFeatures,
  type ServerHealth,
  type ServerHints,
  type ServerKind,
} from '../server';
import { llamaGenerateBody, llamaScoreBody } from '../requestBodies';
import { LLAMA_SERVER_HINTS } from './hints';

interface Props {
  chat_template?: unknown;
  bos_token?: unknown;
  eos_token?: unknown;
  build_info?: unknown;
  model_path?: unknown;
  default_generation_settings?: { n_ctx?: unknown };
}

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

export class LlamaServerClient extends RawPromptServer {
  readonly kind: ServerKind = 'llama-server';
  readonly hints: ServerHints = LLAMA_SERVER_HINTS;
  private _props?: Promise<Props>;

  constructor(role: ModelRole, server: ServerConfig, options: ClientOptions) {
    super(role, server, options, server.url.replace(/\/+$/, '').replace(/\/v1$/, ''));
  }

  /** Native routes (/props, /completion) and /v1/models alike are under the server's root. */
  protected override get _sdkBase(): string {
    return this.root;
  }

  /** GET /props, once. */
  private _getProps(signal?: AbortSignal): Promise<Props> {
    if (!this._props) {
      const pending = this._request(signal, BYTES_SLACK * 16, async (deadline) => {
        const props = await this._sdk.get('/props', sdkOptions(deadline));
        return props && typeof props === 'object' ? props : {};
      });
      pending.catch(() => {
        this._props = undefined;
      });
      this._props = pending;
    }
    return this._props;
  }

  protected override async _listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    const models = await super._listModels(signal, '/v1/models');
    const props: Props = await this._getProps(signal).catch(() => ({}));
    const nCtx = props.default_generation_settings?.n_ctx;
    return models.map((m) => ({ ...m, maxModelLen: typeof nCtx === 'number' ? nCtx : m.maxModelLen }));
  }

  /** One model per server: the configured name is only a label. */
  protected override _chooseModel(models: ModelInfo[]): ModelInfo {
    const first = models[0];
    if (!first) {
      this._malformed(`${this.root}/v1/models lists no model`);
    }
    return first;
  }

  protected async _loadTemplate(model: string, signal?: AbortSignal): Promise<ChatTemplate> {
    const props = await this._getProps(signal);
    const source = text(props.chat_template);
    const tokens = { bos_token: text(props.bos_token), eos_token: text(props.eos_token) };
    if (source && isJinjaTemplate(source)) {
      return { source, origin: `${this.root}/props`, ...tokens };
    }
    const known = knownTemplateFor(model) ?? knownTemplateFor(text(props.model_path) ?? '');
    if (known) {
      return { ...known, ...tokens };
    }
    throw this._noTemplate(model, 'GET /props reports no Jinja chat template');
  }

  async generate(request: GenerateRequest, signal: AbortSignal, onDelta?: (text: string) => void) {
    const prompt = await this._prompt(request.messages, request.continueFinal, signal);
    const body = llamaGenerateBody(prompt, request);
    return this._generation(onDelta, async () =>
      this._options.stream
        ? await this._completeStreaming(body, request.maxTokens, signal, onDelta)
        : await this._completeOnce(body, request.maxTokens, signal),
    );
  }

  private _finished(event: Record<string, unknown>, textLength: number, maxTokens: number) {
    return this._finish(event.tokens_predicted, event.stop_type === 'limit', textLength, maxTokens);
  }

  private async _completeOnce(body: Record<string, unknown>, maxTokens: number, signal: AbortSignal) {
    return this._request(signal, maxTokens * BYTES_PER_TOKEN + BYTES_SLACK, async (deadline) => {
      const reply = replies.completionBody(
        await this._sdk.post('/completion', { body: { ...body, stream: false }, ...sdkOptions(deadline) }),
      );
      const content = typeof reply.content === 'string' ? reply.content : this._malformed('content is not text');
      return { text: content, ...this._finished(reply, content.length, maxTokens) };
    });
  }

  private async _completeStreaming(
    body: Record<string, unknown>,
    maxTokens: number,
    signal: AbortSignal,
    onDelta?: (text: string) => void,
  ) {
    const { text, last } = await this._readUntilLast(
      signal,
      maxTokens,
      {
        open: async (deadline) => {
          const stream = await this._sdk.post('/completion', {
            body: { ...body, stream: true },
            stream: true,
            ...sdkOptions(deadline),
          });
          this._expectEventStream(deadline);
          return stream as AsyncIterable<unknown>;
        },
        text: (event) => (typeof event.content === 'string' ? event.content : ''),
        isLast: (event) => event.stop === true,
        counting: 'events for an n_predict',
      },
      onDelta,
    );
    return { text, ...this._finished(last, text.length, maxTokens) };
  }

  /** The one-token score: n_probs alternatives of the first token, not streamed. */
  async score(messages: ChatMessage[], signal: AbortSignal): Promise<ScoreResult> {
    const body = llamaScoreBody(await this._prompt(messages, true, signal));
    return this._timed(() =>
      this._request(signal, BYTES_SLACK, async (deadline) => {
        const completion = replies.completionBody(
          await this._sdk.post('/completion', { body, ...sdkOptions(deadline) }),
        );
        const sampled = replies.tokenLogprobs(completion.completion_probabilities, 'completion_probabilities');
        if (!sampled) {
          this._noLogprobs();
        }
        return {
          sampledToken: sampled.token,
          topLogprobs: sampled.top,
          content: typeof completion.content === 'string' ? completion.content : null,
        };
      }),
    );
  }

  /** GET /health (503 while loading), /props (build) and /v1/models. */
  async health(signal?: AbortSignal): Promise<ServerHealth> {
    const startedAt = now();
    const result: ServerHealth = { url: this.url, ok: false, kind: this.kind };
    try {
      const status = await this._healthStatus('/health', signal);
      result.healthStatus = status;
      result.roundTripMs = now() - startedAt;
      if (status >= 200 && status < 300) {
        const props: Props = await this._getProps(signal).catch(() => ({}));
        result.version = text(props.build_info);
        result.models = await this._listModels(signal);
        result.ok = true;
      }
    } catch (error) {
      result.error = this._error(error, signal);
    }
    return result;
  }

  features(): ServerFeatures {
    // llamacpp:* metrics (with --metrics) count tokens; prompt caching (cache_prompt) is per request.
    return { specDecode: false, prefixCaching: true };
  }
}
