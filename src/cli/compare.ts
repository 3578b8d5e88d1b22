// `specreason compare`: SpecReason against base-only (and small-only) decoding on one problem, or any two
// or more modes (`--modes specreason,first-token,base`), printing the panel's table (wall time, first token,
// tokens by model, acceptance, answers, each policy's speedup against base only) or --json.
// Takes every `solve` option that chooses the servers, the problem and the settings.

import { InvalidArgumentError, Option, type Command } from 'commander';
import { comparisonExport, comparisonText, repeatedComparisonText } from '../core/presentation/compareTable';
import {
  comparisonModes,
  runRepeatedComparison,
  type ComparisonMode,
  type RepeatedComparisonResult,
} from '../core/engine/comparison';
import { EVAL_MODES } from '../core/eval/modes';
import type { RunEvent } from '../core/engine/runRecord';
import type { SpecReasonConfig } from '../core/config';
import { COMPARE_ORDERS, HOST_SETTINGS, parseNumberText, type CompareOrder } from '../core/settingsTable';
import { EXIT, UserError } from './errors';
import { addSolveOptions, configFrom, type RunFlags } from './options';
import { problemFromFlags, type ProblemFlags } from './problemInput';
import { progressPrinter } from './progress';
import { cancelOnSignals } from './signals';
import { stripControlSequences, writeErr, writeOut } from './terminal';

/** `solve` options that make no sense for a comparison (it runs every mode, and prints rather than writes). */
const NOT_FOR_COMPARE = new Set(['mode', 'out', 'json', 'repeat_id', 'output_dir']);

interface CompareFlags extends ProblemFlags {
  order: CompareOrder;
  includeSmall?: boolean;
  modes?: ComparisonMode[];
  repeat: number;
  warmup: boolean;
  json?: boolean;
  quiet?: boolean;
  maxProblemLength?: number;
  [solveOption: string]: unknown;
}

const ROUNDS = HOST_SETTINGS.compareRounds;

function wholeRounds(value: string): number {
  const parsed = parseNumberText('--repeat', ROUNDS, value);
  if ('problem' in parsed) {
    throw new InvalidArgumentError(parsed.problem);
  }
  return parsed.value;
}

/** `--modes a,b,c`: two or more distinct step policies and baselines. */
function modeList(value: string): ComparisonMode[] {
  const modes = value
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const mode of modes) {
    if (!EVAL_MODES.includes(mode as ComparisonMode)) {
      throw new InvalidArgumentError(`"${mode}" is not one of ${EVAL_MODES.join(', ')}`);
    }
  }
  if (new Set(modes).size !== modes.length || modes.length < 2) {
    throw new InvalidArgumentError('give two or more different modes, e.g. specreason,first-token,base');
  }
  return modes as ComparisonMode[];
}

export function registerCompareCommand(program: Command): void {
  const command = program
    .command('compare')
    .description(
      'run SpecReason and base-only decoding (and small-only), or any modes (--modes), on one problem and print how they compare',
    )
    .addOption(
      new Option('--order <order>', 'one run after the other (fair timings) or all at once')
        .choices(COMPARE_ORDERS)
        .default('sequential'),
    )
    .option('--include-small', 'also run small-model-only decoding')
    .option(
      '--modes <list>',
      `the runs to compare, two or more of ${EVAL_MODES.join(', ')} (comma-separated; base gives the speedups)`,
      modeList,
    )
    .addOption(
      new Option(ROUNDS.cli.flags, `${ROUNDS.cli.help} (${ROUNDS.min}–${ROUNDS.max}; 3 or more for a fair number)`)
        .argParser(wholeRounds)
        .default(ROUNDS.default),
    )
    .option('--no-warmup', 'time the first round cold (default: one one-token request to each server first)')
    .option('--json', 'print {"comparison", "runs"} as JSON on stdout instead of the table');
  addSolveOptions(command, NOT_FOR_COMPARE);
  command.action(async (flags: CompareFlags) => {
    process.exitCode = await compare(
      flags,
      configFrom(flags as CompareFlags & RunFlags),
      progressPrinter(!!flags.quiet),
    );
  });
}

async function compare(
  flags: CompareFlags,
  config: SpecReasonConfig,
  progress: (event: RunEvent) => void,
): Promise<number> {
  const { problem } = problemFromFlags(
    flags,
    config.promptStyle,
    flags.maxProblemLength ?? HOST_SETTINGS.maxProblemLength.default,
  );
  if (flags.modes && flags.includeSmall) {
    throw new UserError('give small in --modes instead of --include-small');
  }
  if (flags.modes && config.stepPolicy !== undefined && flags.policy !== undefined) {
    throw new UserError('give the policies to compare in --modes instead of --policy');
  }
  // With --modes, `specreason` is SpecReason's own policy; without, the configured policy against base only.
  const modes = flags.modes ?? comparisonModes(!!flags.includeSmall);
  const runConfig: SpecReasonConfig = { ...config };
  if (flags.modes) {
    delete runConfig.stepPolicy;
  }
  const controller = new AbortController();
  const signals = cancelOnSignals(controller, writeErr);
  let result: RepeatedComparisonResult;
  try {
    result = await runRepeatedComparison(problem, modes, runConfig, {
      rounds: flags.repeat,
      warmUp: flags.warmup,
      order: flags.order,
      signal: controller.signal,
      onEvent: (event) => progress(event),
    });
  } finally {
    signals.dispose();
  }
  const comparisons = result.rounds.map((r) => r.comparison);
  const last = comparisons[comparisons.length - 1]!;
  // The same shape as the extension's Export Run of a comparison (with the rounds when repeated).
  const json = comparisonExport(
    result.rounds.map((r) => r.records),
    flags.repeat > 1,
    result.warmedUp,
  );
  await writeOut(
    flags.json
      ? JSON.stringify(json, null, 2) + '\n'
      : stripControlSequences(
          flags.repeat > 1 ? repeatedComparisonText(comparisons, result.speedup) : comparisonText(last),
        ),
  );
  const stops = result.records.map((r) => r.summary.stopReason);
  if (stops.includes('error')) {
    return EXIT.failed;
  }
  return stops.includes('cancelled') ? (signals.exitCode ?? EXIT.cancelled) : EXIT.ok;
}
