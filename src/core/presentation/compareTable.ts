// Side-by-side numbers for SpecReason against base-only (and small-only) decoding, as rows, cells and the
// CLI's table (in the panel's words, e.g. the speedup's "1.47× faster"). Pure functions.

import { answersAgree } from '../engine/answer';
import type { RunMode, StepPolicyName } from '../config';
import {
  DASH,
  formatCount,
  formatMs,
  formatRate,
  formatSpeedup,
  MODE_LABEL,
  POLICY_LABEL,
  speedupDetail,
  speedupHeadline,
  STOP_REASON_LABEL,
} from './format';
import type { RunRecord, RunSummary } from '../engine/runRecord';

/** What tells a comparison's runs apart: a policy other than SpecReason's own, else the mode. */
export type RunKey = RunMode | StepPolicyName;

export function runKey(summary: Pick<RunSummary, 'mode' | 'policy'>): RunKey {
  return summary.mode === 'specreason' && summary.policy ? summary.policy : summary.mode;
}

/** "SpecReason", "first-token", "Base only". */
export function runKeyLabel(key: RunKey): string {
  return key in MODE_LABEL ? MODE_LABEL[key as RunMode] : POLICY_LABEL[key as StepPolicyName];
}

export interface CompareRow {
  mode: RunSummary['mode'];
  /** Set when a policy other than SpecReason's own ran (absent: the mode tells the runs apart). */
  key?: RunKey;
  wallMs: number;
  ttftMs?: number;
  smallTokens: number;
  baseTokens: number;
  steps: number;
  acceptanceRate?: number;
  answer?: string;
  stopReason: RunSummary['stopReason'];
  wastedTokens: number;
}

export interface Comparison {
  rows: CompareRow[];
  /** base-only wall time ÷ SpecReason wall time (the first run of the SpecReason loop); undefined unless both finished. */
  speedup?: number;
  /** Per run of the SpecReason loop (each policy), base-only wall time ÷ its wall time, when both finished. */
  speedups?: Partial<Record<RunKey, number>>;
  /** Whether every answer equals SpecReason's (undefined when an answer is missing). */
  answersAgree?: boolean;
}

export function compareRow(summary: RunSummary): CompareRow {
  return {
    mode: summary.mode,
    ...(runKey(summary) !== summary.mode ? { key: runKey(summary) } : {}),
    wallMs: summary.wallMs,
    ttftMs: summary.ttftMs,
    smallTokens: summary.small.tokens,
    baseTokens: summary.base.tokens,
    steps: summary.steps,
    acceptanceRate: summary.acceptanceRate,
    answer: summary.answer,
    stopReason: summary.stopReason,
    wastedTokens: summary.small.wastedTokens + summary.base.wastedTokens,
  };
}

const completed = (s: RunSummary | undefined) =>
  s !== undefined && (s.stopReason === 'finished' || s.stopReason === 'budget');

export function compare(summaries: readonly RunSummary[]): Comparison {
  const spec = summaries.find((s) => s.mode === 'specreason');
  const base = summaries.find((s) => s.mode === 'base');
  const speedupOf = (s: RunSummary | undefined) =>
    completed(s) && completed(base) && s!.wallMs > 0 ? base!.wallMs / s!.wallMs : undefined;
  const speedup = speedupOf(spec);
  const loops = summaries.filter((s) => s.mode === 'specreason');
  const speedups: Partial<Record<RunKey, number>> = {};
  for (const s of loops) {
    const value = speedupOf(s);
    if (value !== undefined && speedups[runKey(s)] === undefined) {
      speedups[runKey(s)] = value;
    }
  }
  let agree: boolean | undefined = true;
  for (const s of summaries) {
    if (s === spec) {
      continue;
    }
    const same = answersAgree(spec?.answer, s.answer);
    if (same === undefined) {
      agree = undefined;
      break;
    }
    agree = agree && same;
  }
  return {
    rows: summaries.map(compareRow),
    speedup,
    ...(loops.length > 1 ? { speedups } : {}),
    answersAgree: summaries.length > 1 ? agree : undefined,
  };
}

export function compareRecords(records: readonly RunRecord[]): Comparison {
  return compare(records.map((r) => r.summary));
}

/**
 * A comparison as exported (the CLI's --json, the panel's Export JSON): `{comparison, runs}`; repeated, with
 * every round's comparison and the speedup's median and range too (`comparison` is then the last round's).
 */
export function comparisonExport(rounds: readonly (readonly RunRecord[])[], repeated: boolean, warmedUp?: boolean) {
  const comparisons = rounds.map((r) => compareRecords(r));
  const comparison = comparisons[comparisons.length - 1] ?? compare([]);
  const runs = rounds.flat();
  if (!repeated) {
    return { comparison, runs };
  }
  const speedup = repeatedSpeedup(rounds.map((r) => r.map((record) => record.summary)));
  return { comparison, rounds: comparisons, speedup, ...(warmedUp === undefined ? {} : { warmedUp }), runs };
}

export type CompareColumn = 'wall' | 'ttft' | 'small' | 'base' | 'steps' | 'acceptance' | 'answer' | 'stop' | 'wasted';

/** The comparison table's columns after the run's name, with their headings. */
export const COMPARE_COLUMNS: ReadonlyArray<readonly [CompareColumn, string]> = [
  ['wall', 'Wall time'],
  ['ttft', 'First token'],
  ['small', 'Small tokens'],
  ['base', 'Base tokens'],
  ['steps', 'Steps'],
  ['acceptance', 'Acceptance'],
  ['answer', 'Answer'],
  ['stop', 'Stop reason'],
  ['wasted', 'Wasted tokens'],
];

/** One finished run's cells as text (the answer as the model wrote it, TeX included). */
export function compareCells(row: CompareRow): Record<CompareColumn, string> {
  return {
    wall: formatMs(row.wallMs),
    ttft: formatMs(row.ttftMs),
    small: formatCount(row.smallTokens),
    base: formatCount(row.baseTokens),
    steps: formatCount(row.steps),
    acceptance: row.mode === 'specreason' ? formatRate(row.acceptanceRate) : DASH,
    answer: row.answer ?? DASH,
    stop: STOP_REASON_LABEL[row.stopReason],
    wasted: formatCount(row.wastedTokens),
  };
}

/** Rows as a plain-text table under the comparison's headings, one line per labelled row. */
function tableText(rows: ReadonlyArray<readonly [string, CompareRow]>): string[] {
  const header = ['Run', ...COMPARE_COLUMNS.map(([, label]) => label)];
  const lines = rows.map(([label, row]) => {
    const cells = compareCells(row);
    return [label, ...COMPARE_COLUMNS.map(([key]) => cells[key])];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const textColumn = header.map((h) => h === 'Run' || h === 'Answer' || h === 'Stop reason');
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (textColumn[i] ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [format(header), ...lines.map(format)];
}

function agreementText(agree: boolean | undefined): string {
  return agree === undefined ? 'answers: not all known' : agree ? 'answers agree' : 'answers differ';
}

/** One speedup per policy when several ran ("SpecReason 1.40×, first-token 1.85×"); base only is the reference. */
function speedupsText(comparison: Comparison): string {
  if (!comparison.speedups) {
    return `${formatSpeedup(comparison.speedup)} (base-only wall time ÷ SpecReason wall time)`;
  }
  const keys = [...new Set(comparison.rows.filter((r) => r.mode === 'specreason').map((r) => r.key ?? r.mode))];
  return `${keys.map((k) => `${runKeyLabel(k)} ${formatSpeedup(comparison.speedups![k])}`).join(', ')} (base-only wall time ÷ each run's wall time)`;
}

/** The comparison as a plain-text table (the CLI's), one line per run, then the speedup and agreement. */
export function comparisonText(comparison: Comparison): string {
  const hasBase = comparison.rows.some((r) => r.mode === 'base');
  return [
    ...tableText(comparison.rows.map((row) => [runKeyLabel(row.key ?? row.mode), row] as const)),
    '',
    hasBase
      ? `speedup vs base only: ${speedupsText(comparison)}; ${agreementText(comparison.answersAgree)}`
      : `speedup vs base only: ${DASH} (no base-only run in this comparison); ${agreementText(comparison.answersAgree)}`,
    '',
  ].join('\n');
}

/**
 * A repeated comparison as text: every round's rows ("SpecReason #2"), each mode's wall time (median and range),
 * then the speedup's median and range, or a tie, and whether every round's answers agree.
 */
export function repeatedComparisonText(rounds: readonly Comparison[], repeated: RepeatedSpeedup): string {
  const rows = rounds.flatMap((c, i) =>
    c.rows.map((row) => [`${runKeyLabel(row.key ?? row.mode)} #${i + 1}`, row] as const),
  );
  const walls = (Object.entries(repeated.wall) as Array<[RunKey, Spread]>).map(
    ([key, w]) => `${runKeyLabel(key)} ${formatMs(w.median)} (${formatMs(w.low)}–${formatMs(w.high)})`,
  );
  const policies = Object.entries(repeated.policies ?? {}) as Array<[RunKey, RepeatedSpeedup]>;
  const agreements = rounds.map((c) => c.answersAgree);
  const agree = agreements.includes(false) ? false : agreements.includes(undefined) ? undefined : true;
  return [
    ...tableText(rows),
    '',
    `wall time, median (range) of ${rounds.length} runs: ${walls.join(', ') || DASH}`,
    policies.length > 1
      ? `speedup vs base only: ${policies.map(([key, r]) => `${runKeyLabel(key)} ${speedupHeadline(r)} — ${speedupDetail(r)}`).join('; ')} (base-only wall time ÷ each run's wall time); ${agreementText(agree)}`
      : `speedup vs base only: ${speedupHeadline(repeated)} — ${speedupDetail(repeated)} (base-only wall time ÷ SpecReason wall time); ${agreementText(agree)}`,
    '',
  ].join('\n');
}

// ---- A comparison repeated ----
// One round is one noisy sample (the same Compare gave 1.01× to 1.78× in a row), so a repeated comparison shows
// each round's speedup, their median and range, and calls a speedup only when the rounds agree on its direction.

/** What the rounds say, in words: faster, slower, or a tie (the rounds' range includes no difference)., in words: faster, slower, or a tie (the rounds' range includes no difference). */
export type SpeedupVerdict = 'faster' | 'slower' | 'tie';

export interface Spread {
  median: number;
  low: number;
  high: number;
  /** How many rounds the numbers cover. */
  samples: number;
}

export interface RepeatedSpeedup {
  /** base-only wall time ÷ SpecReason's, per round where both completed (round order). */
  samples: number[];
  /** The speedups' median and range; undefined until a round completed. */
  speedup?: Spread;
  verdict?: SpeedupVerdict;
  /** Wall time per mode (each policy apart) over the completed rounds. */
  wall: Partial<Record<RunKey, Spread>>;
  /** When several policies ran: each one's speedup against base only, as above. */
  policies?: Partial<Record<RunKey, RepeatedSpeedup>>;
}

/** The median of numbers (the mean of the middle two for an even count); undefined for none. */
export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) {
    return undefined;
  }
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function spread(values: readonly number[]): Spread | undefined {
  const m = median(values);
  return m === undefined
    ? undefined
    : { median: m, low: Math.min(...values), high: Math.max(...values), samples: values.length };
}

/**
 * The rounds' speedups as one honest number: the median with the range. With two rounds or more, a range
 * that reaches 1× both ways is a tie (some rounds were faster, some slower: the difference is inside the
 * spread); one round gives a direction but no spread.
 */
export function repeatedSpeedup(rounds: readonly (readonly RunSummary[])[]): RepeatedSpeedup {
  const keys = [...new Set(rounds.flatMap((r) => r.map(runKey)))];
  const loops = keys.filter((k) => rounds.some((r) => r.some((s) => s.mode === 'specreason' && runKey(s) === k)));
  const wall: RepeatedSpeedup['wall'] = {};
  for (const key of keys) {
    const walls = rounds.flatMap((r) => r.filter((s) => runKey(s) === key && completed(s)).map((s) => s.wallMs));
    const w = spread(walls);
    if (w) {
      wall[key] = w;
    }
  }
  const result = speedupOfSamples(
    rounds.map((summaries) => compare(summaries).speedup).filter((s): s is number => s !== undefined),
    wall,
  );
  if (loops.length > 1) {
    result.policies = Object.fromEntries(
      loops.map((key) => [
        key,
        speedupOfSamples(
          rounds.map((s) => compare(s).speedups?.[key]).filter((s): s is number => s !== undefined),
          wall,
        ),
      ]),
    );
  }
  return result;
}

function speedupOfSamples(samples: number[], wall: RepeatedSpeedup['wall']): RepeatedSpeedup {
  const speedup = spread(samples);
  let verdict: SpeedupVerdict | undefined;
  if (speedup) {
    verdict =
      speedup.samples > 1 && speedup.low <= 1 && speedup.high >= 1 ? 'tie' : speedup.median >= 1 ? 'faster' : 'slower';
  }
  return { samples, speedup, verdict, wall };
}
