// An evaluation: configurations (modes × policy parameters × thresholds × score methods, see modes.ts) ×
// problems × repeats, run with a
// concurrency limit. Each finished run is written at once as DIR/<configuration>/<problem id>/<repeat>.json
// (the run record plus its grade); a rerun skips finished runs and retries failed ones; cancelling keeps
// every finished run. Only compact rows stay in memory (records go to disk), so thousands of runs fit.

import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { RunMode, ScoreMethod, SpecReasonConfig, StepPolicyName } from '../config';
import { run } from '../engine/specReason';
import type { ErrorInfo } from '../errors';
import type { ServerPair } from '../llm/factory';
import type { Choices, Problem } from '../engine/prompts';
import { reasoningText, type PolicyCosts, type RunRecord, type StopReason } from '../engine/runRecord';
import { configFor, type Configuration, type PolicyParams } from './modes';
import { grade, type Verdict } from './grader';
import { safeId, type EvalProblem, type ProblemSet } from './problemSet';
import { choicePermutation } from './random';

export type ChoiceOrder = 'shuffled' | 'reference';

export { configurationsOf, type Configuration } from './modes';

/** One line of results.json's `runs` (and what stays in memory per run). */
export interface RunRow {
  configuration: string;
  problemId: string;
  repeat: number;
  mode: RunMode;
  /** The step policy of a SpecReason-loop run (absent in results written before policies: SpecReason's). */
  policy?: StepPolicyName;
  threshold: number | null;
  scoreMethod: ScoreMethod | null;
  /** The policy's own swept parameter, e.g. {"entropyThreshold": 0.9}. */
  params?: PolicyParams;
  answer: string | null;
  gold: string;
  correct: boolean;
  rule: Verdict['rule'];
  wallMs: number;
  ttftMs: number | null;
  stopReason: StopReason;
  smallTokens: number;
  baseTokens: number;
  steps: number;
  accepted: number;
  rejected: number;
  /** What the run cost, as the engine counted it (RunSummary.costs). */
  costs?: PolicyCosts;
  /** The option order shown (index in the file's order per letter), multiple choice only. */
  permutation?: number[];
  error?: string;
  file: string;
}

/** The file written per finished run. */
export interface RunFile {
  evalFormat: 1;
  configuration: Configuration;
  problemId: string;
  repeat: number;
  choiceOrder?: ChoiceOrder;
  /** Multiple choice: permutation[k] = index in the file's option order of the option shown as letter k. */
  permutation?: number[];
  /** The gold as graded (for multiple choice, the letter it was shown under). */
  gold: string;
  grade: Verdict;
  record: RunRecord;
}

export interface Job {
  configuration: Configuration;
  problem: EvalProblem;
  repeat: number;
  /** Relative to the output directory. */
  file: string;
}

export interface EvalProgress {
  done: number;
  total: number;
  skipped: number;
  failed: number;
  correct: number;
  graded: number;
  /** The run that just finished. */
  row?: RunRow;
  etaMs?: number;
}

/** Per-run servers; the replica pool returns a pair and a release callback (run affinity lives there). */
export interface ServerSource {
  acquire(runKey: string): {
    clients: ServerPair;
    /** The URLs the run's clients use (recorded in the run's config). */
    urls: { base: string; small: string };
    /** Called once when the run ends, with its error if it failed. */
    release(error?: ErrorInfo): void;
  };
}

export interface EvalOptions {
  set: ProblemSet;
  outDir: string;
  config: SpecReasonConfig;
  configurations: Configuration[];
  repeats: number;
  concurrency: number;
  choiceOrder: ChoiceOrder;
  /** Seeds the option shuffle. */
  seed: number;
  signal?: AbortSignal;
  onProgress?: (progress: EvalProgress) => void;
  servers?: ServerSource;
}

export interface EvalOutcome {
  rows: RunRow[];
  jobs: number;
  skipped: number;
  failed: number;
  cancelled: boolean;
}

export function jobsOf(set: ProblemSet, configurations: readonly Configuration[], repeats: number): Job[] {
  const jobs: Job[] = [];
  // Problem-major order: a cancelled evaluation has every configuration on the problems it reached.
  for (const problem of set.problems) {
    for (let repeat = 0; repeat < repeats; repeat++) {
      for (const configuration of configurations) {
        jobs.push({ configuration, problem, repeat, file: runFilePath(configuration.name, problem.id, repeat) });
      }
    }
  }
  return jobs;
}

export function runFilePath(configuration: string, problemId: string, repeat: number): string {
  return path.join(configuration, safeId(problemId), `${repeat}.json`);
}

/** A finished run needs no rerun; failed and cancelled runs do. */
const FINISHED: readonly StopReason[] = ['finished', 'budget', 'context_length'];

/** The prompt problem of one run, with its option order. */
export function promptOf(
  problem: EvalProblem,
  repeat: number,
  choiceOrder: ChoiceOrder,
  seed: number,
): { problem: Problem; gold: string; choices?: Record<string, string>; permutation?: number[] } {
  if (!problem.options) {
    return { problem: { text: problem.text }, gold: problem.gold };
  }
  const permutation =
    choiceOrder === 'reference'
      ? problem.options.map((_, i) => i)
      : choicePermutation(problem.options.length, seed, problem.id, repeat);
  const shown = (k: number) => problem.options![permutation[k]!]!;
  const choices: Choices = { A: shown(0), B: shown(1), C: shown(2), D: shown(3) };
  const gold = 'ABCD'[permutation.indexOf(problem.correct!)]!;
  return { problem: { text: problem.text, choices }, gold, choices: { ...choices }, permutation };
}

export function rowOf(file: RunFile, relative: string): RunRow {
  const s = file.record.summary;
  return {
    configuration: file.configuration.name,
    problemId: file.problemId,
    repeat: file.repeat,
    mode: file.configuration.mode,
    ...(file.configuration.policy ? { policy: file.configuration.policy } : {}),
    threshold: file.configuration.threshold,
    scoreMethod: file.configuration.scoreMethod,
    ...(file.configuration.params ? { params: file.configuration.params } : {}),
    answer: file.grade.extracted,
    gold: file.gold,
    correct: file.grade.correct,
    rule: file.grade.rule,
    wallMs: s.wallMs,
    ttftMs: s.ttftMs ?? null,
    stopReason: s.stopReason,
    smallTokens: s.small.tokens,
    baseTokens: s.base.tokens,
    steps: s.steps,
    accepted: s.accepted,
    rejected: s.rejected,
    ...(s.costs ? { costs: s.costs } : {}),
    ...(file.permutation ? { permutation: file.permutation } : {}),
    ...(s.error ? { error: s.error.message } : {}),
    file: relative,
  };
}

/** Settings that change what a run does: a rerun may only reuse runs made with the same ones. */
const RUN_DEFINING = ['tokenBudget', 'firstNBaseSteps', 'stepMaxTokens', 'temperature', 'topP'] as const;

export class EvalDirectoryError extends Error {}

/** A finished run file's row, or undefined when the run has to be (re)done. */
async function finishedRow(outDir: string, job: Job, config: SpecReasonConfig): Promise<RunRow | undefined> {
  const full = path.join(outDir, job.file);
  if (!existsSync(full)) {
    return undefined;
  }
  let file: RunFile;
  try {
    file = JSON.parse(await readFile(full, 'utf8')) as RunFile;
    if (!FINISHED.includes(file.record.summary.stopReason)) {
      return undefined;
    }
  } catch {
    return undefined; // a torn or foreign file: run again
  }
  const differs = RUN_DEFINING.find((key) => file.record.config[key] !== config[key]);
  if (differs) {
    throw new EvalDirectoryError(
      `${full} was run with ${differs} ${String(file.record.config[differs])}, this evaluation uses ${String(config[differs])}: ` +
        'give another --out, or the same settings to complete that evaluation',
    );
  }
  return rowOf(file, job.file);
}

async function writeAtomically(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

/** Run (or resume) an evaluation. Never rejects for a failed run: failures are rows with stopReason error. */
export async function runEvaluation(options: EvalOptions): Promise<EvalOutcome> {
  const { outDir, signal } = options;
  const jobs = jobsOf(options.set, options.configurations, options.repeats);
  const rows: RunRow[] = [];
  const progress: EvalProgress = { done: 0, total: jobs.length, skipped: 0, failed: 0, correct: 0, graded: 0 };
  const pending: Job[] = [];
  for (const job of jobs) {
    const row = await finishedRow(outDir, job, options.config);
    if (row) {
      rows.push(row);
      progress.done++;
      progress.skipped++;
      progress.graded++;
      progress.correct += row.correct ? 1 : 0;
    } else {
      pending.push(job);
    }
  }
  await mkdir(outDir, { recursive: true });
  const started = Date.now();
  let ranHere = 0;
  let next = 0;
  const worker = async () => {
    while (next < pending.length && !signal?.aborted) {
      const job = pending[next++]!;
      const row = await runJob(job, options);
      if (!row) {
        continue; // cancelled: not written, rerun next time
      }
      rows.push(row);
      ranHere++;
      progress.done++;
      if (row.stopReason === 'error') {
        progress.failed++;
      } else {
        progress.graded++;
        progress.correct += row.correct ? 1 : 0;
      }
      const left = pending.length - next;
      progress.etaMs = ((Date.now() - started) / ranHere) * left; // finished runs per second so far, concurrency included
      options.onProgress?.({ ...progress, row });
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.concurrency, pending.length)) }, worker));
  return { rows, jobs: jobs.length, skipped: progress.skipped, failed: progress.failed, cancelled: !!signal?.aborted };
}

async function runJob(job: Job, options: EvalOptions): Promise<RunRow | undefined> {
  const { configuration, problem, repeat } = job;
  const prompt = promptOf(problem, repeat, options.choiceOrder, options.seed);
  const config: SpecReasonConfig = {
    ...configFor(configuration, options.config),
    promptStyle: prompt.problem.choices ? 'multiple-choice' : 'math',
  };
  const lease = options.servers?.acquire(`${configuration.name}/${problem.id}/${repeat}`);
  if (lease) {
    config.base = { ...config.base, url: lease.urls.base };
    config.small = { ...config.small, url: lease.urls.small };
  }
  let record: RunRecord | undefined;
  try {
    record = await run(configuration.mode, prompt.problem, config, { signal: options.signal, clients: lease?.clients });
  } finally {
    lease?.release(record ? record.summary.error : { code: 'server_error', message: 'the run threw' });
  }
  if (record.summary.stopReason === 'cancelled') {
    return undefined;
  }
  const verdict: Verdict =
    record.summary.stopReason === 'error'
      ? { correct: false, extracted: null, extraction: 'none', rule: 'no-answer' }
      : grade(prompt.gold, reasoningText(record.steps), { choices: prompt.choices, problem: prompt.problem.text });
  const file: RunFile = {
    evalFormat: 1,
    configuration,
    problemId: problem.id,
    repeat,
    ...(prompt.permutation ? { choiceOrder: options.choiceOrder, permutation: prompt.permutation } : {}),
    gold: prompt.gold,
    grade: verdict,
    record,
  };
  await writeAtomically(path.join(options.outDir, job.file), JSON.stringify(file, null, 1) + '\n');
  return rowOf(file, job.file);
}
