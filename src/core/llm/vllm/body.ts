// The JSON bodies of vLLM chat requests, built in one place: the client sends them and the panel shows a
// step's requests with the same code (core/engine/stepRequests.ts), so what is shown is what was sent.

import type { ChatCompletionCreateParamsNonStreaming } from 'openai/resources/chat/completions';
import type { ChatMessage, GenerateRequest } from '../server';

/** vLLM's extra request fields, sent top-level beside the OpenAI ones. */
export interface VllmExtras {
  /** Always sent to vLLM (see generateBody); SGLang has no such field. */
  add_generation_prompt?: boolean;
  continue_final_message: boolean;
  top_k?: number;
}

export type ChatBody = ChatCompletionCreateParamsNonStreaming & VllmExtras;

/** How many alternatives the score request asks for. */
export const SCORE_TOP_LOGPROBS = 10;

export function generateBody(model: string, request: GenerateRequest): ChatBody {
  return {
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
}

/** What a streamed generation adds: the usage chunk at the end counts its tokens. */
export const STREAMED = { stream: true, stream_options: { include_usage: true } } as const;

/** The body of a generation as it goes out: streamed, or in one reply. */
export function sentGenerateBody(body: ChatBody, stream: boolean): Record<string, unknown> {
  return stream ? { ...body, ...STREAMED } : { ...body, stream: false };
}

/** The one-token score request (never streamed: it is a single token). */
export function scoreBody(model: string, messages: ChatMessage[]): ChatBody {
  return {
    model,
    messages,
    temperature: 0,
    max_tokens: 1,
    logprobs: true,
    top_logprobs: SCORE_TOP_LOGPROBS,
    add_generation_prompt: false,
    continue_final_message: true,
  };
}

/** First-token routing's probe: one greedy token of the step request, with its top alternatives. */
export function firstTokenRequest(request: GenerateRequest): GenerateRequest {
  const { stop: _stop, ...rest } = request;
  return { ...rest, maxTokens: 1, temperature: 0, topP: 1 };
}

/** The probe's body: a generation body of firstTokenRequest, asking for the logprobs. */
export function withTopLogprobs(body: ChatBody, topLogprobs: number): ChatBody {
  return { ...body, logprobs: true, top_logprobs: topLogprobs };
}
