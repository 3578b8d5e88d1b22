// An evaluation's results.json (written by src/core/eval/results.ts and `specreason eval`) as the
// Evaluate panel's rows. Read from disk, so every field is checked, and a malformed entry is reported
// with its position rather than shown half-read. Nulls (no value) become absent fields.

import { STEP_POLICIES, type RunMode, type ScoreMethod, type StepPolicyName } from '../core/config';
import { POLICY_SWEEPS, type PolicyParams } from '../core/eval/modes';
import type { EvalConfigurationRow, EvalRunRow } from './protocol';

export class EvalResultsError extends Error {}

type Json = Record<string, unknown>;

const MODES: readonly RunMode[] = ['specreason', 'base', 'small'];
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Json | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Json) : undefined;
const scoreMethod = (v: unknown): ScoreMethod => (v === 'average' ? 'average' : 'greedy');

const policy = (v: unknown): StepPolicyName | undefined =>
  STEP_POLICIES.includes(v as StepPolicyName) ? (v as StepPolicyName) : undefined;
const PARAMS = new Set<string>(Object.values(POLICY_SWEEPS).map((s) => s.param));

/** A policy's parameters: known names with numbers (anything else is dropped). */
function params(v: unknown): PolicyParams | undefined {
  const entries = Object.entries(obj(v) ?? {}).filter(([k, n]) => PARAMS.has(k) && num(n) !== undefined);
  return entries.length ? Object.fromEntries(entries) : undefined;
}

/** The specreason-loop fields of a row: its policy (absent: SpecReason's own), threshold, score method. */
function loopFields(c: Json): Pick<EvalRunRow, 'policy' | 'threshold' | 'scoreMethod' | 'params'> {
  const p = policy(c.policy);
  const out: Pick<EvalRunRow, 'policy' | 'threshold' | 'scoreMethod' | 'params'> = {};
  if (p && p !== 'specreason') {
    out.policy = p;
  }
  if (num(c.threshold) !== undefined || !out.policy) {
    out.threshold = num(c.threshold);
    out.scoreMethod = scoreMethod(c.scoreMethod);
  }
  const ps = params(c.params);
  if (ps) {
    out.params = ps;
  }
  return out;
}

function mode(v: unknown, where: string): RunMode {
  if (!MODES.includes(v as RunMode)) {
    throw new EvalResultsError(`${where}: mode ${JSON.stringify(v)} is not one of ${MODES.join(', ')}`);
  }
  return v as RunMode;
}

/** Copies the fields that have a value. */
function withValues<T extends object>(target: T, values: Partial<T>): T {
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined) {
      (target as Json)[key] = value;
    }
  }
  return target;
}

function configurationRow(c: Json, where: string): EvalConfigurationRow {
  const row: EvalConfigurationRow = {
    mode: mode(c.mode, where),
    runs: num(c.runs) ?? 0,
    correct: num(c.correct) ?? 0,
    failed: num(c.failed) ?? 0,
  };
  if (row.mode === 'specreason') {
    Object.assign(row, loopFields(c));
  }
  const mean = obj(obj(c.costs)?.mean);
  if (mean) {
    row.costs = withValues(
      {},
      {
        judgeCalls: num(mean.judgeCalls),
        smallRequests: num(obj(mean.requests)?.small),
        baseRequests: num(obj(mean.requests)?.base),
        wastedTokens: num(mean.wastedTokens),
        criticalPathMs: num(mean.criticalPathMs),
        lowerBoundMs: num(mean.lowerBoundMs),
      },
    );
  }
  const ci = Array.isArray(c.accuracyCi95) ? c.accuracyCi95 : [];
  return withValues(row, {
    accuracy: num(c.accuracy),
    accuracyLow: num(ci[0]),
    accuracyHigh: num(ci[1]),
    meanWallMs: num(c.meanWallMs),
    medianWallMs: num(c.medianWallMs),
    p90WallMs: num(c.p90WallMs),
    meanSmallTokens: num(c.meanSmallTokens),
    meanBaseTokens: num(c.meanBaseTokens),
    acceptanceRate: num(c.acceptanceRate),
    speedupVsBase: num(c.speedupVsBase),
    accuracyDiffVsBase: num(c.accuracyDiffVsBase),
  });
}

/** One run row; also used for the core's in-memory rows, which have the same fields. */
export function runRow(r: Json, where = 'run'): EvalRunRow {
  const problemId = str(r.problemId) ?? (typeof r.problemId === 'number' ? String(r.problemId) : undefined);
  if (problemId === undefined) {
    throw new EvalResultsError(`${where}: problemId is missing`);
  }
  const error = str(r.error);
  const row: EvalRunRow = {
    problemId,
    repeat: num(r.repeat) ?? 0,
    mode: mode(r.mode, where),
    gold: str(r.gold) ?? (r.gold === undefined || r.gold === null ? '' : JSON.stringify(r.gold)),
    correct: r.correct === true,
    wallMs: num(r.wallMs) ?? 0,
    stopReason: str(r.stopReason) ?? (error ? 'error' : 'finished'),
  };
  if (row.mode === 'specreason') {
    Object.assign(row, loopFields(r));
  }
  return withValues(row, { answer: str(r.answer), rule: str(r.rule), error, file: str(r.file) });
}

/** The panel's rows of a results object (parsed results.json, or built by the core); `file` names it in errors. */
export function evalResultsRows(
  json: unknown,
  file = 'results.json',
): { configurations: EvalConfigurationRow[]; runs: EvalRunRow[] } {
  const root = obj(json);
  if (!root || !Array.isArray(root.configurations) || !Array.isArray(root.runs)) {
    throw new EvalResultsError(`${file} is not an evaluation's results: it needs "configurations" and "runs" lists`);
  }
  const configurations = root.configurations.map((c, i) => {
    const o = obj(c);
    if (!o) {
      throw new EvalResultsError(`${file}: configurations[${i}] is not an object`);
    }
    return configurationRow(o, `${file}: configurations[${i}]`);
  });
  const runs = root.runs.map((r, i) => {
    const o = obj(r);
    if (!o) {
      throw new EvalResultsError(`${file}: runs[${i}] is not an object`);
    }
    return runRow(o, `${file}: runs[${i}]`);
  });
  return { configurations, runs };
}
