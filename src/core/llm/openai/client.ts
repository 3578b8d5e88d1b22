// Any OpenAI-compatible server with /v1/completions and top-k logprobs (hosted providers such as
// Fireworks or DeepInfra; others when they gain them). The chat is rendered here with the built-in
// template of the model's family (a provider does not report its template) and sent as a raw prompt;
// the score reads the legacy completions logprobs ({tokens, top_logprobs: [{token: logprob}]}).
// Providers tokenize a completions prompt with special tokens, so a BOS the template printed is taken off.

import { BYTES_PER_TOKEN, BYTES_SLACK, sdkOptions } from '../httpServer';
import { RawPromptServer } from '../rawPrompt';
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
import { knownTemplateFor } from '../templates/known';
import type { ChatTemplate } from '../chatTemplate';
import { completionsBody, completionsScoreBody } from '../requestBodies';
import { STREAMED } from '../vllm/body';
import { OPENAI_HINTS } from './hints';

export class OpenAiCompletionsClient extends RawPromptServer {
  readonly kind: ServerKind = 'openai';
  readonly hints: ServerHints = OPENAI_HINTS;

  protected _loadTemplate(model: string): Promise<ChatTemplate> {
    const known = knownTemplateFor(model);
    return known
      ? Promise.resolve(known)
      : Promise.reject(this._noTemplate(model, 'an OpenAI-compatible provider does not report its chat template'));
  }

  async generate(request: GenerateRequest, signal: AbortSignal, onDelta?: (text: string) => void) {
    const { id: model } = await this.model(signal);
    const prompt = await this._prompt(request.messages, request.continueFinal, signal);
    const body = completionsBody(model, prompt, request);
    this.requests++;
    const startedAt = now();
    const maxBytes = request.maxTokens * BYTES_PER_TOKEN + BYTES_SLACK;
    let text: string;
    let finishReason: string | null;
    let usage: unknown;
    if (this._options.stream) {
      ({ text, finishReason, usage } = await this._readChoices(
        signal,
        request.maxTokens,
        async (deadline) =>
          (await this._sdk.completions.create(
            { ...body, ...STREAMED },
            sdkOptions(deadline),
          )) as AsyncIterable<unknown>,
        (choice) => (typeof choice.text === 'string' ? choice.text : ''),
        onDelta,
      ));
    } else {
      const completion = await this._request(signal, maxBytes, async (deadline) =>
        replies.completionBody(await this._sdk.completions.create({ ...body, stream: false }, sdkOptions(deadline))),
      );
      const choice = replies.firstChoice(completion) ?? this._malformed('choices is empty');
      text = typeof choice.text === 'string' ? choice.text : this._malformed('choices[0].text is not text');
      finishReason = replies.finishReason(choice, 'choices[0]');
      usage = completion.usage;
      if (text) {
        onDelta?.(text);
      }
    }
    const completionTokens = this._check(() => replies.completionTokens(usage, text.length, request.maxTokens));
    const endedAt = now();
    return {
      text,
      completionTokens,
      finishReason,
      ms: endedAt - startedAt,
      startedAt,
      endedAt,
    } satisfies GenerateResult;
  }

  async score(messages: ChatMessage[], signal: AbortSignal): Promise<ScoreResult> {
    const { id: model } = await this.model(signal);
    const prompt = await this._prompt(messages, true, signal);
    return this._timed(() =>
      this._request(signal, BYTES_SLACK, async (deadline) => {
        const completion = replies.completionBody(
          await this._sdk.completions.create(completionsScoreBody(model, prompt), sdkOptions(deadline)),
        );
        const choice = replies.firstChoice(completion) ?? this._malformed('choices is empty');
        const sampled = replies.legacyLogprobs(choice.logprobs, 'choices[0].logprobs');
        if (!sampled) {
          this._noLogprobs();
        }
        return {
          sampledToken: sampled.token,
          topLogprobs: sampled.top,
          content: typeof choice.text === 'string' ? choice.text : null,
        };
      }),
    );
  }

  /** A provider has no /health: GET /v1/models is the check. */
  async health(signal?: AbortSignal): Promise<ServerHealth> {
    const startedAt = now();
    const result: ServerHealth = { url: this.url, ok: false, kind: this.kind };
    try {
      result.models = await this._listModels(signal);
      result.healthStatus = 200;
      result.roundTripMs = now() - startedAt;
      result.ok = true;
    } catch (error) {
      result.error = this._error(error, signal);
    }
    return result;
  }

  features(): ServerFeatures {
    return { specDecode: false };
  }
}
