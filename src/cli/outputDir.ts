// --output_dir DIR/<problem_id>/<repeat_id>.json, as the reference writes it: a run that completed is
// skipped on a rerun; one that failed, was cancelled or stopped by a guard is run again, and its old
// record is kept beside the new one (R.failed.json, R.cancelled.json, …).

import { existsSync, readFileSync, renameSync } from 'node:fs';
import path from 'node:path';
import type { RunRecord, StopReason } from '../core/engine/runRecord';

/** Stop reasons of a run that is done: it reached an answer or its token budget. */
const DONE: readonly StopReason[] = ['finished', 'budget'];

export type OutputSlot =
  | { state: 'done'; file: string; stopReason: StopReason }
  | { state: 'new'; file: string }
  | { state: 'retry'; file: string; previous: string };

export function outputSlot(dir: string, problemId: string, repeatId: number): OutputSlot {
  const file = path.join(dir, problemId, `${repeatId}.json`);
  if (!existsSync(file)) {
    return { state: 'new', file };
  }
  let stopReason: string | undefined;
  try {
    stopReason = (JSON.parse(readFileSync(file, 'utf8')) as Partial<RunRecord>).summary?.stopReason;
  } catch {
    stopReason = undefined;
  }
  if (stopReason !== undefined && DONE.includes(stopReason as StopReason)) {
    return { state: 'done', file, stopReason: stopReason as StopReason };
  }
  return { state: 'retry', file, previous: stopReason === undefined ? 'unreadable' : labelOf(stopReason) };
}

const labelOf = (stopReason: string) => (stopReason === 'error' ? 'failed' : stopReason.replace(/[^\w-]/g, '_'));

/** Move the previous record of a retried run aside (R.failed.json, then R.failed.2.json, …); returns its new path. */
export function keepPrevious(slot: Extract<OutputSlot, { state: 'retry' }>): string {
  const stem = slot.file.replace(/\.json$/, '');
  let aside = `${stem}.${slot.previous}.json`;
  for (let n = 2; existsSync(aside); n++) {
    aside = `${stem}.${slot.previous}.${n}.json`;
  }
  renameSync(slot.file, aside);
  return aside;
}
