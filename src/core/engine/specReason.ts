// The SpecReason loop (reference spec_reason.py): each step comes from a step producer (the forced
// base steps, then SpecReason's drafted steps, or another policy's) and is kept, then checked against
// the run's stop rules. Also the base-only and small-only baselines it is compared with.

import type { SpecReasonConfig, RunMode } from '../config';
import { createClients } from '../llm/factory';
import { sessionRouting } from '../llm/routers';
import { inRunSession } from '../llm/runSession';
import { now, type GenerateRequest } from '../llm/server';
import type { Problem } from './prompts';
import { newRunId, type RunRecord, type StepRecord, type StopReason } from './runRecord';
import { ForcedBaseStep } from './forcedStep';
import { RunContext, type RunOptions as ContextOptions } from './runContext';
import type { ProducedStep, StepPolicy } from './step';
import { policyFor, policyParams, policyProblem } from './policies';
import { SpecReasonError } from '../errors';

export interface RunOptions extends ContextOptions {
  /** How the steps after the forced base steps are produced (default: the config's policy, policyFor). */
  stepPolicy?: StepPolicy;
}

/** Solve a problem with SpecReason. Resolves with the (possibly partial) run; never rejects. */
export async function runSpecReason(
  problem: Problem,
  config: SpecReasonConfig,
  options: RunOptions = {},
): Promise<RunRecord> {
  const ctx = new RunContext('specreason', problem, config, options.clients ?? createClients(config), options);
  const { base, small } = ctx.clients;
  ctx.start();
  const forced = new ForcedBaseStep(ctx);
  const policyName = policyParams(config).policy;
  ctx.summary.policy = policyName;
  const steps: string[] = [];
  try {
    // Discover both model ids at once instead of one after the other (the small server's kind too when the
    // policy needs something of it).
    const needsSmall = config.firstNBaseSteps === 0 || policyName !== 'specreason';
    await Promise.all([base.model(ctx.signal), needsSmall ? small.model(ctx.signal) : undefined]);
    if (!options.stepPolicy) {
      // Said before the first step: a policy these servers cannot serve.
      const problem = policyProblem(policyName, { base: base.kind, small: small.kind });
      if (problem) {
        throw new SpecReasonError('unsupported', problem, { hint: 'Choose another step policy or server.' });
      }
    }
    const policy = (options.stepPolicy ?? policyFor(config))(ctx);
    for (let stepId = 0; ; stepId++) {
      ctx.throwIfAborted();
      const startedAt = now();
      const producer = stepId < config.firstNBaseSteps ? forced : policy;
      const produced = await producer.next({ stepId, steps, startedAt });
      const stopReason = keep(ctx, steps, produced, startedAt);
      ctx.emit({ type: 'step-done', record: produced.record });
      if (stopReason) {
        return await ctx.finish(stopReason);
      }
    }
  } catch (error) {
    return ctx.fail(error);
  }
}

/** Keep a produced step and apply the stop rules; returns the stop reason when the run ends with it. */
function keep(ctx: RunContext, steps: string[], { record, finished }: ProducedStep, startedAt: number) {
  const { config } = ctx;
  steps.push(record.step_str);
  ctx.steps.push(record);
  record.timings.endedAt = now();
  record.timings.stepMs = record.timings.endedAt - startedAt;
  if (record.stop_reason) {
    return record.stop_reason; // a run guard the producer applied
  }
  if (steps.length > 2) {
    finished = finished || steps[steps.length - 1] === steps[steps.length - 2];
  }
  const used = ctx.steps.reduce((sum, r) => sum + r.final_num_output_tokens, 0);
  const overBudget = used >= config.tokenBudget;
  if (finished || overBudget) {
    record.stop_reason = overBudget ? 'budget' : 'finished';
  } else if (ctx.steps.length >= config.maxSteps) {
    // The step guard: also what ends a run whose server reports no tokens, so the budget never fills.
    record.stop_reason = 'max_steps';
  }
  return record.stop_reason;
}

/**
 * Base-only or small-only decoding for comparison: one streamed generation of the same prompt,
 * up to the same token budget. Produces one record holding the whole reasoning.
 */
export async function runBaseline(
  mode: 'base' | 'small',
  problem: Problem,
  config: SpecReasonConfig,
  options: RunOptions = {},
): Promise<RunRecord> {
  const ctx = new RunContext(mode, problem, config, options.clients ?? createClients(config), options);
  const client = ctx.clients[mode];
  ctx.start();
  let streamed = '';
  let chunks = 0;
  let request: GenerateRequest | undefined;
  const streamStartedAt = now();
  try {
    ctx.emit({ type: 'step-start', stepId: 0, origin: 'baseline' });
    request = ctx.request(
      [],
      baselineMaxTokens(config.tokenBudget, ctx.user, await client.model(ctx.signal)),
      undefined,
    );
    const reply = await client.generate(request, ctx.signal, (text) => {
      streamed += text;
      chunks++;
      ctx.emit({ type: 'delta', stepId: 0, model: mode, phase: 'baseline', text });
    });
    ctx.count(mode, reply);
    if (ctx.oversize(reply)) {
      return await ctx.endWith(ctx.oversizeStep(0, 'baseline', mode, reply, streamStartedAt, request));
    }
    const stopReason: StopReason = reply.finishReason === 'length' ? 'budget' : 'finished';
    return await ctx.endWith({
      step_id: 0,
      step_str: reply.text,
      small_model_step: mode === 'small' ? reply.text : null,
      num_output_tokens_small: mode === 'small' ? reply.completionTokens : null,
      score: null,
      base_model_step: mode === 'base' ? reply.text : null,
      num_output_tokens_base: mode === 'base' ? reply.completionTokens : null,
      final_num_output_tokens: reply.completionTokens,
      justification: null,
      stop_reason: stopReason,
      origin: 'baseline',
      timings: {
        [mode === 'base' ? 'baseMs' : 'draftMs']: reply.ms,
        stepMs: reply.ms,
        startedAt: reply.startedAt,
        endedAt: reply.endedAt,
      },
      request: ctx.stepRequest(request),
    });
  } catch (error) {
    if (streamed && ctx.steps.length === 0) {
      // vLLM streams about one token a chunk: an estimate of the tokens when no usage came.
      ctx.steps.push(partialBaselineStep(mode, streamed, chunks, streamStartedAt));
      ctx.summary[mode].tokens += chunks;
      ctx.steps[0]!.request = request && ctx.stepRequest(request);
    }
    return ctx.fail(error);
  }
}

/** What a cancelled or failed baseline streamed: kept, marked partial (the server reports tokens only at the end). */
function partialBaselineStep(mode: 'base' | 'small', text: string, chunks: number, startedAt: number): StepRecord {
  const endedAt = now();
  return {
    step_id: 0,
    step_str: text,
    small_model_step: mode === 'small' ? text : null,
    num_output_tokens_small: null,
    score: null,
    base_model_step: mode === 'base' ? text : null,
    num_output_tokens_base: null,
    final_num_output_tokens: chunks,
    justification: null,
    warning: `partial: the run ended before this text was complete; ${chunks} tokens estimated from the streamed chunks`,
    origin: 'baseline',
    timings: {
      [mode === 'base' ? 'baseMs' : 'draftMs']: endedAt - startedAt,
      stepMs: endedAt - startedAt,
      startedAt,
      endedAt,
    },
  };
}

/**
 * The budget as max_tokens, unless prompt + budget cannot fit the model's context: then what fits,
 * counting a token per prompt character (a safe over-estimate), so vLLM does not refuse the request.
 */
export function baselineMaxTokens(budget: number, prompt: string, model: { maxModelLen?: number }): number {
  const room = model.maxModelLen === undefined ? budget : model.maxModelLen - prompt.length - 64; // 64: chat-template tokens
  return Math.max(1, Math.min(budget, room));
}

/** Run in the given mode. */
export function run(
  mode: RunMode,
  problem: Problem,
  config: SpecReasonConfig,
  options: RunOptions = {},
): Promise<RunRecord> {
  // Every request of the run carries its id in the session header of the configured router.
  const runId = options.runId ?? newRunId();
  const own = { ...options, runId };
  return inRunSession(runId, sessionRouting(config.router, config.sessionHeader), () =>
    mode === 'specreason' ? runSpecReason(problem, config, own) : runBaseline(mode, problem, config, own),
  );
}
