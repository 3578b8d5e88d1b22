// The evaluation commands of the `specreason` CLI: `grade` (and `eval`, `demo-eval`), registered by cli.ts.

import type { Command } from 'commander';
import { gradePairsFile, InputError } from './grade';

const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

/** Run a command body, turning input errors into one clear line and exit code 2. */
async function guarded(body: () => Promise<number>): Promise<void> {
  try {
    process.exitCode = await body();
  } catch (error) {
    if (error instanceof InputError) {
      process.stderr.write(`specreason: ${error.message}\n`);
      process.exitCode = EXIT.usage;
      return;
    }
    throw error;
  }
}

export function registerEvalCommands(program: Command): void {
  program
    .command('grade')
    .description(
      'grade answers: --pairs FILE.jsonl of {"gold", "response"[, "choices"]} lines, or re-grade an eval DIR',
    )
    .argument('[dir]', 'an evaluation output directory to re-grade')
    .option('--pairs <file.jsonl>', 'one {"gold": …, "response": …} object a line; prints one verdict a line')
    .option('--json', 'JSON output (pairs: one {"correct", "extracted", "rule"} line per input line)')
    .action(async (dir: string | undefined, flags: { pairs?: string; json?: boolean }) =>
      guarded(async () => {
        if (flags.pairs === undefined && dir === undefined) {
          throw new InputError('give --pairs FILE.jsonl or an evaluation directory');
        }
        if (flags.pairs !== undefined) {
          await gradePairsFile(flags.pairs, !!flags.json, (text) => process.stdout.write(text));
          return EXIT.ok;
        }
        throw new InputError('re-grading a directory is not available yet');
      }),
    );
}
