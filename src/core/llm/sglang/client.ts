// An SGLang server (sgl-project/sglang, read at python/sglang/srt/entrypoints/openai/protocol.py
// 004c82e and serving_chat.py): the same OpenAI chat API as vLLM with the same logprobs shape
// (choices[0].logprobs.content[].top_logprobs), and `continue_final_message` as a top-level field.
// Differences that matter here: there is no `add_generation_prompt` field (SGLang adds the generation
// prompt to a chat that ends with a user turn, and for a continued assistant turn pops it and appends
// its text after the generation prompt); the version is in GET /get_server_info; metrics are
// `sglang:*` and only with --enable-metrics; errors are the flat {"object": "error", "message": …}.

import { sglangGenerateBody, sglangScoreBody } from '../requestBodies';
import type { ChatBody } from '../vllm/body';
import { VllmClient } from '../vllm/client';
import type { ChatMessage, GenerateRequest, ServerFeatures, ServerHints, ServerKind } from '../server';
import { SGLANG_HINTS } from './hints';
import { sglangFeatures } from './metrics';

export class SglangClient extends VllmClient {
  override readonly kind: ServerKind = 'sglang';
  override readonly hints: ServerHints = SGLANG_HINTS;

  protected override _generateBody(model: string, request: GenerateRequest): ChatBody {
    return sglangGenerateBody(model, request);
  }

  protected override _scoreBody(model: string, messages: ChatMessage[]): ChatBody {
    return sglangScoreBody(model, messages);
  }

  /** SGLang's version: GET /get_server_info's `version`. */
  protected override async _version(signal?: AbortSignal): Promise<string | undefined> {
    const info = (await this._get(`${this.root}/get_server_info`, signal, async (r) =>
      r.ok ? await r.json() : undefined,
    )) as { version?: unknown } | undefined;
    return typeof info?.version === 'string' ? info.version : undefined;
  }

  override features(metrics: string): ServerFeatures {
    return sglangFeatures(metrics);
  }
}
