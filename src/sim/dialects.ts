// What differs between the engines the simulator can answer as ("dialects"), each read from the
// engine's own source (see the comments of src/core/llm/<kind>/client.ts for versions):
// - sglang: vLLM's chat API with `continue_final_message` and no `add_generation_prompt` (a continued
//   assistant turn is popped and its text appended after the generation prompt), flat error bodies
//   {"object": "error", …}, GET /get_model_info and /get_server_info, `sglang:*` metrics.
// - llama-server: one model; GET /health {"status": "ok"}, GET /props (chat_template, bos_token,
//   default_generation_settings.n_ctx), native POST /completion with a raw prompt (SSE events
//   {content, stop}; completion_probabilities for n_probs), errors {"error": {code, message, type}}.
// - ollama: GET /api/version, /api/tags, POST /api/show, POST /api/generate (raw: true; NDJSON when
//   streamed; logprobs since 0.12.11), errors {"error": "…"}.
// - openai: a hosted OpenAI-compatible provider (OpenAI's API reference for the legacy completions; the
//   providers' docs): GET /v1/models and POST /v1/completions with a raw prompt and `logprobs: N` answered
//   with {tokens, token_logprobs, top_logprobs: [{token: logprob}]}; no /health, /version or /metrics;
//   errors {"error": {message, type, param, code}}. The client renders the chat with the model family's
//   built-in template, so the simulated model reads the real QwQ / DeepSeek-R1-Distill markers.
// The raw-prompt dialects read the prompt back into messages by the markers of the template they serve.
// Nothing here is shared with the client (src/core/llm), on purpose.

export const SIM_DIALECTS = ['vllm', 'sglang', 'llama-server', 'ollama', 'openai'] as const;
export type SimDialect = (typeof SIM_DIALECTS)[number];

/** The template a simulated model serves: ChatML as QwQ writes it, or DeepSeek-R1-Distill's markers. */
export type SimTemplateFamily = 'chatml' | 'deepseek';

const DS_BOS = '<｜begin▁of▁sentence｜>';
const DS_EOS = '<｜end▁of▁sentence｜>';
const DS_USER = '<｜User｜>';
const DS_ASSISTANT = '<｜Assistant｜>';

/** The simulated models' own Jinja templates (the same markers as the real models' templates, fewer features). */
export const SIM_TEMPLATES: Readonly<Record<SimTemplateFamily, { jinja: string; bos: string; eos: string }>> = {
  chatml: {
    jinja:
      "{%- for message in messages %}{{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>\\n' }}{%- endfor %}" +
      "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\\n<think>\\n' }}{%- endif %}",
    bos: '<|endoftext|>',
    eos: '<|im_end|>',
  },
  deepseek: {
    jinja:
      "{{ bos_token }}{%- for message in messages %}{%- if message.role == 'user' %}{{ '" +
      DS_USER +
      "' + message.content }}{%- else %}{{ '" +
      DS_ASSISTANT +
      "' + message.content + '" +
      DS_EOS +
      "' }}{%- endif %}{%- endfor %}{%- if add_generation_prompt %}{{ '" +
      DS_ASSISTANT +
      "<think>\\n' }}{%- endif %}",
    bos: DS_BOS,
    eos: DS_EOS,
  },
};

/** An Ollama-style Go template, for a model whose /api/show gives no Jinja (the client then uses its built-in one). */
export const SIM_GO_TEMPLATE =
  '{{- range $i, $_ := .Messages }}{{- if eq .Role "user" }}<｜User｜>{{ .Content }}{{- else if eq .Role "assistant" }}<｜Assistant｜>{{ .Content }}<｜end▁of▁sentence｜>{{- end }}{{- end }}<｜Assistant｜>';

export function templateFamilyFor(model: string): SimTemplateFamily {
  return /deepseek|distill|1\.5b/i.test(model) ? 'deepseek' : 'chatml';
}

/** A raw prompt read back into a chat. */
export interface ParsedPrompt {
  messages: Array<{ role: string; content: string }>;
  /** The final assistant message is left open (a continuation), not a fresh turn. */
  continueFinal: boolean;
  /** The prompt began with the BOS text although the server adds BOS itself: the model would see two. */
  doubleBos: boolean;
}

const GENERATION_OPENING = '<think>\n';

/** Read a rendered prompt back into messages; undefined when it is not in this template's format. */
export function parseRawPrompt(prompt: string, family: SimTemplateFamily): ParsedPrompt | undefined {
  const messages: Array<{ role: string; content: string; closed: boolean }> = [];
  let doubleBos = false;
  if (family === 'chatml') {
    if (!prompt.startsWith('<|im_start|>')) {
      return undefined;
    }
    for (const part of prompt.split('<|im_start|>').slice(1)) {
      const newline = part.indexOf('\n');
      if (newline === -1) {
        return undefined;
      }
      const role = part.slice(0, newline);
      const rest = part.slice(newline + 1);
      const closed = rest.endsWith('<|im_end|>\n');
      messages.push({ role, content: closed ? rest.slice(0, -'<|im_end|>\n'.length) : rest, closed });
    }
  } else {
    let text = prompt;
    if (text.startsWith(DS_BOS)) {
      doubleBos = true;
      text = text.slice(DS_BOS.length);
    }
    const pieces = text.split(new RegExp(`(${DS_USER}|${DS_ASSISTANT})`));
    if (pieces[0] !== '') {
      return undefined;
    }
    for (let i = 1; i < pieces.length; i += 2) {
      const role = pieces[i] === DS_USER ? 'user' : 'assistant';
      const raw = pieces[i + 1] ?? '';
      const closed = role === 'user' || raw.endsWith(DS_EOS);
      messages.push({ role, content: role === 'assistant' && closed ? raw.slice(0, -DS_EOS.length) : raw, closed });
    }
  }
  const last = messages[messages.length - 1];
  if (!last || last.closed) {
    return undefined; // every chat SpecReason sends ends with an open assistant turn
  }
  // The template's generation prompt is an open assistant turn holding only `<think>\n`: a fresh turn.
  const fresh = last.role === 'assistant' && last.content === GENERATION_OPENING && messages.length >= 2;
  const chat = (fresh ? messages.slice(0, -1) : messages).map(({ role, content }) => ({ role, content }));
  return { messages: chat, continueFinal: !fresh, doubleBos };
}

/** An error body as each engine writes it. */
export function dialectErrorBody(dialect: SimDialect, status: number, message: string, type: string): string {
  switch (dialect) {
    case 'sglang':
      return JSON.stringify({ object: 'error', message, type, param: null, code: status });
    case 'llama-server':
      return JSON.stringify({ error: { code: status, message, type: llamaErrorType(status) } });
    case 'ollama':
      return JSON.stringify({ error: message });
    case 'vllm':
    case 'openai':
      return JSON.stringify({ error: { message, type, param: null, code: status } });
  }
}

function llamaErrorType(status: number): string {
  return status === 401
    ? 'authentication_error'
    : status === 404
      ? 'not_found_error'
      : status === 503
        ? 'unavailable_error'
        : status >= 500
          ? 'server_error'
          : 'invalid_request_error';
}

/** Prometheus text in each engine's names. */
export function dialectMetrics(
  dialect: 'sglang' | 'llama-server',
  counters: { promptTokens: number; generationTokens: number; cacheQueries: number; cacheHits: number },
  running: number,
): string {
  if (dialect === 'sglang') {
    const label = '{model_name="simulated",engine_type="unified",tp_rank="0",pp_rank="0"}';
    const hitRate = counters.cacheQueries > 0 ? counters.cacheHits / counters.cacheQueries : 0;
    return (
      [
        '# TYPE sglang:num_running_reqs gauge',
        `sglang:num_running_reqs${label} ${running}.0`,
        '# TYPE sglang:cache_hit_rate gauge',
        `sglang:cache_hit_rate${label} ${hitRate}`,
        '# TYPE sglang:prompt_tokens_total counter',
        `sglang:prompt_tokens_total${label} ${counters.promptTokens}.0`,
        '# TYPE sglang:generation_tokens_total counter',
        `sglang:generation_tokens_total${label} ${counters.generationTokens}.0`,
      ].join('\n') + '\n'
    );
  }
  return (
    [
      '# TYPE llamacpp:prompt_tokens_total counter',
      `llamacpp:prompt_tokens_total ${counters.promptTokens}`,
      '# TYPE llamacpp:tokens_predicted_total counter',
      `llamacpp:tokens_predicted_total ${counters.generationTokens}`,
      '# TYPE llamacpp:requests_processing gauge',
      `llamacpp:requests_processing ${running}`,
    ].join('\n') + '\n'
  );
}

/** Whether an Ollama version (e.g. "0.12.11") returns logprobs. */
export function ollamaHasLogprobs(version: string): boolean {
  const [a = 0, b = 0, c = 0] = version.split(/[.-]/).map((n) => parseInt(n, 10) || 0);
  return a > 0 || b > 12 || (b === 12 && c >= 11);
}
