// Side-by-side numbers for SpecReason against base-only (and small-only) decoding, as rows, cells and the
// CLI's table (in the panel's words, e.g. the speedup's "1.47× faster"). Pure functions.

import { answersAgree } from '../engine/answer';
import { DASH, formatCount, formatMs, formatRate, formatSpeedup, MODE_LABEL, STOP_REASON_LABEL } from './format';
import type { RunRecord, RunSummary } from '../engine/runRecord';

export interface CompareRow {
  mode: RunSummary['mode'];
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
  /** base-only wall time ÷ SpecReason wall time; undefined unless both finished. */
  speedup?: number;
  /** Whether every answer equals SpecReason's (undefined when an answer is missing). */
  answersAgree?: boolean;
}

export function compareRow(summary: RunSummary): CompareRow {
  return {
    mode: summary.mode,
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
  const speedup = completed(spec) && completed(base) && spec!.wallMs > 0 ? base!.wallMs / spec!.wallMs : undefined;
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
  return { rows: summaries.map(compareRow), speedup, answersAgree: summaries.length > 1 ? agree : undefined };
}

export function compareRecords(records: readonly RunRecord[]): Comparison {
  return compare(records.map((r) => r.summary));
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

/** The comparison as a plain-text table (the CLI's), one line per run, then the speedup and agreement. */
export function comparisonText(comparison: Comparison): string {
  const header = ['Run', ...COMPARE_COLUMNS.map(([, label]) => label)];
  const lines = comparison.rows.map((row) => {
    const cells = compareCells(row);
    return [MODE_LABEL[row.mode], ...COMPARE_COLUMNS.map(([key]) => cells[key])];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const textColumn = header.map((h) => h === 'Run' || h === 'Answer' || h === 'Stop reason');
  const format = (cells: string[]) =>
    cells
      .map((c, i) => (textColumn[i] ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
      .join('  ')
      .trimEnd();
  const agree =
    comparison.answersAgree === undefined
      ? 'answers: not all known'
      : comparison.answersAgree
        ? 'answers agree'
        : 'answers differ';
  return [
    format(header),
    ...lines.map(format),
    '',
    `speedup vs base only: ${formatSpeedup(comparison.speedup)} (base-only wall time ÷ SpecReason wall time); ${agree}`,
    '',
  ].join('\n');
}
