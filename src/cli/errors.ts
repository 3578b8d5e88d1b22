// How `specreason` ends: its exit codes, and the one error class for bad input (one line on stderr, exit 2).

import { EvalDirectoryError } from '../core/eval/evaluation';
import { ProblemSetError } from '../core/eval/problemSet';

export const EXIT = { ok: 0, failed: 1, usage: 2, cancelled: 130 } as const;

/** Bad input on the command line or in a file it names: the CLI prints the message and exits with 2. */
export class UserError extends Error {}

/** Whether an error is the user's input at fault (the core's problem-set and evaluation-folder errors too). */
export function isUserError(error: unknown): error is Error {
  return error instanceof UserError || error instanceof ProblemSetError || error instanceof EvalDirectoryError;
}
