// `specreason solve`: one problem, one run (SpecReason or a baseline), progress on stderr, the run as JSON.
// Also spec_reason.py's batch spelling: --dataset/--problem_id/--repeat_id/--output_dir.

import type { Command } from 'commander';
import { RUN_MODES, type RunMode } from '../core/config';
import { run } from '../core/engine/specReason';
import type { RunRecord } from '../core/engine/runRecord';
import { HOST_SETTINGS } from '../core/settingsTable';
import { EXIT, UserError } from './errors';
import { addSolveOptions, configFrom, type RunFlags } from './options';
import { keepPrevious, outputSlot } from './outputDir';
import { checkOutputPath, writeRecord } from './outputFile';
import { checkProblemId, problemFromFlags } from './problemInput';
import { progressPrinter } from './progress';
import { cancelOnSignals } from './signals';
import { writeErr, writeOut } from './terminal';
import { printUrlHints } from './urlHint';

export function registerSolveCommand(program: Command): void {
  addSolveOptions(program.command('solve').description('solve one problem and write the run as JSON')).action(
    async (flags: RunFlags) => {
      process.exitCode = await solve(flags);
    },
  );
}

/** Runs `solve`; `extraHeader` is printed on stderr before the run starts (the demo's banner). */
export async function solve(flags: RunFlags, extraHeader?: string): Promise<number> {
  const config = configFrom(flags);
  const mode = (flags.mode ?? 'specreason') as RunMode;
  if (!RUN_MODES.includes(mode)) {
    throw new UserError(`--mode must be ${RUN_MODES.join(', ')} (got ${flags.mode})`);
  }
  const source = problemFromFlags(
    flags,
    config.promptStyle,
    flags.maxProblemLength ?? HOST_SETTINGS.maxProblemLength.default,
  );
  let outFile = flags.out;
  let retry: ReturnType<typeof outputSlot> | undefined;
  if (flags.output_dir !== undefined) {
    if (source.datasetId === undefined) {
      throw new UserError(
        '--output_dir needs --dataset and --problem_id (it writes DIR/<problem_id>/<repeat_id>.json)',
      );
    }
    const slot = outputSlot(flags.output_dir, checkProblemId(source.datasetId), flags.repeat_id ?? 0);
    if (slot.state === 'done') {
      writeErr(`Problem ${source.datasetId} repeat ${flags.repeat_id ?? 0} resolved (${slot.file} exists), exiting\n`);
      return EXIT.ok;
    }
    if (slot.state === 'retry') {
      writeErr(
        `Problem ${source.datasetId} repeat ${flags.repeat_id ?? 0}: ${slot.file} did not complete (${slot.previous}); running it again\n`,
      );
      retry = slot;
    }
    outFile = slot.file;
  }
  if (outFile !== undefined) {
    checkOutputPath(outFile, flags.output_dir !== undefined ? '--output_dir' : '--out');
  }
  if (extraHeader) {
    writeErr(extraHeader + '\n');
  }
  const controller = new AbortController();
  const signals = cancelOnSignals(controller, writeErr);
  let record: RunRecord;
  try {
    record = await run(mode, source.problem, config, {
      signal: controller.signal,
      onEvent: progressPrinter(!!flags.quiet),
    });
  } finally {
    signals.dispose();
  }
  const json = JSON.stringify(record, null, 2) + '\n';
  if (outFile) {
    if (retry?.state === 'retry') {
      writeErr(`kept the previous record as ${keepPrevious(retry)}\n`);
    }
    const written = writeRecord(outFile, json, record.runId);
    if (written.error) {
      writeErr(`specreason: could not write ${outFile} (${written.error}); the run is in ${written.path}\n`);
    } else if (!flags.quiet) {
      writeErr(`wrote ${outFile}\n`);
    }
  }
  if (flags.json) {
    await writeOut(json);
  }
  const stop = record.summary.stopReason;
  if (stop === 'error') {
    await printUrlHints(config);
  }
  if (stop === 'cancelled') {
    return signals.exitCode ?? EXIT.cancelled;
  }
  return stop === 'error' ? EXIT.failed : EXIT.ok;
}
