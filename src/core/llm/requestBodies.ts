// The request of each server kind, built in one place: the clients send these bodies, and the panel's
// "Request" view rebuilds a step's requests with the same functions (core/engine/stepRequests.ts), so
// what is shown is what was sent, for every engine. vLLM's own bodies are in vllm/body.ts (unchanged);
// the raw-prompt kinds render the chat with the template their client used (chatTemplate.ts).
// Pure: no HTTP, no Node; the webview bundles it.

import { renderChat, withoutLeadingBos, type ChatTemplate } from './chatTemplate';
import type { ChatMessage, GenerateRequest, ServerKind } from './server';
import { knownTemplateFor } from './templates/known';
import { generateBody, SCORE_TOP_LOGPROBS, scoreBody, sentGenerateBody, STREAMED, type ChatBody } from './vllm/body';

/** How a server was sent its requests: what the panel needs, besides the step, to rebuild them. */
export interface RequestFormat {
  kind: ServerKind;
  /** Raw-prompt kinds: the template the chat was rendered with (undefined until it was found). */
  template?: ChatTemplate;
  /** Ollama: the options.num_ctx every request carries. */
  numCtx?: number;
}

/** One request as sent: its route and JSON body. */
export interface SentRequest {
  path: string;
  body: Record<string, unknown>;
}

/** The prompt a raw-prompt server continues: the chat rendered as vLLM's chat endpoint renders it, without a BOS the server adds again. */
export function rawPrompt(template: ChatTemplate, messages: readonly ChatMessage[], continueFinal: boolean): string {
  // Every raw-prompt server (llama-server's /completion, Ollama's raw generate, providers' /v1/completions) adds BOS itself.
  return withoutLeadingBos(renderChat(template, messages, continueFinal), template.bos_token);
}

/** SGLang: vLLM's chat body without add_generation_prompt, which SGLang does not have. */
export function sglangGenerateBody(model: string, request: GenerateRequest): ChatBody {
  const { add_generation_prompt: _absent, ...body } = generateBody(model, request);
  return body;
}

export function sglangScoreBody(model: string, messages: ChatMessage[]): ChatBody {
  const { add_generation_prompt: _absent, ...body } = scoreBody(model, messages);
  return body;
}

/** llama-server's native POST /completion (n_predict, cache_prompt). */
export function llamaGenerateBody(prompt: string, request: GenerateRequest) {
  return {
    prompt,
    n_predict: request.maxTokens,
    temperature: request.temperature,
    top_p: request.topP,
    ...(request.stop ? { stop: request.stop } : {}),
    cache_prompt: true,
  };
}

/** The one-token score on llama-server: n_probs alternatives of the first token, not streamed. */
export function llamaScoreBody(prompt: string) {
  return { prompt, n_predict: 1, temperature: 0, n_probs: SCORE_TOP_LOGPROBS, cache_prompt: true, stream: false };
}

/** Ollama's POST /api/generate with a raw prompt: sampling and num_ctx in options, think off. */
export function ollamaBody(
  model: string,
  prompt: string,
  numCtx: number,
  options: Record<string, unknown>,
  extra: Record<string, unknown> = {},
) {
  return { model, prompt, raw: true, think: false, ...extra, options: { num_ctx: numCtx, ...options } };
}

export function ollamaGenerateBody(model: string, prompt: string, numCtx: number, request: GenerateRequest) {
  const options = {
    num_predict: request.maxTokens,
    temperature: request.temperature,
    top_p: request.topP,
    ...(request.stop ? { stop: request.stop } : {}),
  };
  return (stream: boolean) => ollamaBody(model, prompt, numCtx, options, { stream });
}

export function ollamaScoreBody(model: string, prompt: string, numCtx: number) {
  return ollamaBody(
    model,
    prompt,
    numCtx,
    { num_predict: 1, temperature: 0 },
    { stream: false, logprobs: true, top_logprobs: SCORE_TOP_LOGPROBS },
  );
}

/** A provider's POST /v1/completions. */
export function completionsBody(model: string, prompt: string, request: GenerateRequest) {
  return {
    model,
    prompt,
    max_tokens: request.maxTokens,
    temperature: request.temperature,
    top_p: request.topP,
    ...(request.stop ? { stop: request.stop } : {}),
  };
}

export function completionsScoreBody(model: string, prompt: string) {
  return { model, prompt, max_tokens: 1, temperature: 0, logprobs: SCORE_TOP_LOGPROBS, stream: false };
}

/**
 * Several one-token score prompts in ONE request: a prompt list on /v1/completions (vLLM, SGLang), each
 * prompt the judge chat rendered as the chat route renders it; `logprobs` is the legacy count.
 */
export function promptListScoreBody(model: string, prompts: readonly string[]) {
  return { model, prompt: [...prompts], max_tokens: 1, temperature: 0, logprobs: SCORE_TOP_LOGPROBS, stream: false };
}

/** The template a server kind that renders on the client used (vLLM and SGLang: the model family's built-in one). */
export function listTemplate(format: RequestFormat | undefined, model: string): ChatTemplate | undefined {
  return format?.template ?? knownTemplateFor(model);
}

/** The prompt-list score request (lookahead, multi-draft) as it was sent: one request for all the chats. */
export function sentScoreList(
  format: RequestFormat | undefined,
  model: string,
  chats: readonly ChatMessage[][],
): SentRequest {
  const template = listTemplate(format, model);
  const prompts = chats.map((messages) =>
    template
      ? rawPrompt(template, messages, true)
      : '(the chat rendered with the model’s template, which this run did not record)',
  );
  return { path: '/v1/completions', body: promptListScoreBody(model, prompts) };
}

/** A template the panel does not have (a run recorded before formats were kept): the prompt says so. */
function promptOf(format: RequestFormat, messages: readonly ChatMessage[], continueFinal: boolean): string {
  return format.template
    ? rawPrompt(format.template, messages, continueFinal)
    : '(the chat rendered with the model’s template, which this run did not record)';
}

/** A generation as it was sent to a server of `format` (vLLM when unknown), streamed or not. */
export function sentGenerate(
  format: RequestFormat | undefined,
  model: string,
  request: GenerateRequest,
  stream: boolean,
): SentRequest {
  const kind = format?.kind ?? 'vllm';
  switch (kind) {
    case 'vllm':
      return { path: '/v1/chat/completions', body: sentGenerateBody(generateBody(model, request), stream) };
    case 'sglang':
      return { path: '/v1/chat/completions', body: sentGenerateBody(sglangGenerateBody(model, request), stream) };
    case 'llama-server': {
      const body = llamaGenerateBody(promptOf(format!, request.messages, request.continueFinal), request);
      return { path: '/completion', body: { ...body, stream } };
    }
    case 'ollama': {
      const prompt = promptOf(format!, request.messages, request.continueFinal);
      return { path: '/api/generate', body: ollamaGenerateBody(model, prompt, format!.numCtx ?? 0, request)(stream) };
    }
    case 'openai': {
      const body = completionsBody(model, promptOf(format!, request.messages, request.continueFinal), request);
      return { path: '/v1/completions', body: stream ? { ...body, ...STREAMED } : { ...body, stream: false } };
    }
  }
}

/** The one-token score request as it was sent to a server of `format` (vLLM when unknown). */
export function sentScore(format: RequestFormat | undefined, model: string, messages: ChatMessage[]): SentRequest {
  const kind = format?.kind ?? 'vllm';
  switch (kind) {
    case 'vllm':
      return { path: '/v1/chat/completions', body: { ...scoreBody(model, messages) } };
    case 'sglang':
      return { path: '/v1/chat/completions', body: { ...sglangScoreBody(model, messages) } };
    case 'llama-server':
      return { path: '/completion', body: llamaScoreBody(promptOf(format!, messages, true)) };
    case 'ollama':
      return {
        path: '/api/generate',
        body: ollamaScoreBody(model, promptOf(format!, messages, true), format!.numCtx ?? 0),
      };
    case 'openai':
      return { path: '/v1/completions', body: completionsScoreBody(model, promptOf(format!, messages, true)) };
  }
}
