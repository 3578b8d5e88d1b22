// A comparison: several modes (step policies, base-only, small-only) run on one problem, one after the
// other (fair timings, the default) or all at once. The policy every front end shares: each mode gets
// its run id up front; once the comparison is cancelled, or a sequential run fails, the runs that have
// not started end at once as cancelled placeholders, so no run is left "running" and the table has a
// row for every mode.

import { linkedAbort } from '../abort';
import { compareRecords, repeatedSpeedup, type Comparison, type RepeatedSpeedup } from '../presentation/compareTable';
import { redactConfig, type RunMode, type SpecReasonConfig, type StepPolicyName } from '../config';
import { run, type RunOptions } from './specReason';
import { createClients } from '../llm/factory';
import type { Problem } from './prompts';
import type { CompareOrder } from '../settingsTable';
import { emptySummary, newRunId, type RunEvent, type RunRecord } from './runRecord';

/** The modes a comparison runs: SpecReason against base-only, and small-only when asked. */
export function comparisonModes(includeSmall: boolean): RunMode[] {
  return ['specreason', 'base', ...(includeSmall ? (['small'] as const) : [])];
}

/**
 * A mode of a comparison: `specreason` runs the SpecReason loop with the config's step policy (the one the
 * user chose), another policy's name runs the loop with that policy, `base` and `small` are the baselines.
 */
export type ComparisonMode = RunMode | StepPolicyName;

/** Which run an event belongs to. */
export interface ComparisonRun {
  mode: RunMode;
  /** A policy named as a mode (absent: `specreason` with the config's policy, or a baseline). */
  policy?: StepPolicyName;
  runId: string;
}

export function comparisonRun(mode: ComparisonMode, runId: string): ComparisonRun {
  return mode === 'specreason' || mode === 'base' || mode === 'small'
    ? { mode, runId }
    : { mode: 'specreason', policy: mode, runId };
}

/**
 * What a comparison runs: the modes asked for (two or more), where `specreason` is SpecReason's own policy
 * (the config's step policy is dropped, as the CLI's `--modes` does); none asked: the config's policy against
 * base-only, and small-only when `includeSmall`.
 */
export function comparisonPlan(
  modes: readonly ComparisonMode[],
  includeSmall: boolean,
  config: SpecReasonConfig,
): { modes: ComparisonMode[]; config: SpecReasonConfig } {
  if (modes.length === 0) {
    return { modes: comparisonModes(includeSmall), config };
  }
  const own = { ...config };
  delete own.stepPolicy;
  return { modes: [...modes], config: own };
}

/** The config a run of the comparison uses. */
export function runConfig(r: ComparisonRun, config: SpecReasonConfig): SpecReasonConfig {
  return r.policy ? { ...config, stepPolicy: r.policy } : config;
}

export interface ComparisonOptions extends Pick<RunOptions, 'templates'> {
  /** One after the other (the default: fair timings), or all at once. */
  order?: CompareOrder;
  signal?: AbortSignal;
  /** One per mode (so a front end can show every run before it starts); default new ids. */
  runIds?: readonly string[];
  /** Every run's events, placeholders' `run-done` included. */
  onEvent?: (event: RunEvent, run: ComparisonRun) => void;
  /** Clients for one run (tests count their requests); default new clients from the config. */
  clients?: (run: ComparisonRun) => RunOptions['clients'];
}

export interface ComparisonResult {
  /** One record per mode, in the order of `modes`. */
  records: RunRecord[];
  comparison: Comparison;
}

/** Run `modes` on `problem`. Never rejects for a failing run: its record says what went wrong. */
export async function runComparison(
  problem: Problem,
  modes: readonly ComparisonMode[],
  config: SpecReasonConfig,
  options: ComparisonOptions = {},
): Promise<ComparisonResult> {
  const runs: ComparisonRun[] = modes.map((mode, i) => comparisonRun(mode, options.runIds?.[i] ?? newRunId()));
  // Aborted by the caller, or by this function when a sequential run fails.
  const stop = linkedAbort(options.signal);
  const one = async (r: ComparisonRun): Promise<RunRecord> => {
    const onEvent = (event: RunEvent) => options.onEvent?.(event, r);
    if (stop.signal.aborted) {
      const record = placeholderRecord(r, problem, runConfig(r, config));
      onEvent({ type: 'run-done', record });
      return record;
    }
    return run(r.mode, problem, runConfig(r, config), {
      signal: stop.signal,
      runId: r.runId,
      templates: options.templates,
      clients: options.clients?.(r),
      onEvent,
    });
  };
  try {
    let records: RunRecord[];
    if ((options.order ?? 'sequential') === 'concurrent') {
      records = await Promise.all(runs.map(one));
    } else {
      records = [];
      for (const r of runs) {
        const record = await one(r);
        records.push(record);
        if (record.summary.stopReason === 'error') {
          stop.controller.abort(); // the others would fail the same way; their rows say they never ran
        }
      }
    }
    return { records, comparison: compareRecords(records) };
  } finally {
    stop.unlink();
  }
}

export interface RepeatedComparisonOptions extends Omit<ComparisonOptions, 'runIds' | 'onEvent'> {
  /** Rounds of the comparison (at least 1). */
  rounds: number;
  /** One request of one token to each server before the first round, so no round pays for a cold start. */
  warmUp?: boolean;
  /** The run ids of a round (default new ids). */
  runIds?: (round: number) => readonly string[];
  /** A round is about to start: its runs, in the order of `modes`. */
  onRound?: (round: number, runs: readonly ComparisonRun[]) => void;
  onEvent?: (event: RunEvent, run: ComparisonRun, round: number) => void;
}

export interface RepeatedComparisonResult {
  /** Each round's result, in order; rounds that never started (cancelled, failed) are missing. */
  rounds: ComparisonResult[];
  /** Every round's records, round after round. */
  records: RunRecord[];
  speedup: RepeatedSpeedup;
  /** Whether the servers were warmed up before the first round. */
  warmedUp: boolean;
}

/**
 * Run the comparison `rounds` times, after warming up the servers. Stops after a round that was cancelled or
 * failed (the later rounds would say nothing new). Never rejects for a failing run.
 */
export async function runRepeatedComparison(
  problem: Problem,
  modes: readonly ComparisonMode[],
  config: SpecReasonConfig,
  options: RepeatedComparisonOptions,
): Promise<RepeatedComparisonResult> {
  const warmedUp = options.warmUp !== false && !options.signal?.aborted && (await warmUp(config, options.signal));
  const rounds: ComparisonResult[] = [];
  for (let round = 0; round < Math.max(1, options.rounds); round++) {
    if (round > 0 && options.signal?.aborted) {
      break;
    }
    const runIds = options.runIds?.(round) ?? modes.map(() => newRunId());
    options.onRound?.(
      round,
      modes.map((mode, i) => comparisonRun(mode, runIds[i]!)),
    );
    const result = await runComparison(problem, modes, config, {
      ...options,
      runIds,
      onEvent: (event, run) => options.onEvent?.(event, run, round),
    });
    rounds.push(result);
    if (result.records.some((r) => r.summary.stopReason === 'cancelled' || r.summary.stopReason === 'error')) {
      break;
    }
  }
  return {
    rounds,
    records: rounds.flatMap((r) => r.records),
    speedup: repeatedSpeedup(rounds.map((r) => r.records.map((record) => record.summary))),
    warmedUp,
  };
}

/**
 * A one-token request to each server, so the first timed round does not pay for a cold start (connections,
 * the server's first batch). Skipped, and false, when a server does not answer its model list: the runs then
 * report the problem the way they always do.
 */
export async function warmUp(config: SpecReasonConfig, signal?: AbortSignal): Promise<boolean> {
  const clients = createClients({ ...config, maxRetries: 0 });
  const servers = [clients.base, clients.small];
  const listed = await Promise.allSettled(servers.map((s) => s.model(signal)));
  if (listed.some((r) => r.status === 'rejected')) {
    return false;
  }
  const stop = linkedAbort(signal);
  try {
    const warmed = await Promise.allSettled(
      servers.map((s) =>
        s.generate(
          { messages: [{ role: 'user', content: 'Hi' }], continueFinal: false, maxTokens: 1, temperature: 0, topP: 1 },
          stop.signal,
        ),
      ),
    );
    return warmed.every((r) => r.status === 'fulfilled');
  } finally {
    stop.unlink();
  }
}

/** The record of a run that never started: cancelled, no steps, no prompt sent. */
export function placeholderRecord(r: ComparisonRun, problem: Problem, config: SpecReasonConfig): RunRecord {
  return {
    formatVersion: 1,
    runId: r.runId,
    mode: r.mode,
    startedAt: new Date().toISOString(),
    config: redactConfig(config),
    problem,
    prompt: '',
    models: {},
    steps: [],
    summary: emptySummary(r.mode, 'cancelled'),
  };
}
