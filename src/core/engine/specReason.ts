// The SpecReason loop (reference spec_reason.py), with optional overlaps that change no decision:
// draft-ahead (draft step k+1 while step k is scored) and eager fallback (the base model writes
// step k while the small model drafts it).

import { setMaxListeners } from 'node:events';
import { linkedAbort } from '../abort';
import { extractBoxed, hasFinishMarker } from '../answer';
import { redactConfig, type ModelRole, type RunMode, type SpecReasonConfig } from '../config';
import { SpecReasonError, isAbortError, toErrorInfo, type ErrorInfo } from '../errors';
import { createClients, type ServerPair } from '../llm/factory';
import { now, type GenerateRequest, type GenerateResult, type ModelServer } from '../llm/server';
import { DEFAULT_TEMPLATES, userMessage, type Problem, type PromptTemplates } from '../prompts';
import {
  emptySummary,
  newRunId,
  reasoningText,
  type RunEvent,
  type RunEventListener,
  type RunRecord,
  type RunSummary,
  type StepRecord,
  type StepRequest,
  type StopReason,
} from '../runRecord';
import { scoreFromLogprobs } from '../scoring';
import { Lane } from './lane';
import { scoreMessages, STEP_SEPARATOR, stepMessages } from './messages';

export interface RunOptions {
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  templates?: PromptTemplates;
  runId?: string;
  /** Clients to use instead of new ones from the config (tests and the benchmark count their requests). */
  clients?: ServerPair;
}

const THINK_END = '</think>';

/** A draft for one step, and the base model's eager copy of the same step when that option is on. */
interface Attempt {
  draft: Lane;
  eager?: Lane;
}

/** State shared by the SpecReason loop and the baselines: events, totals, the record being built. */
class RunContext {
  readonly runId: string;
  readonly startedAt = now();
  readonly signal: AbortSignal;
  readonly steps: StepRecord[] = [];
  readonly summary: RunSummary;
  readonly user: string;
  private readonly _emit: RunEventListener;
  private readonly _lanes = new Set<Lane>();
  private readonly _waste: Promise<void>[] = [];
  private _firstTextAt?: number;
  private readonly _unlink: () => void;
  private readonly _abort: AbortController;
  private readonly _wallTimer?: ReturnType<typeof setTimeout>;
  /** The run guard that stopped the run, if one did. */
  private _guard?: StopReason;

  constructor(
    readonly mode: RunMode,
    readonly problem: Problem,
    readonly config: SpecReasonConfig,
    readonly clients: ServerPair,
    options: RunOptions,
  ) {
    this.runId = options.runId ?? newRunId();
    // Our own signal, linked to the caller's: speculative lanes and SDK requests each listen to it.
    const link = linkedAbort(options.signal);
    setMaxListeners(64, link.signal);
    this._unlink = link.unlink;
    this.signal = link.signal;
    this._abort = link.controller;
    if (config.maxWallTimeSec > 0) {
      this._wallTimer = setTimeout(() => this.stopByGuard('max_wall_time'), config.maxWallTimeSec * 1000);
    }
    this.user = userMessage(problem, options.templates ?? DEFAULT_TEMPLATES);
    this._emit = options.onEvent ?? (() => undefined);
    this.summary = emptySummary(mode);
  }

  emit(event: RunEvent): void {
    if (event.type === 'delta') {
      this._firstTextAt ??= now();
    }
    try {
      this._emit(event);
    } catch {
      /* a listener's failure must not break the run */
    }
  }

  throwIfAborted(): void {
    if (this.signal.aborted) {
      throw new SpecReasonError('cancelled', 'Run cancelled');
    }
  }

  request(steps: readonly string[], maxTokens: number, stop: string[] | undefined): GenerateRequest {
    return {
      ...stepMessages(this.user, steps),
      maxTokens,
      temperature: this.config.temperature,
      topP: this.config.topP,
      stop,
    };
  }

  /** A step's request parameters and the models it went to, for its record. */
  stepRequest(request: GenerateRequest): StepRequest {
    const models: StepRequest['models'] = {};
    for (const role of ['small', 'base'] as const) {
      const id = this.clients[role].knownModel?.id;
      if (id) {
        models[role] = id;
      }
    }
    return {
      models,
      maxTokens: request.maxTokens,
      temperature: request.temperature,
      topP: request.topP,
      ...(request.stop ? { stop: [...request.stop] } : {}),
      stream: this.config.stream,
    };
  }

  startLane(client: ModelServer, steps: readonly string[]): Lane {
    const lane = new Lane(
      client,
      [...steps],
      this.request(steps, this.config.stepMaxTokens, [STEP_SEPARATOR]),
      this.signal,
    );
    this._lanes.add(lane);
    return lane;
  }

  /** Throw a lane's work away, counting what it generated as waste of its model. */
  discard(lane: Lane | undefined): void {
    if (!lane || !this._lanes.delete(lane)) {
      return;
    }
    const totals = lane.client.role === 'base' ? this.summary.base : this.summary.small;
    this._waste.push(
      lane.discard().then((tokens) => {
        totals.wastedTokens += tokens;
      }),
    );
  }

  /** A lane's reply is part of the trace now: count it and stop tracking it. */
  account(lane: Lane, result: GenerateResult): void {
    this._lanes.delete(lane);
    this.count(lane.client.role, result);
  }

  count(role: 'base' | 'small', result: { completionTokens?: number; ms: number }): void {
    const totals = role === 'base' ? this.summary.base : this.summary.small;
    totals.tokens += result.completionTokens ?? 0;
    totals.ms += result.ms;
  }

  /** A run guard fired: stop everything in flight; the run ends with the guard's stop reason. */
  stopByGuard(reason: StopReason): void {
    this._guard ??= reason;
    this._abort.abort();
  }

  /** The step-size guard: a reply longer than maxStepChars. */
  oversize(result: GenerateResult): boolean {
    return result.text.length > this.config.maxStepChars;
  }

  /** Keep an oversize step, cut to the limit, and end the run with stop reason max_step_chars. */
  async stopOversize(
    stepId: number,
    origin: StepRecord['origin'],
    role: ModelRole,
    result: GenerateResult,
    startedAt: number,
    request: GenerateRequest,
  ): Promise<RunRecord> {
    const text = result.text.slice(0, this.config.maxStepChars);
    const record: StepRecord = {
      step_id: stepId,
      step_str: text,
      small_model_step: role === 'small' ? text : null,
      num_output_tokens_small: role === 'small' ? result.completionTokens : null,
      score: null,
      base_model_step: role === 'base' ? text : null,
      num_output_tokens_base: role === 'base' ? result.completionTokens : null,
      final_num_output_tokens: result.completionTokens,
      justification: null,
      stop_reason: 'max_step_chars',
      warning: `step text cut at ${this.config.maxStepChars} characters (the server sent ${result.text.length})`,
      origin,
      timings: {
        [role === 'base' ? 'baseMs' : 'draftMs']: result.ms,
        stepMs: now() - startedAt,
        startedAt,
        endedAt: now(),
      },
      request: this.stepRequest(request),
    };
    this.steps.push(record);
    this.emit({ type: 'step-done', record });
    return this.finish('max_step_chars');
  }

  /** End the run: abort whatever is still in flight and build the record. Never throws. */
  async finish(stopReason: StopReason, error?: ErrorInfo): Promise<RunRecord> {
    clearTimeout(this._wallTimer);
    for (const lane of [...this._lanes]) {
      this.discard(lane);
    }
    await Promise.all(this._waste);
    this._unlink();
    const s = this.summary;
    s.stopReason = stopReason;
    if (error) {
      s.error = error;
    }
    s.wallMs = now() - this.startedAt;
    s.ttftMs = this._firstTextAt !== undefined ? this._firstTextAt - this.startedAt : undefined;
    s.steps = this.steps.length;
    s.keptTokens = this.steps.reduce((sum, r) => sum + r.final_num_output_tokens, 0);
    const scored = s.accepted + s.rejected;
    s.acceptanceRate = scored > 0 ? s.accepted / scored : undefined;
    s.answer = extractBoxed(reasoningText(this.steps));
    for (const [role, client] of [
      ['base', this.clients.base],
      ['small', this.clients.small],
    ] as const) {
      s[role].requests = client.requests;
      s[role].modelListRequests = client.modelListRequests;
    }
    const serialMs = this.steps.reduce(
      (sum, r) => sum + (r.timings.draftMs ?? 0) + (r.timings.scoreMs ?? 0) + (r.timings.baseMs ?? 0),
      0,
    );
    s.overlapSavedMs = Math.max(0, serialMs - s.wallMs);
    const models: RunRecord['models'] = {};
    for (const role of ['base', 'small'] as const) {
      const id = this.clients[role].knownModel?.id;
      if (id) {
        models[role] = id;
      }
    }
    const record: RunRecord = {
      formatVersion: 1,
      runId: this.runId,
      mode: this.mode,
      startedAt: new Date(this.startedAt).toISOString(),
      config: redactConfig(this.config),
      problem: this.problem,
      prompt: this.user,
      models,
      steps: this.steps,
      summary: s,
    };
    if (error) {
      this.emit({ type: 'error', error });
    }
    this.emit({ type: 'run-done', record });
    return record;
  }

  /** Map a failure to how the run ends: the trace so far is always kept. */
  async fail(error: unknown): Promise<RunRecord> {
    if (this._guard) {
      return this.finish(this._guard);
    }
    if (isAbortError(error) || this.signal.aborted) {
      return this.finish('cancelled');
    }
    const info = toErrorInfo(error);
    return this.finish(info.code === 'context_length' ? 'context_length' : 'error', info);
  }
}

/** Solve a problem with SpecReason. Resolves with the (possibly partial) run; never rejects. */
export async function runSpecReason(
  problem: Problem,
  config: SpecReasonConfig,
  options: RunOptions = {},
): Promise<RunRecord> {
  const ctx = new RunContext('specreason', problem, config, options.clients ?? createClients(config), options);
  const { base, small } = ctx.clients;
  ctx.emit({
    type: 'run-start',
    runId: ctx.runId,
    mode: 'specreason',
    problem,
    config: redactConfig(config),
    startedAt: ctx.startedAt,
    prompt: ctx.user,
  });
  const steps: string[] = [];
  let ahead: Attempt | undefined;

  const startAttempt = (context: readonly string[]): Attempt => ({
    draft: ctx.startLane(small, context),
    eager: config.eagerFallback ? ctx.startLane(base, context) : undefined,
  });

  try {
    // Discover both model ids at once instead of one after the other.
    await Promise.all([base.model(ctx.signal), config.firstNBaseSteps > 0 ? undefined : small.model(ctx.signal)]);
    for (let stepId = 0; ; stepId++) {
      ctx.throwIfAborted();
      const stepStartedAt = now();
      let record: StepRecord;
      let finished: boolean;

      if (stepId < config.firstNBaseSteps) {
        ctx.emit({ type: 'step-start', stepId, origin: 'base-forced' });
        const request = ctx.request(steps, config.stepMaxTokens, [STEP_SEPARATOR]);
        const reply = await base.generate(request, ctx.signal, (text) =>
          ctx.emit({ type: 'delta', stepId, model: 'base', phase: 'forced', text }),
        );
        ctx.count('base', reply);
        ctx.summary.forced++;
        if (ctx.oversize(reply)) {
          return await ctx.stopOversize(stepId, 'base-forced', 'base', reply, stepStartedAt, request);
        }
        finished = hasFinishMarker(reply.text);
        record = {
          step_id: stepId,
          step_str: reply.text,
          small_model_step: null,
          num_output_tokens_small: null,
          score: null,
          base_model_step: reply.text,
          num_output_tokens_base: reply.completionTokens,
          final_num_output_tokens: reply.completionTokens,
          justification: null,
          origin: 'base-forced',
          timings: { baseMs: reply.ms, stepMs: 0, startedAt: stepStartedAt, endedAt: 0 },
          request: ctx.stepRequest(request),
        };
      } else {
        ctx.emit({ type: 'step-start', stepId, origin: 'draft' });
        const attempt = ahead && ahead.draft.sameContext(steps) ? ahead : startAttempt(steps);
        if (ahead && ahead !== attempt) {
          ctx.discard(ahead.draft);
          ctx.discard(ahead.eager);
        }
        ahead = undefined;

        const draft = await attempt.draft.adopt((text) =>
          ctx.emit({ type: 'delta', stepId, model: 'small', phase: 'draft', text }),
        );
        ctx.account(attempt.draft, draft);
        if (ctx.oversize(draft)) {
          return await ctx.stopOversize(stepId, 'small', 'small', draft, stepStartedAt, attempt.draft.request);
        }
        ctx.emit({ type: 'draft-done', stepId, text: draft.text, tokens: draft.completionTokens, ms: draft.ms });

        const scoring = base.score(scoreMessages(ctx.user, [...steps, draft.text]), ctx.signal);
        // Draft-ahead assumes this draft is kept as it is; a step that ends the run or would be
        // cleaned of </think> can never be the next context, so nothing is drafted after it.
        if (config.draftAhead && !hasFinishMarker(draft.text) && !draft.text.includes(THINK_END)) {
          ahead = startAttempt([...steps, draft.text]);
        }
        const judged = await scoring;
        ctx.count('base', { completionTokens: 0, ms: judged.ms });
        const score = scoreFromLogprobs(config.scoreMethod, judged.sampledToken, judged.topLogprobs);
        const accepted = score >= config.threshold;
        ctx.emit({
          type: 'score',
          stepId,
          score,
          accepted,
          threshold: config.threshold,
          method: config.scoreMethod,
          topLogprobs: judged.topLogprobs,
          ms: judged.ms,
        });

        let stepText: string;
        let baseStep: GenerateResult | undefined;
        if (accepted) {
          ctx.summary.accepted++;
          ctx.discard(attempt.eager);
          stepText = draft.text;
        } else {
          ctx.summary.rejected++;
          if (ahead) {
            ctx.discard(ahead.draft);
            ctx.discard(ahead.eager);
            ahead = undefined;
          }
          ctx.emit({ type: 'fallback-start', stepId });
          const lane = attempt.eager ?? ctx.startLane(base, steps);
          baseStep = await lane.adopt((text) =>
            ctx.emit({ type: 'delta', stepId, model: 'base', phase: 'fallback', text }),
          );
          ctx.account(lane, baseStep);
          if (ctx.oversize(baseStep)) {
            return await ctx.stopOversize(stepId, 'base-fallback', 'base', baseStep, stepStartedAt, lane.request);
          }
          stepText = baseStep.text;
        }
        finished = hasFinishMarker(stepText);
        record = {
          step_id: stepId,
          step_str: stepText,
          small_model_step: draft.text,
          num_output_tokens_small: draft.completionTokens,
          score,
          base_model_step: baseStep?.text ?? null,
          num_output_tokens_base: baseStep?.completionTokens ?? null,
          final_num_output_tokens: baseStep?.completionTokens ?? draft.completionTokens,
          justification: judged.content,
          origin: accepted ? 'small' : 'base-fallback',
          timings: {
            draftMs: draft.ms,
            scoreMs: judged.ms,
            baseMs: baseStep?.ms,
            stepMs: 0,
            startedAt: stepStartedAt,
            endedAt: 0,
          },
          score_top_logprobs: judged.topLogprobs,
          request: ctx.stepRequest(attempt.draft.request),
        };
        // Reference edge case: thinking closed mid-answer without a final answer.
        if (stepText.includes(THINK_END) && !finished) {
          record.step_str = stepText.replaceAll(THINK_END, '');
          record.warning = 'step_str had a </think>';
        }
      }

      steps.push(record.step_str);
      ctx.steps.push(record);
      record.timings.endedAt = now();
      record.timings.stepMs = record.timings.endedAt - stepStartedAt;
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
      ctx.emit({ type: 'step-done', record });
      if (record.stop_reason) {
        return await ctx.finish(record.stop_reason);
      }
    }
  } catch (error) {
    return ctx.fail(error);
  }
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
  ctx.emit({
    type: 'run-start',
    runId: ctx.runId,
    mode,
    problem,
    config: redactConfig(config),
    startedAt: ctx.startedAt,
    prompt: ctx.user,
  });
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
      return await ctx.stopOversize(0, 'baseline', mode, reply, streamStartedAt, request);
    }
    const stopReason: StopReason = reply.finishReason === 'length' ? 'budget' : 'finished';
    const record: StepRecord = {
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
    };
    ctx.steps.push(record);
    ctx.emit({ type: 'step-done', record });
    return await ctx.finish(stopReason);
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
  return mode === 'specreason' ? runSpecReason(problem, config, options) : runBaseline(mode, problem, config, options);
}
