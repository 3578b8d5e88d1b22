// What each server kind can serve beyond SpecReason's own requests, for the step policies that need more
// (src/core/engine/policies/), so Check Servers and a run can tell before it starts. The first-token probe
// is the optional ModelServer.firstToken (a unit test keeps the clients and this table in step). Prompt
// lists and n > 1 are what vLLM serves (/v1/completions with a list of prompts; `n` on chat completions):
// multi-draft uses n > 1 (ModelServer.generateMany); lookahead, which would use prompt lists, is not built yet.

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
  sglang: { firstTokenLogprobs: true, promptLists: false, nChoices: false },
  'llama-server': { firstTokenLogprobs: false, promptLists: false, nChoices: false },
  ollama: { firstTokenLogprobs: false, promptLists: false, nChoices: false },
  openai: { firstTokenLogprobs: false, promptLists: false, nChoices: false },
};
