// Reply validation at the boundary: what an OpenAI-compatible server sent, checked before the engine
// counts or shows any of it. Each reader returns typed data or throws MalformedReply saying what was
// wrong; the client turns that into a `malformed_reply` error that names the server.

import type { TokenLogprob } from '../engine/scoring';

export class MalformedReply extends Error {}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** How a value looks, for messages: `null`, `-5`, `"7"`, `an array`… (short). */
function shown(value: unknown): string {
  if (value === undefined) {
    return 'missing';
  }
  if (Array.isArray(value)) {
    return 'an array';
  }
  if (isObject(value)) {
    return 'an object';
  }
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 39)}…` : text;
}

function fail(what: string): never {
  throw new MalformedReply(what);
}

function optionalText(container: Json, key: string, path: string): string | undefined {
  const value = container[key];
  if (value === undefined || value === null) {
    return undefined;
  }
  return typeof value === 'string' ? value : fail(`${path}.${key} is ${shown(value)}, not text`);
}

/** The body of a non-streamed completion: a JSON object. */
export function completionBody(body: unknown): Json {
  if (body === undefined || body === '') {
    fail('the body is empty');
  }
  if (!isObject(body)) {
    fail(`the body is ${shown(body)}, not a JSON object`);
  }
  return body;
}

/** The first choice of a completion or of a stream chunk; undefined when `choices` is empty. */
export function firstChoice(body: Json, path = 'choices'): Json | undefined {
  const choices = body.choices;
  if (!Array.isArray(choices)) {
    fail(`${path} is ${shown(choices)}, not a list`);
  }
  if (choices.length === 0) {
    return undefined;
  }
  const choice: unknown = choices[0];
  return isObject(choice) ? choice : fail(`${path}[0] is ${shown(choice)}, not an object`);
}

/**
 * The text of a message or a delta: reasoning (vLLM's `reasoning_content` or `reasoning`, when a
 * reasoning parser is on) then content.
 */
export function messageText(message: unknown, path: string): { reasoning?: string; content?: string } {
  if (message === undefined || message === null) {
    return {};
  }
  if (!isObject(message)) {
    fail(`${path} is ${shown(message)}, not an object`);
  }
  return {
    reasoning: optionalText(message, 'reasoning_content', path) ?? optionalText(message, 'reasoning', path),
    content: optionalText(message, 'content', path),
  };
}

export function finishReason(choice: Json, path: string): string | null {
  const value = choice.finish_reason;
  if (value === undefined || value === null) {
    return null;
  }
  return typeof value === 'string' ? value : fail(`${path}.finish_reason is ${shown(value)}, not text`);
}

const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;

/**
 * The completion tokens of a generation's usage: a non-negative integer, not above max_tokens, and
 * not 0 for a reply with text (vLLM counts every generated token, the stop string's included).
 */
export function completionTokens(usage: unknown, textLength: number, maxTokens: number): number {
  if (!isObject(usage)) {
    fail(`usage is ${shown(usage)}`);
  }
  for (const key of ['completion_tokens', 'prompt_tokens']) {
    if ((key === 'completion_tokens' || usage[key] !== undefined) && !isCount(usage[key])) {
      fail(`usage.${key} is ${shown(usage[key])}, not a non-negative integer`);
    }
  }
  const tokens = usage.completion_tokens as number;
  if (tokens === 0 && textLength > 0) {
    fail(`usage.completion_tokens is 0 for ${textLength} characters of text`);
  }
  if (tokens > maxTokens) {
    fail(`usage.completion_tokens is ${tokens}, more than the max_tokens of ${maxTokens} it was asked for`);
  }
  return tokens;
}

/** usage.prompt_tokens when it is a count (completionTokens has checked the usage object already). */
export function promptTokens(usage: unknown): number | undefined {
  return isObject(usage) && isCount(usage.prompt_tokens) ? usage.prompt_tokens : undefined;
}

/** The first sampled token of a score reply with its top logprobs; undefined when the reply has no logprobs. */
export function scoreLogprobs(choice: Json): { token: string; top: TokenLogprob[] } | undefined {
  const logprobs = choice.logprobs;
  if (logprobs === undefined || logprobs === null) {
    return undefined;
  }
  return tokenLogprobs(isObject(logprobs) ? logprobs.content : undefined, 'choices[0].logprobs.content');
}

/**
 * The first entry of a list of generated tokens, each `{token, logprob, top_logprobs: [{token, logprob}]}`
 * (OpenAI chat's logprobs.content, llama-server's completion_probabilities, Ollama's logprobs);
 * undefined when there is none or it has no top logprobs.
 */
export function tokenLogprobs(content: unknown, path: string): { token: string; top: TokenLogprob[] } | undefined {
  if (!Array.isArray(content) || content.length === 0) {
    return undefined;
  }
  const first: unknown = content[0];
  if (!isObject(first) || typeof first.token !== 'string') {
    fail(`${path}[0] is ${shown(first)}, not an object with a token`);
  }
  if (!Array.isArray(first.top_logprobs)) {
    return undefined;
  }
  const top = first.top_logprobs.map((entry: unknown, i): TokenLogprob => {
    if (!isObject(entry) || typeof entry.token !== 'string') {
      fail(`${path}[0].top_logprobs[${i}] is ${shown(entry)}, not an object with a token`);
    }
    if (typeof entry.logprob !== 'number' || Number.isNaN(entry.logprob)) {
      fail(`${path}[0].top_logprobs[${i}].logprob is ${shown(entry.logprob)}, not a number`);
    }
    return { token: entry.token, logprob: entry.logprob };
  });
  return { token: first.token, top };
}

/**
 * The first token of a legacy completions reply (`logprobs: {tokens: [t], top_logprobs: [{token:
 * logprob}]}`, OpenAI's /v1/completions shape), as token and top logprobs.
 */
export function legacyLogprobs(logprobs: unknown, path: string): { token: string; top: TokenLogprob[] } | undefined {
  if (!isObject(logprobs)) {
    return undefined;
  }
  const tokens = logprobs.tokens;
  const tops = logprobs.top_logprobs;
  if (!Array.isArray(tokens) || tokens.length === 0 || !Array.isArray(tops) || tops.length === 0) {
    return undefined;
  }
  const token: unknown = tokens[0];
  if (typeof token !== 'string') {
    fail(`${path}.tokens[0] is ${shown(token)}, not text`);
  }
  const first: unknown = tops[0];
  if (!isObject(first)) {
    fail(`${path}.top_logprobs[0] is ${shown(first)}, not an object`);
  }
  const top = Object.entries(first).map(([t, lp]): TokenLogprob => {
    if (typeof lp !== 'number' || Number.isNaN(lp)) {
      fail(`${path}.top_logprobs[0][${JSON.stringify(t)}] is ${shown(lp)}, not a number`);
    }
    return { token: t, logprob: lp };
  });
  // Most likely first, as the other shapes list them: JavaScript puts an object's integer-like keys ("0"…"9",
  // the judge's digits) in numeric order whatever order the server wrote them in.
  top.sort((a, b) => b.logprob - a.logprob);
  return { token, top };
}

/** GET /v1/models: the ids, with vLLM's max_model_len when given. */
export function modelList(page: unknown): Array<{ id: string; maxModelLen?: number; ownedBy?: string }> {
  const data = isObject(page) ? page.data : undefined;
  if (!Array.isArray(data)) {
    fail(`the model list's data is ${shown(data)}, not a list`);
  }
  return data.map((m: unknown, i) => {
    if (!isObject(m) || typeof m.id !== 'string') {
      fail(`data[${i}] is ${shown(m)}, not a model with an id`);
    }
    return {
      id: m.id,
      maxModelLen: isCount(m.max_model_len) ? m.max_model_len : undefined,
      ownedBy: typeof m.owned_by === 'string' ? m.owned_by : undefined,
    };
  });
}
