// What each server kind can serve beyond SpecReason's own requests, for the step policies that need more
// (src/core/engine/policies/), so Check Servers and a run can tell before it starts. The first-token probe
// is the optional ModelServer.firstToken, prompt lists ModelServer.scoreMany, n > 1 ModelServer.generateMany (a
// unit test keeps the clients and this table in step).
// Prompt lists (lookahead; multi-draft's scores when the base serves them): vLLM's /v1/completions takes
// `prompt` as a list of strings and answers one choice per prompt (serving_completion.py); SGLang's does too
// (sgl-project/sglang python/sglang/srt/entrypoints/openai/serving_completions.py @ 004c82e: a list of strings
// goes to the engine as one batch, the reply has one choice per result with index = its place). llama-server
// answers a list with a JSON array of separate completions, not one OpenAI reply; Ollama's OpenAI route takes
// one string; hosted providers differ: none of those is counted on.
// n > 1 (multi-draft's drafts): vLLM's chat route; SGLang's too (protocol.py @ 004c82e: ChatCompletionRequest has
// `n`, passed to the engine's sampling params by to_sampling_params; the reply lists one choice per sample),
// which is why SglangClient keeps the generateMany it inherits from VllmClient.

import type { ServerKind } from './server';

export interface ServerCapabilities {
  /** The first token of a step with its top-20 alternatives' logprobs (`firstToken`). */
  firstTokenLogprobs: boolean;
  /** Several score prompts in one request: a prompt list on /v1/completions (`scoreMany`). */
  promptLists: boolean;
  /** Several generations of one prompt in one request: `n` > 1 (`generateMany`). */
  nChoices: boolean;
}

/** Why a kind lacks a capability, in words for the user. */
export const MISSING_CAPABILITY: Readonly<Record<keyof ServerCapabilities, string>> = {
  firstTokenLogprobs: "the top-20 logprobs of a step's first token",
  promptLists: 'a prompt list on /v1/completions (several drafts scored in one request)',
  nChoices: 'several drafts of one prompt in one request (n > 1)',
};

export const KIND_CAPABILITIES: Readonly<Record<ServerKind, ServerCapabilities>> = {
  vllm: { firstTokenLogprobs: true, promptLists: true, nChoices: true },
  sglang: { firstTokenLogprobs: true, promptLists: true, nChoices: true },
  'llama-server': { firstTokenLogprobs: false, promptLists: false, nChoices: false },
  ollama: { firstTokenLogprobs: false, promptLists: false, nChoices: false },
  openai: { firstTokenLogprobs: false, promptLists: false, nChoices: false },
};
