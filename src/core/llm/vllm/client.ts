// A vLLM OpenAI-compatible server, reached through the openai SDK (HTTP, SSE, retries). What is
// vLLM's own lives here: the template flags (vLLM-only fields are top-level body fields), reasoning
// text in `reasoning_content` or `reasoning`, /health, /version and the /metrics names.

import type { ChatCompletionCreateParamsStreaming } from 'openai/resources/chat/completions';
import { SpecReasonError } from '../../errors';
import { listTemplate, promptListScoreBody, rawPrompt } from '../requestBodies';
import { BYTES_PER_TOKEN, BYTES_SLACK, HttpModelServer, sdkOptions } from '../httpServer';
import * as replies from '../replies';
import {
  now,
  type ChatMessage,
  type GenerateRequest,
  type GenerateResult,
  type ScoreResult,
  type ServerFeatures,
  type ServerHealth,
  type ServerHints,
  type ServerKind,
} from '../server';
import {
  firstTokenRequest,
  generateBody,
  withTopLogprobs,
  scoreBody,
  STREAMED,
  type ChatBody,
  type VllmExtras,
} from './body';
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
export { createSdk, sdkOptions } from '../httpServer';

export class VllmClient extends HttpModelServer {
  readonly kind: ServerKind = 'vllm';
  readonly hints: ServerHints = VLLM_HINTS;

  /** The body of a generation (SGLang's differs in its template flags). */
  protected _generateBody(model: string, request: GenerateRequest): ChatBody {
    return generateBody(model, request);
  }

  /** The body of the one-token score request. */
  protected _scoreBody(model: string, messages: ChatMessage[]): ChatBody {
    return scoreBody(model, messages);
  }

  async generate(
    request: GenerateRequest,
    signal: AbortSignal,
    onDelta?: (text: string) => void,
  ): Promise<GenerateResult> {
    const { id: model } = await this.model(signal);
    const body = this._generateBody(model, request);
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
        promptTokens: replies.promptTokens(completion.usage),
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
    const params: ChatCompletionCreateParamsStreaming & VllmExtras = {
      ...body,
      ...STREAMED,
    };
    const { text, finishReason, usage } = await this._readChoices(
      signal,
      maxTokens,
      async (deadline) => {
        const stream = await this._sdk.chat.completions.create(params, sdkOptions(deadline));
        this._expectEventStream(deadline);
        return stream as AsyncIterable<unknown>;
      },
      (choice) => {
        const { reasoning = '', content = '' } = replies.messageText(choice.delta, 'choices[0].delta');
        return reasoning + content;
      },
      onDelta,
    );
    const completionTokens = this._check(() => replies.completionTokens(usage, text.length, maxTokens));
    const endedAt = now();
    const prompt = replies.promptTokens(usage);
    return { text, completionTokens, finishReason, promptTokens: prompt, ms: endedAt - startedAt, startedAt, endedAt };
  }

  /**
   * n drafts of one step in one request (`n`, not streamed). The usage counts all choices' tokens together:
   * each draft gets a share in proportion to its text (what is known per choice), the shares adding up.
   */
  async generateMany(request: GenerateRequest, n: number, signal: AbortSignal): Promise<GenerateResult[]> {
    const { id: model } = await this.model(signal);
    const body = { ...this._generateBody(model, request), n, stream: false as const };
    const startedAt = now();
    this.requests++;
    const size = n * request.maxTokens * BYTES_PER_TOKEN + BYTES_SLACK;
    const reply = await this._request(signal, size, async (deadline) => {
      const completion = replies.completionBody(await this._sdk.chat.completions.create(body, sdkOptions(deadline)));
      const choices = Array.isArray(completion.choices) ? completion.choices : [];
      if (choices.length !== n) {
        this._malformed(`choices has ${choices.length} entries for n = ${n}`);
      }
      const drafts = choices.map((_, i) => {
        const choice = replies.firstChoice({ choices: choices.slice(i) }, `choices[${i}]`)!;
        const { reasoning = '', content = '' } = replies.messageText(choice.message, `choices[${i}].message`);
        return { text: reasoning + content, finishReason: replies.finishReason(choice, `choices[${i}]`) };
      });
      const chars = drafts.reduce((sum, d) => sum + d.text.length, 0);
      const total = replies.completionTokens(completion.usage, chars, n * request.maxTokens);
      return { drafts, total, chars, promptTokens: replies.promptTokens(completion.usage) };
    });
    const endedAt = now();
    let left = reply.total;
    return reply.drafts.map((draft, i) => {
      const share = i === n - 1 ? left : Math.floor((reply.total * draft.text.length) / Math.max(1, reply.chars));
      left -= share;
      const timing = { ms: endedAt - startedAt, startedAt, endedAt };
      return { ...draft, completionTokens: share, promptTokens: reply.promptTokens, ...timing };
    });
  }

  /** The one-token score request (never streamed: it is a single token). */
  score(messages: ChatMessage[], signal: AbortSignal): Promise<ScoreResult> {
    return this._oneToken(signal, (model) => this._scoreBody(model, messages));
  }

  /**
   * Score prompts in ONE request: a prompt list on /v1/completions (vLLM's serving_completion.py and SGLang's
   * serving_completions.py take a list of strings and answer one choice per prompt, `index` its place). The
   * chats are rendered here with the model family's template, as the chat route renders them.
   */
  async scoreMany(chats: ChatMessage[][], signal: AbortSignal): Promise<ScoreResult[]> {
    const { id: model } = await this.model(signal);
    const template = listTemplate(undefined, model);
    if (!template) {
      throw new SpecReasonError(
        'unsupported',
        `${this.role} model ${model} (${this.url}): a prompt list needs the chat rendered by SpecReason, which knows the templates of QwQ, Qwen2.5 and DeepSeek-R1-Distill only`,
        { hint: 'Serve one of those models as the base model, or use a policy that scores drafts one by one.' },
      );
    }
    const body = promptListScoreBody(
      model,
      chats.map((messages) => rawPrompt(template, messages, true)),
    );
    const startedAt = now();
    this.requests++;
    const scores = await this._request(signal, chats.length * BYTES_SLACK, async (deadline) => {
      const completion = replies.completionBody(await this._sdk.completions.create(body, sdkOptions(deadline)));
      const choices: unknown[] = Array.isArray(completion.choices) ? completion.choices : [];
      const byIndex = new Map<number, Record<string, unknown>>();
      for (const choice of choices) {
        const index = (choice as { index?: unknown } | null)?.index;
        if (
          typeof index !== 'number' ||
          !Number.isInteger(index) ||
          index < 0 ||
          index >= chats.length ||
          byIndex.has(index)
        ) {
          this._malformed(`a choice's index is ${JSON.stringify(index)} for ${chats.length} prompts`);
        }
        byIndex.set(index, choice as Record<string, unknown>);
      }
      if (byIndex.size !== chats.length) {
        this._malformed(`choices has ${choices.length} entries for ${chats.length} prompts`);
      }
      return chats.map((_, i) => {
        const choice = byIndex.get(i)!;
        const sampled = replies.legacyLogprobs(choice.logprobs, `choices[${i}].logprobs`);
        if (!sampled) {
          this._noLogprobs();
        }
        const content = typeof choice.text === 'string' ? choice.text : null;
        return { sampledToken: sampled.token, topLogprobs: sampled.top, content };
      });
    });
    const endedAt = now();
    return scores.map((score) => ({ ...score, ms: endedAt - startedAt, startedAt, endedAt }));
  }

  /** First-token routing's probe (never streamed: it is a single token). */
  firstToken(request: GenerateRequest, topLogprobs: number, signal: AbortSignal): Promise<ScoreResult> {
    return this._oneToken(signal, (model) =>
      withTopLogprobs(this._generateBody(model, firstTokenRequest(request)), topLogprobs),
    );
  }

  /** A one-token request and its logprobs. */
  private async _oneToken(signal: AbortSignal, bodyFor: (model: string) => ChatBody): Promise<ScoreResult> {
    const { id: model } = await this.model(signal);
    const body = bodyFor(model);
    return this._timed(() =>
      this._request(signal, BYTES_SLACK, async (deadline) => {
        const completion = replies.completionBody(await this._sdk.chat.completions.create(body, sdkOptions(deadline)));
        const choice = replies.firstChoice(completion) ?? this._malformed('choices is empty');
        const sampled = replies.scoreLogprobs(choice);
        if (!sampled) {
          this._noLogprobs();
        }
        const { reasoning, content } = replies.messageText(choice.message, 'choices[0].message');
        return { sampledToken: sampled.token, topLogprobs: sampled.top, content: content ?? reasoning ?? null };
      }),
    );
  }

  /** GET /health, the version and /v1/models. */
  async health(signal?: AbortSignal): Promise<ServerHealth> {
    const startedAt = now();
    const result: ServerHealth = { url: this.url, ok: false, kind: this.kind };
    try {
      const health = await this._healthStatus('/health', signal);
      result.healthStatus = health;
      result.roundTripMs = now() - startedAt;
      result.version = await this._version(signal).catch(() => undefined);
      result.models = await this._listModels(signal);
      result.ok = health >= 200 && health < 300;
    } catch (error) {
      result.error = this._error(error, signal);
    }
    return result;
  }

  /** The engine's version: vLLM's GET /version. */
  protected async _version(signal?: AbortSignal): Promise<string | undefined> {
    const version = (await this._get(`${this.root}/version`, signal, async (r) =>
      r.ok ? await r.json() : undefined,
    )) as { version?: unknown } | undefined;
    return typeof version?.version === 'string' ? version.version : undefined;
  }

  features(metrics: string, before?: string): ServerFeatures {
    return serverFeatures(metrics, before);
  }
}
