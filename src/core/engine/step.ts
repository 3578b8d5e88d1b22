// How a run produces its reasoning steps. The loop (runSpecReason) asks a step producer for one step at
// a time and applies the run's stop rules to each; a producer decides how the step is written: who
// drafts, who judges, what falls back. A new way of producing steps is a new producer, not a new loop.

import type { StepRecord } from './runRecord';
import type { RunContext } from './runContext';

/** The step the loop asks for, and where the reasoning stands. */
export interface StepSlot {
  readonly stepId: number;
  /** The kept steps' texts so far: the context of the step's requests. */
  readonly steps: readonly string[];
  /** When the loop started the step (its record's timings start here). */
  readonly startedAt: number;
}

/** A step as its producer decided it; the loop keeps it, then applies the stop rules. */
export interface ProducedStep {
  /** Its record; `stop_reason` set by the producer (a run guard, e.g. max_step_chars) ends the run with it. */
  record: StepRecord;
  /** The step carries the reasoning's finish marker (before any clean-up of its text). */
  finished: boolean;
}

/**
 * One way of producing steps. Contract with the loop:
 * - `next` emits the step's events (`step-start` first, then its deltas, drafts, scores) and counts its
 *   requests in the run's summary; it does not emit `step-done` (the loop does, with the stop reason).
 * - Speculative work goes through `run.startLane` (or `run.discard`), so the run counts the waste and
 *   aborts what is still in flight when it ends, whenever that is: a producer never cleans up at the end.
 * - It may keep state across steps (work started ahead for the next step, an adaptive threshold read
 *   from `run.steps`); a producer that decides several steps at once hands them out on the next calls,
 *   checking that `slot.steps` is still the context it decided them for.
 * - It throws what its requests throw: the run ends with the error and keeps the steps before it.
 */
export interface StepProducer {
  next(slot: StepSlot): Promise<ProducedStep>;
}

/** A way of producing the steps after the forced base steps, made once per run. */
export type StepPolicy = (run: RunContext) => StepProducer;
