// `specreason`: the engine for scripts and batch evaluation. Also starts the simulated vLLM pair.
// One module per command under src/cli/; this file puts them together and turns errors into exit codes.

import { Command } from 'commander';
import { registerCheckCommand } from './cli/check';
import { registerCompareCommand } from './cli/compare';
import { registerDemoCommand } from './cli/demo';
import { EXIT, isUserError } from './cli/errors';
import { registerEvalCommands } from './cli/eval';
import { registerSimulateCommand } from './cli/simulate';
import { registerSolveCommand } from './cli/solve';
import { endQuietlyOnClosedPipes, writeErr } from './cli/terminal';

export function buildProgram(): Command {
  const program = new Command('specreason')
    .description(
      'SpecReason: a small model drafts each reasoning step, a large model scores it and rewrites the rejected ones.',
    )
    .showHelpAfterError()
    .exitOverride();
  registerSolveCommand(program);
  registerCheckCommand(program);
  registerSimulateCommand(program);
  registerDemoCommand(program);
  registerEvalCommands(program);
  registerCompareCommand(program);
  return program;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : EXIT.ok;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help') {
      return EXIT.ok;
    }
    if (code?.startsWith('commander.')) {
      return EXIT.usage;
    } // commander printed the message
    if (isUserError(error)) {
      writeErr(`specreason: ${error.message}\n`);
      return EXIT.usage;
    }
    writeErr(`specreason: ${(error as Error).stack ?? String(error)}\n`);
    return EXIT.failed;
  }
}

if (require.main === module) {
  endQuietlyOnClosedPipes();
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}
