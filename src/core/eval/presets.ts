// The reference spec_reason.py's selections as presets: its data set and problem range, its own defaults
// (threshold 7, greedy scoring, token budget 8192, one run per problem), SpecReason and base-only. Its experiment
// script (spec_reason_della.sh) ran threshold 9 with 16 repeats: add `--thresholds 9 --repeats 16` for that.

import type { RunMode, ScoreMethod } from '../config';
import type { ChoiceOrder } from './evaluation';

export interface EvalPreset {
  name: string;
  /** One line for pickers and help. */
  title: string;
  /** A named Hub data set (see NAMED_DATASETS). */
  dataset: string;
  /** The reference's range: the first `limit` problems of the set in its order. */
  limit: number;
  /** How the reference numbers these problems (its --problem_id), for the help and the notes. */
  referenceIds: string;
  modes: RunMode[];
  thresholds: number[];
  scoreMethods: ScoreMethod[];
  tokenBudget: number;
  repeats: number;
  choiceOrder: ChoiceOrder;
}

const REFERENCE_DEFAULTS = {
  modes: ['specreason', 'base'] as RunMode[],
  thresholds: [7],
  scoreMethods: ['greedy'] as ScoreMethod[],
  tokenBudget: 8192,
  repeats: 1,
};

export const EVAL_PRESETS: readonly EvalPreset[] = [
  {
    name: 'reference-aime',
    title: 'AIME 2024 problems 60–89, as spec_reason.py --dataset_name aime',
    dataset: 'aime',
    // spec_reason.py reads row problem_id − 60 for ids 60–89: the set's 30 rows in order.
    limit: 30,
    referenceIds: '60–89 (row = id − 60)',
    ...REFERENCE_DEFAULTS,
    choiceOrder: 'shuffled',
  },
  {
    name: 'reference-math',
    title: 'MATH-500 test problems 0–99, as spec_reason.py --dataset_name math',
    dataset: 'math',
    limit: 100,
    referenceIds: '0–99 (row)',
    ...REFERENCE_DEFAULTS,
    choiceOrder: 'shuffled',
  },
  {
    name: 'reference-gpqa',
    title: 'GPQA-Diamond problems 0–99 with the correct answer as (A), as spec_reason.py --dataset_name gpqa',
    dataset: 'gpqa',
    limit: 100,
    referenceIds: '0–99 (row)',
    ...REFERENCE_DEFAULTS,
    // The reference always shows the correct answer as option (A); --choice-order shuffled is the fair variant.
    choiceOrder: 'reference',
  },
];

export const EVAL_PRESET_NAMES = EVAL_PRESETS.map((p) => p.name);

export function presetNamed(name: string): EvalPreset | undefined {
  return EVAL_PRESETS.find((p) => p.name === name);
}
