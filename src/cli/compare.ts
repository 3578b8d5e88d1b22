// `specreason compare`: SpecReason against base-only (and small-only) decoding on one problem, printing
// the panel's table (wall time, first token, tokens by model, acceptance, answers, speedup) or --json.
// Registered by cli.ts; takes every `solve` option that chooses the servers, the problem and the settings.

import { Option, type Command } from 'commander';
import { comparisonText } from '../core/compare';
import { comparisonModes, runComparison, type ComparisonResult } from '../core/comparison';
import type { SpecReasonConfig } from '../core/config';
import type { RunEvent } from '../core/runRecord';
import { COMPARE_ORDERS, HOST_SETTINGS, type CompareOrder } from '../core/settingsTable';
import { problemFromFlags, type ProblemFlags } from './problemInput';
import { cancelOnSignals } from './signals';
import { stripControlSequences, writeErr, writeOut } from './terminal';

const EXIT = { ok: 0, runFailed: 1, cancelled: 130 } as const;

/** `solve` options that make no sense for a comparison (it runs every mode, and prints rather than writes). */
const NOT_FOR_COMPARE = new Set(['mode', 'out', 'json', 'repeat_id', 'output_dir']);

interface CompareFlags extends ProblemFlags {
  order: CompareOrder;
  includeSmall?: boolean;
  json?: boolean;
  quiet?: boolean;
  maxProblemLength?: number;
  [solveOption: string]: unknown;
}

export function registerCompareCommand(
  program: Command,
  configFrom: (flags: never) => SpecReasonConfig,
  progressPrinter: (quiet: boolean) => (event: RunEvent) => void,
): void {
  const command = program
    .command('compare')
    .description('run SpecReason and base-only decoding (and small-only) on one problem and print how they compare')
    .addOption(
      new Option('--order <order>', 'one run after the other (fair timings) or all at once')
        .choices(COMPARE_ORDERS)
        .default('sequential'),
    )
    .option('--include-small', 'also run small-model-only decoding')
    .option('--json', 'print {"comparison", "runs"} as JSON on stdout instead of the table');
  const solve = program.commands.find((c) => c.name() === 'solve');
  for (const option of solve?.options ?? []) {
    if (!NOT_FOR_COMPARE.has(option.attributeName())) {
      command.addOption(option);
    }
  }
  command.action(async (flags: CompareFlags) => {
    process.exitCode = await compare(flags, configFrom(flags as never), progressPrinter(!!flags.quiet));
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
  const controller = new AbortController();
  const signals = cancelOnSignals(controller, writeErr);
  let result: ComparisonResult;
  try {
    result = await runComparison(problem, comparisonModes(!!flags.includeSmall), config, {
      order: flags.order,
      signal: controller.signal,
      onEvent: (event) => progress(event),
    });
  } finally {
    signals.dispose();
  }
  // The same shape as the extension's Export Run of a comparison.
  await writeOut(
    flags.json
      ? JSON.stringify({ comparison: result.comparison, runs: result.records }, null, 2) + '\n'
      : stripControlSequences(comparisonText(result.comparison)),
  );
  const stops = result.records.map((r) => r.summary.stopReason);
  if (stops.includes('error')) {
    return EXIT.runFailed;
  }
  return stops.includes('cancelled') ? (signals.exitCode ?? EXIT.cancelled) : EXIT.ok;
}
