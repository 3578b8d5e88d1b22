// Can this server score? The one-token judge needs the sampled token with its logprobs (greedy) and,
// for the average, the top 10 alternatives so every digit can be among them — the same probabilities
// give the same score on every engine only then. Asked once with a real score request at Check
// Servers time, so that an engine that cannot score is refused there, with what is missing and the
// fix, and not in the middle of a run.

import { SpecReasonError } from '../errors';
import type { ModelServer } from '../llm/server';
import { SCORE_TOP_LOGPROBS } from '../llm/vllm/body';
import type { ScoreMethod } from './scoring';
import { scoreMessages } from './messages';

/** Top logprobs each method needs: greedy reads the sampled token; average weighs the digits among the top 10. */
export const TOP_LOGPROBS_NEEDED: Readonly<Record<ScoreMethod, number>> = {
  greedy: 0,
  average: SCORE_TOP_LOGPROBS,
};

export interface ScoringProblem {
  /** What the server lacks, in one sentence. */
  missing: string;
  /** What to do about it. */
  fix: string;
}

const PROBE_PROBLEM = 'What is 1 + 1?';
const PROBE_STEP = 'We add: 1 + 1 = 2.';

/** How to get more top logprobs from each kind of server. */
function moreTopLogprobs(server: ModelServer): string {
  switch (server.kind) {
    case 'vllm':
      return 'start vLLM with --max-logprobs 20 (or more)';
    case 'ollama':
      return 'upgrade Ollama (it returns up to 20 top logprobs since 0.12.11)';
    case 'llama-server':
      return 'update llama.cpp (n_probs gives any number of alternatives)';
    default:
      return `use a server that returns ${SCORE_TOP_LOGPROBS} top logprobs (vLLM, SGLang, llama-server, Ollama ≥ 0.12.11)`;
  }
}

/**
 * What keeps `server` from scoring with `method`, from one real score request; undefined when it can,
 * or when the request failed for a reason the health check reports anyway (down, timeout, key).
 */
export async function scoringProblem(
  server: ModelServer,
  method: ScoreMethod,
  signal: AbortSignal = new AbortController().signal,
): Promise<ScoringProblem | undefined> {
  let top: number;
  try {
    const reply = await server.score(scoreMessages(PROBE_PROBLEM, [PROBE_STEP]), signal);
    top = reply.topLogprobs.length;
  } catch (error) {
    if (!(error instanceof SpecReasonError)) {
      throw error;
    }
    if (error.code === 'malformed_reply' && error.hint === server.hints.noLogprobs) {
      return { missing: `${server.hints.name} returned no logprobs for the score token`, fix: server.hints.noLogprobs };
    }
    if (['server_down', 'timeout', 'auth', 'cancelled', 'stream_dropped'].includes(error.code)) {
      return undefined;
    }
    return {
      missing: `the score request failed: ${error.message}`,
      fix: error.hint ?? `check that ${server.hints.name} serves the base model and allows logprobs`,
    };
  }
  const needed = TOP_LOGPROBS_NEEDED[method];
  if (top < needed) {
    return {
      missing: `${server.hints.name} returned ${top} top logprobs; the ${method} score weighs the digits among the top ${needed}`,
      fix: `${moreTopLogprobs(server)}, or set the score method to greedy`,
    };
  }
  return undefined;
}
