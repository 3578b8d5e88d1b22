// The conformance probe (Check Servers, `specreason check --deep`): a tiny real exchange with each role's
// server, so a first user of an engine sees what works, what differs, and the fix. Per role:
// - continuation: a prefilled assistant message ending mid-sequence, continued for a few tokens. The product
//   continues its own reasoning this way every step; a server that answers it as a new turn (the prefix closed,
//   a fresh assistant message opened) breaks SpecReason without an error.
// - score: the one-token judge request the engine sends, with top-10 logprobs: does it parse, how many
//   alternatives come back, do the digits appear.
// - context: the model's context length against the token budget (plus a step and the prompt).
// - prefix caching: from the server's metrics, where the engine has them.
// Each check passes or fails with the fix, worded for the engine; the report is plain text to paste in an issue.

import type { ModelRole, SpecReasonConfig } from '../config';
import { toErrorInfo } from '../errors';
import { scoreMessages } from '../engine/messages';
import { renderChat } from './chatTemplate';
import type { ChatMessage, ModelServer } from './server';
import { knownTemplateFor } from './templates/known';

export type CheckStatus = 'pass' | 'fail' | 'warn' | 'skip';

export interface ConformanceCheck {
  id: 'continuation' | 'score' | 'context' | 'prefix-caching';
  status: CheckStatus;
  /** What was seen, in a sentence. */
  detail: string;
  /** What to do, when it did not pass. */
  fix?: string;
}

export interface RoleConformance {
  role: ModelRole;
  url: string;
  kind: string;
  model?: string;
  maxModelLen?: number;
  checks: ConformanceCheck[];
}

/** The continuation probe's prefill: a reply that continues it starts with "four". */
export const PROBE_PREFILL = '<think>\nCounting in words: one, two, three,';
export const PROBE_USER = 'Count from one to ten in words.';
/** How the reasoning prefill (and the paper's models' generation prompts) open. */
const THINK_OPENING = '<think>\n';

/** How a reply to the continuation probe reads: continued, a new turn, or neither. */
export function continuationVerdict(reply: string): 'continued' | 'new-turn' | 'unclear' {
  const text = reply.trimStart();
  if (/^four\b/i.test(text)) {
    return 'continued';
  }
  if (
    /^<think>/.test(text) ||
    /<\|im_start\|>|<｜Assistant｜>|<\|assistant\|>|<start_of_turn>/.test(text) ||
    /one,? two,? three/i.test(text) ||
    /^(okay|ok|alright|sure|counting|one)\b/i.test(text)
  ) {
    return 'new-turn';
  }
  return 'unclear';
}

/** Engine-specific words for the fixes (kind names as the server kinds spell them). */
function fixFor(kind: string, what: 'continuation' | 'logprobs' | 'top-logprobs' | 'context' | 'prefix'): string {
  const k = kind.toLowerCase();
  switch (what) {
    case 'continuation':
      return k === 'ollama'
        ? 'Ollama must be reached through its native API (/api/generate with raw: true), not /v1: set the server kind to ollama.'
        : k === 'vllm' || k === 'sglang'
          ? `${k === 'vllm' ? 'vLLM' : 'SGLang'} must honour continue_final_message: use a version that supports it, and check that the model's chat template does not close the final assistant message.`
          : "the server re-renders the conversation: use a server kind whose client renders the model's template itself (llama-server, ollama) or a server that honours continue_final_message.";
    case 'logprobs':
      return k === 'ollama'
        ? 'Ollama before 0.12.11 returns no logprobs: upgrade Ollama to 0.12.11 or later.'
        : k === 'llama-server'
          ? 'llama-server returns probabilities with n_probs: upgrade llama.cpp to a build whose server returns logprobs.'
          : k === 'openai'
            ? 'this provider does not return logprobs for the model: pick a provider (or model) that returns top-k logprobs on /v1/completions.'
            : 'the server returned no logprobs: check that it allows them (vLLM: --max-logprobs 20).';
    case 'top-logprobs':
      return k === 'vllm'
        ? 'restart vLLM with --max-logprobs 20 (the judge needs the top 10).'
        : k === 'sglang'
          ? 'SGLang caps top_logprobs_num by its settings: allow at least 10.'
          : 'the judge needs at least the top 10 logprobs: this server (or provider) caps them lower; use one that returns 10 or more.';
    case 'context':
      return k === 'ollama'
        ? 'Ollama: the model (or OLLAMA_CONTEXT_LENGTH) allows less: pick a model with a longer context, set num_ctx in a Modelfile, or lower the token budget.'
        : k === 'llama-server'
          ? 'llama-server: restart it with a larger -c (context size per slot = -c / --parallel), or lower the token budget.'
          : k === 'sglang'
            ? 'SGLang: restart with a larger --context-length, or lower the token budget.'
            : 'vLLM: restart with a larger --max-model-len, or lower the token budget.';
    case 'prefix':
      return k === 'vllm'
        ? 'start vLLM with --enable-prefix-caching (every step resends the whole reasoning; without the cache each one is prefilled again).'
        : k === 'sglang'
          ? 'SGLang: remove --disable-radix-cache (RadixAttention is its prefix cache).'
          : k === 'llama-server'
            ? 'llama-server: keep --cache-prompt on (the default) and give each role its own slot.'
            : 'turn the server’s prefix (prompt) cache on.';
  }
}

/** Tokens the run needs in context: the budget, a step, and room for the prompt. */
export function contextNeeded(config: Pick<SpecReasonConfig, 'tokenBudget' | 'stepMaxTokens'>): number {
  return config.tokenBudget + config.stepMaxTokens + 512;
}

/** Probe one role's server. Never throws: every failure is a check's verdict. */
export async function probeConformance(
  server: ModelServer,
  config: SpecReasonConfig,
  signal: AbortSignal,
): Promise<RoleConformance> {
  const result: RoleConformance = { role: server.role, url: server.url, kind: server.kind, checks: [] };
  const check = (c: ConformanceCheck) => result.checks.push(c);
  try {
    const model = await server.model(signal);
    result.model = model.id;
    result.maxModelLen = model.maxModelLen;
  } catch (error) {
    const info = toErrorInfo(error);
    for (const id of ['continuation', 'score', 'context', 'prefix-caching'] as const) {
      check({ id, status: 'skip', detail: `not reached: ${info.message}`, fix: info.hint });
    }
    return result;
  }
  result.kind = server.kind; // an auto-detected kind is known once the server answered

  await checkContinuation(server, result, check, signal);
  if (server.kind === 'sglang') {
    await checkDoubledOpening(server, result, signal);
  }
  await checkScore(server, result, check, signal);
  checkContext(config, result, check);
  await checkPrefixCaching(server, result, check, signal);
  return result;
}

type AddCheck = (c: ConformanceCheck) => void;

/** Does a prefilled assistant message get continued, or answered as a new turn? */
async function checkContinuation(
  server: ModelServer,
  result: RoleConformance,
  check: AddCheck,
  signal: AbortSignal,
): Promise<void> {
  try {
    const reply = await server.generate(
      {
        messages: [
          { role: 'user', content: PROBE_USER },
          { role: 'assistant', content: PROBE_PREFILL },
        ],
        continueFinal: true,
        maxTokens: 8,
        temperature: 0,
        topP: 1,
      },
      signal,
    );
    const verdict = continuationVerdict(reply.text);
    const shown = JSON.stringify(reply.text.slice(0, 60));
    check(
      verdict === 'continued'
        ? { id: 'continuation', status: 'pass', detail: `continues the prefilled reasoning (${shown})` }
        : verdict === 'new-turn'
          ? {
              id: 'continuation',
              status: 'fail',
              detail: `answers a prefilled assistant message as a new turn (${shown})`,
              fix: fixFor(result.kind, 'continuation'),
            }
          : {
              id: 'continuation',
              status: 'warn',
              detail: `the reply neither clearly continues nor restarts (${shown}); see whether it continues "${PROBE_PREFILL.slice(-20)}"`,
            },
    );
  } catch (error) {
    const info = toErrorInfo(error);
    check({
      id: 'continuation',
      status: 'fail',
      detail: info.message,
      fix: info.hint ?? fixFor(result.kind, 'continuation'),
    });
  }
}

/**
 * SGLang's continue_final_message (serving_chat.py) pops the final assistant message and appends its text
 * after the generation prompt, where vLLM and transformers continue the message in place. With a template
 * whose generation prompt opens `<think>` (QwQ, DeepSeek-R1-Distill) the model then reads the reasoning
 * prefill's `<think>` twice. Told apart by the prompt tokens the server counts: a fresh turn against the
 * same chat continued from the prefill "<think>\n" (in place the two are the same prompt).
 */
async function checkDoubledOpening(server: ModelServer, result: RoleConformance, signal: AbortSignal): Promise<void> {
  const ask = (messages: ChatMessage[], continueFinal: boolean) =>
    server.generate({ messages, continueFinal, maxTokens: 1, temperature: 0, topP: 1 }, signal);
  const user: ChatMessage = { role: 'user', content: PROBE_USER };
  let fresh: number | undefined;
  let continued: number | undefined;
  try {
    fresh = (await ask([user], false)).promptTokens;
    continued = (await ask([user, { role: 'assistant', content: THINK_OPENING }], true)).promptTokens;
  } catch {
    return; // the continuation check has said what fails
  }
  const continuation = result.checks.find((c) => c.id === 'continuation');
  if (fresh === undefined || continued === undefined || continued <= fresh || continuation?.status !== 'pass') {
    return;
  }
  const template = result.model === undefined ? undefined : knownTemplateFor(result.model);
  const opensThink = template === undefined ? undefined : renderChat(template, [user], false).endsWith(THINK_OPENING);
  if (opensThink === false) {
    return; // the generation prompt has no <think>: appending the prefill after it is what vLLM renders too
  }
  continuation.status = 'warn';
  continuation.detail += `; but the prefill is appended after the generation prompt (${continued} prompt tokens for the continued "<think>", ${fresh} for a fresh turn)${opensThink ? ': the model reads <think> twice' : ''}`;
  continuation.fix = `SGLang appends a continued assistant message after the chat template's generation prompt; ${opensThink ? `${result.model}'s` : 'when the model’s'} generation prompt opens <think>, so every step's prefill "<think>…" follows another <think>. Serve the model with a chat template whose generation prompt does not open <think> (--chat-template), or use a server kind that continues the message in place (vLLM, llama-server, Ollama).`;
}

/** The one-token score: enough top logprobs, with digits among them? */
async function checkScore(
  server: ModelServer,
  result: RoleConformance,
  check: AddCheck,
  signal: AbortSignal,
): Promise<void> {
  try {
    const score = await server.score(scoreMessages(PROBE_USER, ['One, two, three.']), signal);
    const tokens = score.topLogprobs.map((t) => t.token.trim());
    const digits = new Set(tokens.filter((t) => /^[0-9]$/.test(t)));
    if (score.topLogprobs.length < 10) {
      check({
        id: 'score',
        status: 'fail',
        detail: `${score.topLogprobs.length} top logprobs came back; the judge asks for 10`,
        fix: fixFor(result.kind, 'top-logprobs'),
      });
    } else if (!/^[0-9]$/.test(score.sampledToken.trim()) && digits.size === 0) {
      check({
        id: 'score',
        status: 'fail',
        detail: `no digit among the top logprobs (sampled ${JSON.stringify(score.sampledToken)}): the judge prompt is not answered with a score`,
        fix: 'check the chat template the server applies (the score prefill must continue the assistant message).',
      });
    } else {
      check({
        id: 'score',
        status: 'pass',
        detail: `sampled ${JSON.stringify(score.sampledToken)}; ${score.topLogprobs.length} top logprobs, digits ${[...digits].sort().join(' ') || 'none'}`,
      });
    }
  } catch (error) {
    const info = toErrorInfo(error);
    const tooFew = /max(imum)? allowed|greater than max|top_logprobs|logprobs.*(at most|<=|maximum)/i.test(
      info.message,
    );
    check({
      id: 'score',
      status: 'fail',
      detail: info.message,
      fix: fixFor(result.kind, tooFew ? 'top-logprobs' : 'logprobs'),
    });
  }
}

/** The context length against the budget, a step and the prompt. */
function checkContext(config: SpecReasonConfig, result: RoleConformance, check: AddCheck): void {
  const needed = contextNeeded(config);
  check(
    result.maxModelLen === undefined
      ? { id: 'context', status: 'warn', detail: 'the server does not say its context length' }
      : result.maxModelLen < needed
        ? {
            id: 'context',
            status: 'fail',
            detail: `context ${result.maxModelLen} < budget ${config.tokenBudget} + a step ${config.stepMaxTokens} + the prompt (${needed})`,
            fix: fixFor(result.kind, 'context'),
          }
        : { id: 'context', status: 'pass', detail: `context ${result.maxModelLen} ≥ ${needed} needed` },
  );
}

/** Prefix caching, where the metrics tell. */
async function checkPrefixCaching(
  server: ModelServer,
  result: RoleConformance,
  check: AddCheck,
  signal: AbortSignal,
): Promise<void> {
  const metrics = await server.metrics(signal);
  const features = metrics === undefined ? undefined : server.features(metrics);
  check(
    features?.prefixCaching === true
      ? {
          id: 'prefix-caching',
          status: 'pass',
          detail: `on${features.prefixCacheHitRate !== undefined ? ` (hit rate ${(features.prefixCacheHitRate * 100).toFixed(0)} %)` : ''}`,
        }
      : features?.prefixCaching === false
        ? {
            id: 'prefix-caching',
            status: 'fail',
            detail: 'off (the metrics say so)',
            fix: fixFor(result.kind, 'prefix'),
          }
        : {
            id: 'prefix-caching',
            status: 'skip',
            detail: metrics === undefined ? 'the server has no metrics to tell' : 'the metrics do not say',
          },
  );
}

const MARK: Record<CheckStatus, string> = { pass: 'PASS', fail: 'FAIL', warn: 'WARN', skip: 'SKIP' };

/** The report to paste in a bug report: versions, each role's server and each check with its fix. */
export function conformanceReport(roles: readonly RoleConformance[], about: { product: string; node: string }): string {
  const lines = [`SpecReason conformance probe — ${about.product}, Node ${about.node}`];
  for (const r of roles) {
    lines.push(
      '',
      `${r.role}: ${r.url} — ${r.kind}${r.model ? `, model ${r.model}` : ''}${r.maxModelLen ? `, context ${r.maxModelLen}` : ''}`,
    );
    for (const c of r.checks) {
      lines.push(`  ${MARK[c.status]}  ${c.id}: ${c.detail}`);
      if (c.fix && c.status !== 'pass') {
        lines.push(`        fix: ${c.fix}`);
      }
    }
  }
  return lines.join('\n');
}

export function conformanceFailed(roles: readonly RoleConformance[]): boolean {
  return roles.some((r) => r.checks.some((c) => c.status === 'fail'));
}
