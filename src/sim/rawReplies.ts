// How the raw-prompt dialects write a reply (src/sim/dialects.ts names the sources read): the same
// generated tokens framed as llama-server's /completion (SSE events, then one with stop: true and the
// counts; not streamed: one object with completion_probabilities) or Ollama's /api/generate (NDJSON
// lines, the last with done: true; not streamed: one object with logprobs) or a hosted provider's
// /v1/completions (OpenAI's legacy completions: SSE text chunks, a usage chunk, [DONE]). The latency, faults and
// client-gone checks are the simulator's (simulatedVllm.ts); only the shapes live here.

/** One generated token's logprobs, as the simulator computes them. */
export interface TokenLogprobs {
  token: string;
  logprob: number;
  bytes: number[];
  top_logprobs: Array<{ token: string; logprob: number; bytes: number[] } | null>;
}

/** What a finished generation reports, whatever the dialect. */
export interface RawReplyFacts {
  model: string;
  tokens: readonly string[];
  finishReason: 'stop' | 'length';
  stopReason: string | null;
  promptTokens: number;
  completionTokens: number;
  /** Prompt tokens found in the prefix cache. */
  cached: number;
  /** The usage object, for a dialect that sends one (undefined: none asked for, or a fault dropped it). */
  usage?: Record<string, unknown>;
}

/** A dialect's framing of one reply. */
export interface RawReplyFormat {
  /** Content type of a streamed reply. */
  streamType: string;
  /** The frame of the i-th generated token. */
  token(i: number, token: string): string;
  /** The frames that close a stream. */
  end(): string;
  /** The whole reply, not streamed (with the tokens' logprobs when asked for). */
  body(logprobs: TokenLogprobs[] | undefined): unknown;
}

/** The per-token logprob entries as llama-server and Ollama write them (with a token id). */
function withIds(logprobs: TokenLogprobs[]) {
  return logprobs.map((entry) => ({
    id: 0,
    ...entry,
    top_logprobs: entry.top_logprobs.map((t) => (t ? { id: 0, ...t } : t)),
  }));
}

/** llama-server's POST /completion (server-task.cpp: to_json_non_oaicompat_final / _partial). */
export function llamaServerFormat(reply: RawReplyFacts): RawReplyFormat {
  const stopType = reply.finishReason === 'length' ? 'limit' : reply.stopReason ? 'word' : 'eos';
  const done = (content: string) => ({
    index: 0,
    content,
    tokens: [],
    id_slot: 0,
    stop: true,
    model: reply.model,
    tokens_predicted: reply.completionTokens,
    tokens_evaluated: reply.promptTokens,
    prompt: '',
    has_new_line: content.includes('\n'),
    truncated: false,
    stop_type: stopType,
    stopping_word: reply.stopReason ?? '',
    tokens_cached: reply.cached,
    timings: {
      cache_n: reply.cached,
      prompt_n: reply.promptTokens - reply.cached,
      predicted_n: reply.completionTokens,
    },
  });
  const sse = (value: unknown) => `data: ${JSON.stringify(value)}\n\n`;
  return {
    streamType: 'text/event-stream',
    token: (i, token) =>
      sse({
        index: 0,
        content: token,
        tokens: [],
        stop: false,
        id_slot: -1,
        tokens_predicted: i + 1,
        tokens_evaluated: reply.promptTokens,
      }),
    end: () => sse(done('')),
    body: (logprobs) => ({
      ...done(reply.tokens.join('')),
      ...(logprobs ? { completion_probabilities: withIds(logprobs) } : {}),
    }),
  };
}

/** Ollama's POST /api/generate (api/types.go GenerateResponse). */
export function ollamaFormat(reply: RawReplyFacts): RawReplyFormat {
  const line = (value: unknown) => `${JSON.stringify(value)}\n`;
  const done = () => ({
    model: reply.model,
    created_at: new Date().toISOString(),
    response: '',
    done: true,
    done_reason: reply.finishReason,
    total_duration: 1,
    load_duration: 1,
    prompt_eval_count: reply.promptTokens,
    prompt_eval_duration: 1,
    eval_count: reply.completionTokens,
    eval_duration: 1,
  });
  return {
    streamType: 'application/x-ndjson',
    token: (_i, token) =>
      line({ model: reply.model, created_at: new Date().toISOString(), response: token, done: false }),
    end: () => line(done()),
    body: (logprobs) => ({
      ...done(),
      response: reply.tokens.join(''),
      ...(logprobs ? { logprobs: withIds(logprobs) } : {}),
    }),
  };
}

/** A hosted OpenAI-compatible provider's POST /v1/completions (OpenAI's legacy completions: SSE chunks of choices[].text, a usage chunk, [DONE]; logprobs as {tokens, token_logprobs, top_logprobs: [{token: logprob}], text_offset}). */
export function openaiCompletionsFormat(reply: RawReplyFacts): RawReplyFormat {
  const id = `cmpl-${Math.random().toString(16).slice(2)}`;
  const created = Math.floor(Date.now() / 1000);
  const chunk = (choices: unknown[], extra: Record<string, unknown> = {}) =>
    `data: ${JSON.stringify({ id, object: 'text_completion', created, model: reply.model, choices, ...extra })}\n\n`;
  const choice = (text: string, finish: string | null, logprobs: unknown = null) => ({
    index: 0,
    text,
    logprobs,
    finish_reason: finish,
  });
  return {
    streamType: 'text/event-stream; charset=utf-8',
    token: (_i, token) => chunk([choice(token, null)]),
    end: () =>
      chunk([choice('', reply.finishReason)]) +
      (reply.usage ? chunk([], { usage: reply.usage }) : '') +
      'data: [DONE]\n\n',
    body: (logprobs) => ({
      id,
      object: 'text_completion',
      created,
      model: reply.model,
      choices: [choice(reply.tokens.join(''), reply.finishReason, logprobs ? legacyLogprobs(logprobs) : null)],
      ...(reply.usage ? { usage: reply.usage } : {}),
    }),
  };
}

/** OpenAI's legacy completions logprobs: parallel lists, the alternatives as one object per token. */
export function legacyLogprobs(logprobs: TokenLogprobs[]) {
  let offset = 0;
  return {
    tokens: logprobs.map((l) => l.token),
    token_logprobs: logprobs.map((l) => l.logprob),
    top_logprobs: logprobs.map((l) =>
      Object.fromEntries(l.top_logprobs.flatMap((t) => (t ? [[t.token, t.logprob] as const] : []))),
    ),
    text_offset: logprobs.map((l) => {
      const at = offset;
      offset += l.token.length;
      return at;
    }),
  };
}
