// The state of one run, shared by the SpecReason loop, its step producers and the baselines: the
// run's own abort signal and guards, events, totals, speculative lanes and the record being built.

import { setMaxListeners } from 'node:events';
import { linkedAbort } from '../abort';
import { extractBoxed } from './answer';
import { redactConfig, type ModelRole, type RunMode, type SpecReasonConfig } from '../config';
import { SpecReasonError, isAbortError, toErrorInfo, type ErrorInfo } from '../errors';
import type { ServerPair } from '../llm/factory';
import { now, type GenerateRequest, type GenerateResult, type ModelServer } from '../llm/server';
import { DEFAULT_TEMPLATES, userMessage, type Problem, type PromptTemplates } from './prompts';
import {
  emptySummary,
  newRunId,
  reasoningText,
  type RunEvent,
  type RunEventListener,
  type RunRecord,
  type PolicyCosts,
  type RunSummary,
  type StepRecord,
  type StopReason,
  type StepRequest,
} from './runRecord';
import { Lane } from './lane';
import { STEP_SEPARATOR, stepMessages } from './messages';

export interface RunOptions {
  signal?: AbortSignal;
  onEvent?: RunEventListener;
  templates?: PromptTemplates;
  runId?: string;
  /** Clients to use instead of new ones from the config (tests and the benchmark count their requests). */
  clients?: ServerPair;
}

/** State shared by the SpecReason loop and the baselines: events, totals, the record being built. */
export class RunContext {
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
  /** Drafts scored with the judge prompt, by either model (PolicyCosts.judgeCalls). */
  judgeCalls = 0;
  /** Generation requests only (no scores): their time and tokens give each model's per-token rate. */
  private readonly _generation = { small: { ms: 0, tokens: 0 }, base: { ms: 0, tokens: 0 } };

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

  /** The run's first event. */
  start(): void {
    this.emit({
      type: 'run-start',
      runId: this.runId,
      mode: this.mode,
      problem: this.problem,
      config: redactConfig(this.config),
      startedAt: this.startedAt,
      prompt: this.user,
    });
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

  count(role: 'base' | 'small', result: { completionTokens?: number; ms: number; text?: string }): void {
    const totals = role === 'base' ? this.summary.base : this.summary.small;
    totals.tokens += result.completionTokens ?? 0;
    totals.ms += result.ms;
    if (result.text !== undefined) {
      this._generation[role].ms += result.ms;
      this._generation[role].tokens += result.completionTokens ?? 0;
    }
  }

  /** What the run spent (PolicyCosts: the definitions are there). */
  private _costs(): PolicyCosts {
    const s = this.summary;
    const tokens = { small: s.small.tokens + s.small.wastedTokens, base: s.base.tokens + s.base.wastedTokens };
    const kept = { small: 0, base: 0 };
    for (const step of this.steps) {
      const role = step.origin === 'small' || (step.origin === 'baseline' && this.mode === 'small') ? 'small' : 'base';
      kept[role] += step.final_num_output_tokens;
    }
    const msPerToken = (role: ModelRole) => {
      const g = this._generation[role];
      return g.tokens > 0 ? g.ms / g.tokens : 0;
    };
    return {
      requests: { small: this.clients.small.requests, base: this.clients.base.requests },
      judgeCalls: this.judgeCalls,
      tokens,
      wastedTokens: Math.max(0, tokens.small + tokens.base - s.keptTokens),
      criticalPathMs: this.steps.reduce((sum, r) => sum + r.timings.stepMs, 0),
      lowerBoundMs: kept.small * msPerToken('small') + kept.base * msPerToken('base'),
    };
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

  /** An oversize reply as the run's last step: cut to the limit, with stop reason max_step_chars. */
  oversizeStep(
    stepId: number,
    origin: StepRecord['origin'],
    role: ModelRole,
    result: GenerateResult,
    startedAt: number,
    request: GenerateRequest,
  ): StepRecord & { stop_reason: StopReason } {
    const text = result.text.slice(0, this.config.maxStepChars);
    return {
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
  }

  /** Keep the run's last step and end the run with the stop reason its record carries. */
  async endWith(record: StepRecord & { stop_reason: StopReason }): Promise<RunRecord> {
    this.steps.push(record);
    this.emit({ type: 'step-done', record });
    return this.finish(record.stop_reason);
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
    s.costs = this._costs();
    const models: RunRecord['models'] = {};
    const serverKinds: NonNullable<RunRecord['serverKinds']> = {};
    const requestFormats: NonNullable<RunRecord['requestFormats']> = {};
    for (const role of ['base', 'small'] as const) {
      const id = this.clients[role].knownModel?.id;
      if (id) {
        models[role] = id;
      }
      const kind = this.clients[role].kind;
      if (kind !== 'auto') {
        serverKinds[role] = kind;
      }
      const format = this.clients[role].requestFormat;
      if (format && format.kind !== 'vllm') {
        requestFormats[role] = format; // vLLM's bodies need nothing beyond the step
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
      ...(Object.keys(serverKinds).length > 0 ? { serverKinds } : {}),
      ...(Object.keys(requestFormats).length > 0 ? { requestFormats } : {}),
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
