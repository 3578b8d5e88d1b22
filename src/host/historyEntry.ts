// What the run history lists for a saved session, and how an entry reads in the quick pick. Pure (no
// `vscode`), so Node unit tests cover it.

import { formatSpeedup, MODE_LABEL, SIMULATED_LABEL } from '../core/presentation/format';
import { compareRecords } from '../core/presentation/compareTable';
import type { Problem } from '../core/engine/prompts';
import type { RunRecord } from '../core/engine/runRecord';
import type { ProblemSource, RunGrade } from '../shared/protocol';

export interface SavedSession {
  id: string;
  kind: 'solve' | 'compare';
  problem: Problem;
  records: RunRecord[];
  savedAt: string;
  /** The servers were the simulated pair (the reopened panel says so again). */
  simulated?: boolean;
  /** A run of an evaluation: its gold answer and verdict. */
  graded?: RunGrade;
  /** Where the problem came from ("Go to source" and the note work in a reopened panel too). */
  problemSource?: ProblemSource;
  problemNote?: string;
}

export interface HistoryEntry {
  id: string;
  kind: 'solve' | 'compare';
  title: string;
  savedAt: string;
  stopReason: string;
  answer?: string;
  simulated?: boolean;
  threshold?: number;
  scoreMethod?: string;
  acceptanceRate?: number;
  /** Comparisons: base-only wall time ÷ SpecReason's. */
  speedup?: number;
}

export function historyEntry(session: SavedSession): HistoryEntry {
  const main = session.records.find((r) => r.mode === 'specreason') ?? session.records[0];
  return {
    id: session.id,
    kind: session.kind,
    title: session.problem.text.replace(/\s+/g, ' ').trim().slice(0, 80),
    savedAt: session.savedAt,
    stopReason: main?.summary.stopReason ?? 'error',
    answer: main?.summary.answer,
    simulated: session.simulated,
    threshold: main?.config.threshold,
    scoreMethod: main?.config.scoreMethod,
    acceptanceRate: main?.summary.acceptanceRate,
    speedup: session.kind === 'compare' ? compareRecords(session.records).speedup : undefined,
  };
}

/** The quick pick's row: the problem; then mode, settings, acceptance and answer; then when and where. */
export function historyItem(e: HistoryEntry): { label: string; description: string; detail: string } {
  const parts = [
    e.kind === 'compare'
      ? `Compare${e.speedup !== undefined ? ` (${formatSpeedup(e.speedup)})` : ''}`
      : MODE_LABEL.specreason,
    e.threshold !== undefined ? `τ ${e.threshold}${e.scoreMethod ? ` ${e.scoreMethod}` : ''}` : undefined,
    e.acceptanceRate !== undefined ? `acceptance ${(e.acceptanceRate * 100).toFixed(0)}%` : undefined,
    e.answer !== undefined ? `answer ${e.answer}` : `${e.stopReason}, no answer`,
  ];
  return {
    label: `${e.kind === 'compare' ? '$(split-horizontal)' : '$(play)'} ${e.title}`,
    description: parts.filter((p) => p !== undefined).join(' · '),
    detail: `${new Date(e.savedAt).toLocaleString()}${e.simulated ? ` · ${SIMULATED_LABEL}` : ''}${e.stopReason !== 'finished' ? ` · ${e.stopReason}` : ''}`,
  };
}
