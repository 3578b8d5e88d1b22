// Rendering a chat into one prompt string on the client, for the engines that take a raw prompt
// (llama-server's /completion, Ollama's /api/generate with raw: true, /v1/completions of hosted
// providers). The model's own Jinja template is rendered with @huggingface/jinja (trim_blocks and
// lstrip_blocks on, as transformers renders it), and a continued final message is cut the way
// transformers' apply_chat_template(continue_final_message=True) cuts it (transformers
// utils/chat_template_utils.py, render_jinja_template, read at v4.5x): the final message gets a marker
// appended, the template is rendered without a generation prompt, and the prompt ends where the marker
// was. That is the prompt vLLM's and SGLang's chat endpoints build, so every engine sees the same text.

import { Template } from '@huggingface/jinja';
import type { ChatMessage } from './server';

/** The special tokens a template may print (`{{ bos_token }}`). */
export interface TemplateTokens {
  bos_token?: string;
  eos_token?: string;
}

/** A chat template with the tokens it prints. */
export interface ChatTemplate extends TemplateTokens {
  /** Jinja source. */
  source: string;
  /** Where it came from, for messages ("/props", "/api/show", "built-in QwQ"). */
  origin: string;
}

const MARKER = 'CONTINUE_FINAL_MESSAGE_TAG ';

const compiled = new Map<string, Template>();
function compile(source: string): Template {
  let template = compiled.get(source);
  if (!template) {
    template = new Template(source);
    compiled.set(source, template);
  }
  return template;
}

export class TemplateError extends Error {}

/**
 * The prompt for `messages`: with `continueFinal`, the final (assistant) message left open for the
 * model to continue; otherwise closed, with the template's generation prompt after it.
 */
export function renderChat(template: ChatTemplate, messages: readonly ChatMessage[], continueFinal: boolean): string {
  const last = messages[messages.length - 1];
  const input = messages.map((m) => ({ role: m.role, content: m.content }));
  if (continueFinal && last) {
    input[input.length - 1]!.content = last.content + MARKER;
  }
  let rendered: string;
  try {
    rendered = compile(template.source).render({
      messages: input,
      add_generation_prompt: !continueFinal,
      bos_token: template.bos_token ?? '',
      eos_token: template.eos_token ?? '',
    });
  } catch (error) {
    throw new TemplateError(
      `the chat template (${template.origin}) does not render: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!continueFinal || !last) {
    return rendered;
  }
  const at = rendered.lastIndexOf(MARKER.trim());
  if (at === -1 || !rendered.includes(last.content.trim())) {
    throw new TemplateError(
      `the chat template (${template.origin}) drops part of the final message, so it cannot be continued`,
    );
  }
  // A template that keeps spacing has the whole marker; one that trimmed the message lost its trailing space.
  return rendered.slice(at, at + MARKER.length) === MARKER ? rendered.slice(0, at) : rendered.slice(0, at).trimEnd();
}

/** Jinja (`{% … %}`, `{{ messages … }}`) rather than a Go template (`{{ .Prompt }}`, `{{ range … }}`), as Ollama keeps. */
export function isJinjaTemplate(source: string): boolean {
  return /\{%-?\s/.test(source) && !/\{\{-?\s*(\.|range\s|end\s*-?\}\})/.test(source);
}

/**
 * The prompt without the BOS token its template printed, for a server that adds BOS itself when it
 * tokenizes (llama-server, Ollama raw): otherwise the model sees two.
 */
export function withoutLeadingBos(prompt: string, bos: string | undefined): string {
  return bos && prompt.startsWith(bos) ? prompt.slice(bos.length) : prompt;
}
