// Ollama's native API (ollama/ollama, read at v0.33.0-rc2 fb30760: api/types.go, server/routes.go).
// A continuation of a client-rendered prompt needs POST /api/generate with `raw: true` (its
// OpenAI-compatible /v1/completions wraps the prompt in the chat template). Sampling goes in
// `options` (num_predict, temperature, top_p, stop) and so does num_ctx, always: the default context
// is small and Ollama truncates the prompt silently. `think: false` keeps a thinking model's text in
// `response` (with raw it would otherwise be split into `thinking`). Logprobs (`logprobs`,
// `top_logprobs` ≤ 20) came in 0.12.11: [{token, logprob, top_logprobs: [{token, logprob}]}].
// Streaming is NDJSON (one JSON object a line, the last with done: true, done_reason, eval_count);
// errors are {"error": "…"}. GET /v1/models lists the models (names and owner); POST /api/show has the context length
// (model_info["<arch>.context_length"]) and the template (Jinja for models Ollama renders natively,
// else a Go template: then the built-in template of the model's family is used).

import { APIError } from 'openai';
import { SpecReasonError } from '../../errors';
import { isJinjaTemplate, type ChatTemplate } from '../chatTemplate';
import { BYTES_PER_TOKEN, BYTES_SLACK } from '../httpServer';
import { RawPromptServer } from '../rawPrompt';
import * as replies from '../replies';
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
import { knownTemplateFor } from '../templates/known';
import type { RequestDeadline } from '../transport';
import { ollamaGenerateBody, ollamaScoreBody, type RequestFormat } from '../requestBodies';
import { OLLAMA_HINTS } from './hints';

/** num_ctx when the run does not say what it needs. */
const DEFAULT_NUM_CTX = 16384;

interface Show {
  template?: unknown;
  model_info?: Record<string, unknown>;
  details?: { family?: unknown };
}

type Json = Record<string, unknown>;

/** The lines of an NDJSON body, parsed. */
async function* ndjson(body: ReadableStream<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder();
  let buffered = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffered += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffered.indexOf('\n')) !== -1) {
      const line = buffered.slice(0, newline).trim();
      buffered = buffered.slice(newline + 1);
      if (line) {
        yield JSON.parse(line);
      }
    }
  }
  if (buffered.trim()) {
    yield JSON.parse(buffered);
  }
}

export class OllamaClient extends RawPromptServer {
  readonly kind: ServerKind = 'ollama';
  readonly hints: ServerHints = OLLAMA_HINTS;
  private readonly _shows = new Map<string, Promise<Show>>();

  constructor(role: ModelRole, server: ServerConfig, options: ClientOptions) {
    super(role, server, options, server.url.replace(/\/+$/, '').replace(/\/v1$/, ''));
  }

  /** A JSON request; a reply that is not 2xx becomes the SDK's APIError, mapped like every other kind's. */
  private async _send(path: string, body: unknown, deadline: RequestDeadline): Promise<Response> {
    const headers: Record<string, string> = { 'content-type': 'application/json', ...this._options.headers };
    if (this._server.apiKey) {
      headers.authorization = `Bearer ${this._server.apiKey}`;
    }
    const response = await this._fetch(`${this.root}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: deadline.signal,
      ...deadline.fetchOptions,
    });
    if (!response.ok) {
      const text = await response.text();
      let message = text.trim().slice(0, 300);
      try {
        const parsed = JSON.parse(text) as { error?: unknown };
        message = typeof parsed.error === 'string' ? parsed.error : message;
      } catch {
        /* not JSON: keep the text */
      }
      throw APIError.generate(response.status, { message }, message, response.headers);
    }
    return response;
  }

  private async _json(path: string, body: unknown, signal: AbortSignal | undefined, maxBytes = BYTES_SLACK * 16) {
    return this._request(signal, maxBytes, async (deadline) =>
      replies.completionBody(await (await this._send(path, body, deadline)).json()),
    );
  }

  /** Ollama's OpenAI-compatible GET /v1/models: the model names, and who owns them (`library`, or the simulator). */
  protected override async _listModels(signal?: AbortSignal): Promise<ModelInfo[]> {
    this.modelListRequests++;
    const list = await this._request(signal, BYTES_SLACK * 16, async (deadline) =>
      replies.modelList(await (await this._send('/v1/models', undefined, deadline)).json()),
    );
    return list.map(({ id, ownedBy }) => ({ id, ownedBy: ownedBy ?? 'ollama' }));
  }

  protected override async _chooseModel(models: ModelInfo[]): Promise<ModelInfo> {
    const wanted = this._server.model;
    let chosen: ModelInfo | undefined;
    if (wanted) {
      chosen = models.find((m) => m.id === wanted || m.id === `${wanted}:latest`);
      if (!chosen) {
        throw new SpecReasonError(
          'model_not_found',
          `${this.role} model ${wanted} is not in Ollama at ${this.root} (it has ${models.map((m) => m.id).join(', ') || 'no models'})`,
          { hint: `Pull it first: ollama pull ${wanted}`, server: this._where(), status: 404 },
        );
      }
    } else if (models.length === 1) {
      chosen = models[0]!;
    } else {
      throw new SpecReasonError(
        'malformed_reply',
        models.length === 0
          ? `Ollama at ${this.root} has no models`
          : `Ollama at ${this.root} has ${models.length} models (${models.map((m) => m.id).join(', ')}): which one is the ${this.role} model?`,
        { hint: this.hints.noModel, server: this._where() },
      );
    }
    const show = await this._show(chosen.id);
    const info = show.model_info ?? {};
    const length = Object.entries(info).find(([k, v]) => k.endsWith('.context_length') && typeof v === 'number');
    return { ...chosen, maxModelLen: length ? (length[1] as number) : undefined };
  }

  /** POST /api/show for a model, once. */
  private _show(model: string, signal?: AbortSignal): Promise<Show> {
    let pending = this._shows.get(model);
    if (!pending) {
      pending = this._json('/api/show', { model }, signal);
      pending.catch(() => this._shows.delete(model));
      this._shows.set(model, pending);
    }
    return pending;
  }

  protected async _loadTemplate(model: string, signal?: AbortSignal): Promise<ChatTemplate> {
    const show = await this._show(model, signal);
    const known = knownTemplateFor(model);
    if (typeof show.template === 'string' && isJinjaTemplate(show.template)) {
      return {
        source: show.template,
        origin: `${this.root}/api/show`,
        bos_token: known?.bos_token,
        eos_token: known?.eos_token,
      };
    }
    if (known) {
      return known;
    }
    throw this._noTemplate(model, '/api/show has a Go template, not the Jinja template SpecReason renders');
  }

  /** num_ctx for every request of this client (the same each time: a change reloads the model). */
  private _numCtx(): number {
    const wanted = this._options.contextTokens ?? DEFAULT_NUM_CTX;
    const max = this.knownModel?.maxModelLen;
    return max !== undefined ? Math.min(wanted, max) : wanted;
  }

  override get requestFormat(): RequestFormat {
    return { ...super.requestFormat, numCtx: this._numCtx() };
  }

  async generate(request: GenerateRequest, signal: AbortSignal, onDelta?: (text: string) => void) {
    const { id: model } = await this.model(signal);
    const prompt = await this._prompt(request.messages, request.continueFinal, signal);
    const body = ollamaGenerateBody(model, prompt, this._numCtx(), request)(this._options.stream);
    const maxBytes = request.maxTokens * BYTES_PER_TOKEN + BYTES_SLACK;
    return this._generation(onDelta, async () =>
      this._options.stream
        ? await this._generateStreaming(body, request.maxTokens, signal, onDelta)
        : await this._request(signal, maxBytes, async (deadline) => {
            const done = replies.completionBody(await (await this._send('/api/generate', body, deadline)).json());
            const text = this._text(done);
            return { text, ...this._finished(done, text.length, request.maxTokens) };
          }),
    );
  }

  private _text(line: Json): string {
    const part = (key: string) => {
      const v = line[key];
      return v === undefined || v === null ? '' : typeof v === 'string' ? v : this._malformed(`${key} is not text`);
    };
    return part('thinking') + part('response');
  }

  private _finished(done: Json, textLength: number, maxTokens: number) {
    return this._finish(done.eval_count ?? 0, done.done_reason === 'length', textLength, maxTokens);
  }

  private async _generateStreaming(
    body: Json,
    maxTokens: number,
    signal: AbortSignal,
    onDelta?: (text: string) => void,
  ) {
    const { text, last } = await this._readUntilLast(
      signal,
      maxTokens,
      {
        open: async (deadline) => {
          const response = await this._send('/api/generate', body, deadline);
          if (!response.body) {
            this._malformed('the stream has no body');
          }
          return ndjson(response.body);
        },
        select: (line) => {
          if (typeof line.error === 'string') {
            throw APIError.generate(undefined, { message: line.error }, line.error, undefined);
          }
          return line;
        },
        text: (line) => this._text(line),
        isLast: (line) => line.done === true,
        counting: 'lines for a num_predict',
      },
      onDelta,
      1,
    );
    return { text, ...this._finished(last, text.length, maxTokens) };
  }

  /** The one-token score with top_logprobs (Ollama ≥ 0.12.11), not streamed. */
  async score(messages: ChatMessage[], signal: AbortSignal): Promise<ScoreResult> {
    const { id: model } = await this.model(signal);
    const body = ollamaScoreBody(model, await this._prompt(messages, true, signal), this._numCtx());
    return this._timed(() =>
      this._request(signal, BYTES_SLACK, async (deadline) => {
        const done = replies.completionBody(await (await this._send('/api/generate', body, deadline)).json());
        const sampled = replies.tokenLogprobs(done.logprobs, 'logprobs');
        if (!sampled) {
          this._noLogprobs();
        }
        return { sampledToken: sampled.token, topLogprobs: sampled.top, content: this._text(done) };
      }),
    );
  }

  /** GET /api/version and /v1/models. */
  async health(signal?: AbortSignal): Promise<ServerHealth> {
    const startedAt = now();
    const result: ServerHealth = { url: this.url, ok: false, kind: this.kind };
    try {
      const version = await this._json('/api/version', undefined, signal);
      result.healthStatus = 200;
      result.roundTripMs = now() - startedAt;
      result.version = typeof version.version === 'string' ? version.version : undefined;
      const models = await this._listModels(signal);
      const wanted = this._server.model;
      const chosen = wanted ? models.find((m) => m.id === wanted || m.id === `${wanted}:latest`) : models[0];
      result.models = chosen ? [await this._chooseModel([chosen]), ...models.filter((m) => m !== chosen)] : models;
      result.ok = true;
    } catch (error) {
      result.error = this._error(error, signal);
    }
    return result;
  }

  /** Ollama has no /metrics. */
  override metrics(): Promise<string | undefined> {
    return Promise.resolve(undefined);
  }

  features(): ServerFeatures {
    return { specDecode: false };
  }
}
