// Side-by-side numbers for SpecReason against base-only (and small-only) decoding. Pure functions.

import { answersAgree } from './answer';
import type { RunRecord, RunSummary } from './runRecord';

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
