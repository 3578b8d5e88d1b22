// The client side of the engines that take one raw prompt instead of a chat (llama-server's
// /completion, Ollama's /api/generate with raw: true, /v1/completions of hosted providers): the chat
// is rendered here with the model's own template (chatTemplate.ts), found once per client.

import { SpecReasonError } from '../errors';
import { TemplateError, type ChatTemplate } from './chatTemplate';
import { HttpModelServer, type StreamReading } from './httpServer';
import { rawPrompt, type RequestFormat } from './requestBodies';
import * as replies from './replies';
import type { ChatMessage, GenerateResult } from './server';

type Json = Record<string, unknown>;

export abstract class RawPromptServer extends HttpModelServer {
  private _template?: Promise<ChatTemplate>;
  /** The template once found, for the run record (the panel rebuilds the prompts sent with it). */
  knownTemplate?: ChatTemplate;

  /** Where this kind finds the model's template (one request at most). */
  protected abstract _loadTemplate(model: string, signal?: AbortSignal): Promise<ChatTemplate>;

  /** The template in use, once found. */
  template(signal?: AbortSignal): Promise<ChatTemplate> {
    if (!this._template) {
      const pending = this.model(signal)
        .then(({ id }) => this._loadTemplate(id, signal))
        .then((template) => (this.knownTemplate = template));
      pending.catch(() => {
        this._template = undefined;
      });
      this._template = pending;
    }
    return this._template;
  }

  override get requestFormat(): RequestFormat {
    return { kind: this.kind, template: this.knownTemplate };
  }

  /** The prompt the model continues: the chat rendered as vLLM's chat endpoint renders it (the server adds BOS). */
  protected async _prompt(messages: readonly ChatMessage[], continueFinal: boolean, signal?: AbortSignal) {
    const template = await this.template(signal);
    try {
      return rawPrompt(template, messages, continueFinal);
    } catch (error) {
      if (error instanceof TemplateError) {
        throw new SpecReasonError('bad_request', `${this.role} model (${this.url}): ${error.message}`, {
          hint: `Serve the model with its own chat template (Jinja), as its tokenizer_config.json has it.`,
          server: this._where(),
          cause: error,
        });
      }
      throw error;
    }
  }

  /** A generation, counted and timed; a reply that was not streamed reaches onDelta whole. */
  protected _generation(
    onDelta: ((text: string) => void) | undefined,
    send: () => Promise<{ text: string; completionTokens: number; finishReason: string | null }>,
  ): Promise<GenerateResult> {
    return this._timed(async () => {
      const reply = await send();
      if (!this._options.stream && reply.text) {
        onDelta?.(reply.text);
      }
      return reply;
    });
  }

  /** What a finished raw reply says: its token count (checked as a usage count is) and whether it hit the limit. */
  protected _finish(count: unknown, atLimit: boolean, textLength: number, maxTokens: number) {
    const completionTokens = this._check(() =>
      replies.completionTokens({ completion_tokens: count }, textLength, maxTokens),
    );
    return { completionTokens, finishReason: atLimit ? 'length' : 'stop' };
  }

  /**
   * A raw streamed reply that ends with an event marked as the last (llama-server's `stop`, Ollama's `done`),
   * which carries the counts: the text, and that event.
   */
  protected async _readUntilLast(
    signal: AbortSignal,
    maxTokens: number,
    reading: Pick<StreamReading<Json>, 'open' | 'text' | 'counting'> & {
      select?: StreamReading<Json>['select'];
      isLast(event: Json): boolean;
    },
    onDelta?: (text: string) => void,
    attempts?: number,
  ): Promise<{ text: string; last: Json }> {
    let last: Json | undefined;
    const text = await this._readStream(
      signal,
      maxTokens,
      {
        select: (event) => event,
        ...reading,
        seen: (event) => {
          if (reading.isLast(event)) {
            last = event;
          }
        },
        finished: () => last !== undefined,
      },
      onDelta,
      attempts,
    );
    return { text, last: last! };
  }

  /** No usable template: what is missing and what to do. */
  protected _noTemplate(model: string, why: string): SpecReasonError {
    return new SpecReasonError('bad_request', `${this.role} model ${model} (${this.url}): ${why}`, {
      hint: `SpecReason renders the chat itself for ${this.hints.name} and knows the templates of QwQ, Qwen2.5 and DeepSeek-R1-Distill; serve one of those, or a model whose Jinja chat template the server reports.`,
      server: this._where(),
    });
  }
}
