// The Evaluate panel's pure logic, shared by the webview and the host: form validation (thresholds
// and score methods checked by the same validateConfig as the settings), the estimated run count,
// configuration identity and the Pareto front of the latency × accuracy chart.

import { makeConfig, validateConfig, type ScoreMethod } from '../core/config';
import {
  configurationLabel as labelOf,
  configurationName,
  configurationsOf,
  EVAL_MODES,
  POLICY_SWEEPS,
  sweepValueProblem,
  usesBaseScore,
  type ConfigurationId,
  type EvalMode,
} from '../core/eval/modes';
import type { EvalConfigurationRow, EvalFormValues, EvalRunRow } from './protocol';

/** A configuration as the panel names it (no nulls: what is not set is absent). */
export type PanelConfigurationId = Omit<ConfigurationId, 'threshold' | 'scoreMethod'> & {
  threshold?: number;
  scoreMethod?: ScoreMethod;
};
export type { PanelConfigurationId as ConfigurationId };

/** Limits of the evaluation options that are not run settings. */
export const EVAL_LIMITS = {
  repeats: { min: 1, max: 1000 },
  concurrency: { min: 1, max: 256 },
  limit: { min: 1, max: 10_000_000 },
  sample: { min: 1, max: 10_000_000 },
  seed: { min: 0, max: 2 ** 31 - 1 },
} as const;

export const SWEEP_THRESHOLDS: readonly number[] = [3, 5, 7, 9];

export const DEFAULT_EVAL_FORM: EvalFormValues = Object.freeze({
  modes: ['specreason', 'base'],
  thresholds: [7],
  scoreMethods: ['greedy'],
  repeats: 1,
  concurrency: 1,
  choiceOrder: 'shuffled',
  outDir: '',
}) as EvalFormValues;

export type EvalField = keyof EvalFormValues;

export interface EvalFormProblem {
  field: EvalField;
  message: string;
}

/** "3, 5,7" → numbers; a message naming the bad entry otherwise. */
export function parseNumberList(text: string): { values: number[]; error?: string } {
  const parts = text
    .split(/[,\s]+/)
    .map((s) => s.trim())
    .filter(Boolean);
  const values: number[] = [];
  for (const part of parts) {
    const value = Number(part);
    if (!Number.isFinite(value)) {
      return { values, error: `"${part}" is not a number` };
    }
    if (!values.includes(value)) {
      values.push(value);
    }
  }
  return { values };
}

/** "a, b c" → ids (commas or whitespace), duplicates dropped. */
export function parseIdList(text: string): string[] {
  return [
    ...new Set(
      text
        .split(/[,\s]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    ),
  ];
}

function checkInteger(
  problems: EvalFormProblem[],
  field: keyof typeof EVAL_LIMITS,
  label: string,
  value: number | undefined,
): void {
  if (value === undefined) {
    return;
  }
  const { min, max } = EVAL_LIMITS[field];
  if (!Number.isInteger(value)) {
    problems.push({ field, message: `${label} must be a whole number (got ${value})` });
  } else if (value < min || value > max) {
    problems.push({
      field,
      message: max >= 10_000_000 ? `${label} must be at least ${min}` : `${label} must be between ${min} and ${max}`,
    });
  }
}

/** Every problem of a form, each naming its field; empty when the evaluation can start. */
export function evalFormProblems(form: EvalFormValues): EvalFormProblem[] {
  const problems: EvalFormProblem[] = [];
  if (form.modes.length === 0) {
    problems.push({ field: 'modes', message: 'Choose at least one mode' });
  }
  const judged = form.modes.filter((m): m is Exclude<EvalMode, 'base' | 'small'> => m !== 'base' && m !== 'small');
  for (const mode of judged) {
    const sweep = POLICY_SWEEPS[mode];
    const values = sweep && form[sweep.sweep];
    if (!sweep || values === undefined) {
      continue;
    }
    if (values.length === 0) {
      problems.push({ field: sweep.sweep, message: `${mode} needs at least one ${sweep.param} value` });
    }
    for (const value of values) {
      const problem = sweepValueProblem(sweep, value);
      if (problem) {
        problems.push({ field: sweep.sweep, message: problem.replace(/^--[\w-]+: /, `${mode}: `) });
      }
    }
  }
  if (judged.some(usesBaseScore)) {
    const who = form.modes.includes('specreason') ? 'SpecReason' : 'The policies that score drafts';
    if (form.thresholds.length === 0) {
      problems.push({ field: 'thresholds', message: `${who} needs at least one threshold` });
    }
    for (const threshold of form.thresholds) {
      // The same check as the specreason.threshold setting.
      const problem = validateConfig(makeConfig({ threshold })).find((p) => p.key === 'threshold');
      if (problem) {
        problems.push({ field: 'thresholds', message: problem.message.replace(/^threshold/, 'Threshold') });
      }
    }
    if (form.scoreMethods.length === 0) {
      problems.push({ field: 'scoreMethods', message: `${who} needs at least one score method` });
    }
    for (const scoreMethod of form.scoreMethods) {
      const problem = validateConfig(makeConfig({ scoreMethod })).find((p) => p.key === 'scoreMethod');
      if (problem) {
        problems.push({ field: 'scoreMethods', message: problem.message });
      }
    }
  }
  checkInteger(problems, 'repeats', 'Repeats', form.repeats);
  checkInteger(problems, 'concurrency', 'Concurrency', form.concurrency);
  checkInteger(problems, 'limit', 'Limit', form.limit);
  checkInteger(problems, 'sample', 'Sample', form.sample);
  checkInteger(problems, 'seed', 'Seed', form.seed);
  if (form.ids && form.ids.some((id) => !id.trim())) {
    problems.push({ field: 'ids', message: 'Problem ids must not be empty' });
  }
  if (/[\0]/.test(form.outDir)) {
    problems.push({ field: 'outDir', message: 'The output folder name has a NUL character' });
  }
  return problems;
}

/** The configurations a form asks for, in the order the table lists them (modes in their list's order). */
export function formConfigurations(form: EvalFormValues): PanelConfigurationId[] {
  const modes = EVAL_MODES.filter((m) => form.modes.includes(m));
  const sorted = (xs: readonly number[] | undefined) => (xs ? [...xs].sort((a, b) => a - b) : undefined);
  return configurationsOf(modes, sorted(form.thresholds)!, form.scoreMethods, {
    entropyThresholds: sorted(form.entropyThresholds),
    selfCheckThresholds: sorted(form.selfCheckThresholds),
    lookaheadSteps: sorted(form.lookaheadSteps),
    draftCounts: sorted(form.draftCounts),
  }).map(({ mode, policy, threshold, scoreMethod, params }) => ({
    mode,
    ...(policy ? { policy } : {}),
    ...(threshold !== null ? { threshold } : {}),
    ...(scoreMethod !== null ? { scoreMethod } : {}),
    ...(params ? { params } : {}),
  }));
}

/** How many problems the selection keeps out of `problems`. */
export function selectedProblems(form: EvalFormValues, problems: number): number {
  let n = form.ids && form.ids.length > 0 ? Math.min(form.ids.length, problems) : problems;
  if (form.sample !== undefined) {
    n = Math.min(n, form.sample);
  }
  if (form.limit !== undefined) {
    n = Math.min(n, form.limit);
  }
  return Math.max(0, n);
}

/** Runs an evaluation will make: problems × repeats × configurations. */
export function estimatedRuns(form: EvalFormValues, problems: number): number {
  return selectedProblems(form, problems) * Math.max(0, form.repeats) * formConfigurations(form).length;
}

/** A stable key of a configuration (also the grid's column key and the CLI's directory name). */
export const configurationKey = (c: ConfigurationId): string => configurationName(c);

export const configurationLabel = (c: ConfigurationId, withMethod = true): string => labelOf(c, withMethod);

export const runConfiguration = (r: EvalRunRow): PanelConfigurationId =>
  r.mode === 'specreason'
    ? {
        mode: r.mode,
        ...(r.policy ? { policy: r.policy } : {}),
        threshold: r.threshold,
        scoreMethod: r.scoreMethod,
        ...(r.params ? { params: r.params } : {}),
      }
    : { mode: r.mode };

/** Characters of a problem kept for its hover text: enough to recognise it, small for thousands of problems. */
export const PROBLEM_PREVIEW_CHARS = 400;

/** Each problem's text by id, cut at PROBLEM_PREVIEW_CHARS (with an ellipsis) for the panel's hover text. */
export function problemPreviews(problems: ReadonlyArray<{ id: string; text: string }>): Record<string, string> {
  const previews: Record<string, string> = {};
  for (const { id, text } of problems) {
    const trimmed = text.trim();
    previews[id] =
      trimmed.length > PROBLEM_PREVIEW_CHARS ? `${trimmed.slice(0, PROBLEM_PREVIEW_CHARS).trimEnd()}…` : trimmed;
  }
  return previews;
}

export interface ChartPoint {
  key: string;
  latencyMs: number;
  accuracy: number;
}

/**
 * The Pareto front of (latency, accuracy): the points no other point beats on both (lower or equal
 * latency and higher or equal accuracy, one of them strictly). Sorted by latency.
 */
export function paretoFront<T extends ChartPoint>(points: readonly T[]): T[] {
  const sorted = [...points].sort((a, b) => a.latencyMs - b.latencyMs || b.accuracy - a.accuracy);
  const front: T[] = [];
  for (const p of sorted) {
    const last = front[front.length - 1];
    if (!last || p.accuracy > last.accuracy) {
      front.push(p);
    }
  }
  return front;
}

/** Chart points of the configurations that have both numbers. */
export function chartPoints(rows: readonly EvalConfigurationRow[]): Array<ChartPoint & { row: EvalConfigurationRow }> {
  return rows.flatMap((row) =>
    row.meanWallMs !== undefined && row.accuracy !== undefined && Number.isFinite(row.meanWallMs)
      ? [{ key: configurationKey(row), latencyMs: row.meanWallMs, accuracy: row.accuracy, row }]
      : [],
  );
}
