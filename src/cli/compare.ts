// `specreason compare`: SpecReason against base-only (and small-only) decoding on one problem, with the
// panel's table (wall time, first token, tokens by model, acceptance, answers, speedup) or --json.

import { Option, type Command } from 'commander';
import { comparisonText } from '../core/compare';
import { comparisonModes, runComparison } from '../core/comparison';
import type { SpecReasonConfig } from '../core/config';
import type { Problem } from '../core/prompts';
import type { RunEvent } from '../core/runRecord';

const EXIT = { ok: 0, runFailed: 1, cancelled: 130 } as const;

/** What `compare` shares with `solve`; cli.ts provides it. */
export interface RunCommandKit {
  /** Adds the options that choose the servers, the models and the run settings. */
  runOptions(cmd: Command): Command;
  /** The run config from those options (a usage error when one is invalid). */
  configFrom(flags: Record<string, unknown>): SpecReasonConfig;
  /** The problem from --problem or --problem-file (a usage error when there is none). */
  problemFrom(flags: Record<string, unknown>, config: SpecReasonConfig): Problem;
  /** Progress lines on stderr (nothing when quiet). */
  progress(quiet: boolean): (event: RunEvent) => void;
}

interface CompareFlags extends Record<string, unknown> {
  order: 'sequential' | 'concurrent';
  includeSmall?: boolean;
  json?: boolean;
  quiet?: boolean;
}

export function registerCompareCommand(program: Command, kit: RunCommandKit): void {
  kit
    .runOptions(
      program
        .command('compare')
        .description('run SpecReason and base-only decoding (and small-only) on one problem and compare them'),
    )
    .option('--problem <text>', 'the problem text')
    .option('--problem-file <path>', 'read the problem from a file')
    .addOption(
      new Option('--order <order>', 'one run after the other (fair timings) or all at once')
        .choices(['sequential', 'concurrent'])
        .default('sequential'),
    )
    .option('--include-small', 'also run small-model-only decoding')
    .option('--json', 'print {"comparison", "runs"} as JSON on stdout instead of the table')
    .option('-q, --quiet', 'no progress lines')
    .action(async (flags: CompareFlags) => {
      process.exitCode = await compareCommand(flags, kit);
    });
}

async function compareCommand(flags: CompareFlags, kit: RunCommandKit): Promise<number> {
  const config = kit.configFrom(flags);
  const problem = kit.problemFrom(flags, config);
  const controller = new AbortController();
  const onSigint = () => {
    process.stderr.write('\ncancelling… (finished runs are still reported)\n');
    controller.abort();
  };
  process.once('SIGINT', onSigint);
  const progress = kit.progress(!!flags.quiet);
  let result: Awaited<ReturnType<typeof runComparison>>;
  try {
    result = await runComparison(problem, comparisonModes(!!flags.includeSmall), config, {
      order: flags.order,
      signal: controller.signal,
      onEvent: (event) => progress(event),
    });
  } finally {
    process.removeListener('SIGINT', onSigint);
  }
  process.stdout.write(
    flags.json
      ? JSON.stringify({ comparison: result.comparison, runs: result.records }, null, 2) + '\n'
      : comparisonText(result.comparison),
  );
  const stops = result.records.map((r) => r.summary.stopReason);
  if (stops.includes('error')) {
    return EXIT.runFailed;
  }
  return stops.includes('cancelled') ? EXIT.cancelled : EXIT.ok;
}
