// The problem of a `solve`: from --problem, --problem-file or --dataset/--problem_id, checked the same
// way as in the extension (core/problemText).

import { readFileSync } from 'node:fs';
import { decodeProblemBytes, problemTextProblem } from '../core/problem/problemText';
import type { PromptStyle } from '../core/config';
import { parseProblem, type Problem } from '../core/engine/prompts';
import { UserError } from './errors';

export interface ProblemFlags {
  problem?: string;
  problemFile?: string;
  dataset?: string;
  problem_id?: string;
}

export interface ProblemSource {
  problem: Problem;
  /** The dataset row's id as given (names the --output_dir folder). */
  datasetId?: string;
}

export function problemFromFlags(flags: ProblemFlags, promptStyle: PromptStyle, maxLength: number): ProblemSource {
  const given = (['problem', 'problemFile', 'dataset'] as const).filter((k) => flags[k] !== undefined);
  if (given.length > 1) {
    const name = { problem: '--problem', problemFile: '--problem-file', dataset: '--dataset' };
    throw new UserError(`give one problem: ${given.map((k) => name[k]).join(' and ')} were both given`);
  }
  if (flags.dataset !== undefined) {
    if (flags.problem_id === undefined) {
      throw new UserError('--dataset needs --problem_id');
    }
    return { problem: problemFromDataset(flags.dataset, flags.problem_id, maxLength), datasetId: flags.problem_id };
  }
  const [text, source] =
    flags.problemFile !== undefined
      ? [readProblemFile(flags.problemFile), `--problem-file ${flags.problemFile}`]
      : [flags.problem, '--problem'];
  if (text === undefined) {
    throw new UserError('give a problem: --problem TEXT, --problem-file PATH, or --dataset FILE --problem_id N');
  }
  check(text, maxLength, source);
  try {
    return { problem: parseProblem(text, promptStyle) };
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

function check(text: string, maxLength: number, source: string): void {
  const problem = problemTextProblem(text, maxLength, source);
  if (problem) {
    throw new UserError(problem);
  }
}

function readProblemFile(file: string): string {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new UserError(`cannot read --problem-file ${file}: ${(error as Error).message}`);
  }
  try {
    return decodeProblemBytes(bytes, `--problem-file ${file}`);
  } catch (error) {
    throw new UserError((error as Error).message);
  }
}

/**
 * One dataset line: {"problem"|"question"|"Question": …, optional "A".."D" or "choices"/"options"}.
 * Rows are found by their `id` field (string or number) when the dataset has one, else by line index.
 */
export function problemFromDataset(file: string, id: string, maxLength: number): Problem {
  let lines: string[];
  try {
    lines = decodeProblemBytes(readFileSync(file), `--dataset ${file}`)
      .split('\n')
      .filter((l) => l.trim());
  } catch (error) {
    throw new UserError(`cannot read --dataset ${file}: ${(error as Error).message}`);
  }
  const rows = lines.map((line, i) => {
    try {
      const row = JSON.parse(line) as unknown;
      if (typeof row !== 'object' || row === null || Array.isArray(row)) {
        throw new Error('not an object');
      }
      return row as Record<string, unknown>;
    } catch {
      throw new UserError(`${file}:${i + 1} is not a JSON object`);
    }
  });
  const idField = ['id', 'problem_id'].find((f) => rows.some((r) => f in r));
  let row: Record<string, unknown> | undefined;
  if (idField !== undefined) {
    const matches = rows.filter((r) => idText(r[idField]) === id);
    if (matches.length > 1) {
      throw new UserError(`${file}: ${matches.length} rows have ${idField} ${id}`);
    }
    row = matches[0];
    if (!row) {
      throw new UserError(`--problem_id ${id} is not an "${idField}" in ${file} (${rows.length} problems)`);
    }
  } else {
    if (!/^\d+$/.test(id)) {
      throw new UserError(`${file} has no "id" field, so --problem_id is a line index (got ${id})`);
    }
    row = rows[Number(id)];
    if (!row) {
      throw new UserError(`--problem_id ${id} is not in ${file} (${rows.length} problems, indexed from 0)`);
    }
  }
  const text = row.problem ?? row.question ?? row.Question;
  if (typeof text !== 'string') {
    throw new UserError(`${file}: problem ${id} has no "problem" or "question" field`);
  }
  check(text, maxLength, `${file}: problem ${id}`);
  const choices = (row.choices ?? row.options ?? row) as Record<string, unknown>;
  if (['A', 'B', 'C', 'D'].every((k) => typeof choices[k] === 'string')) {
    return {
      text,
      choices: { A: String(choices.A), B: String(choices.B), C: String(choices.C), D: String(choices.D) },
    };
  }
  return { text };
}

/** An id as --problem_id spells it: strings and numbers only. */
const idText = (value: unknown) => (typeof value === 'string' || typeof value === 'number' ? String(value) : undefined);

/** A --problem_id names a folder of --output_dir: one path segment, nothing that climbs out. */
export function checkProblemId(id: string): string {
  if (!id.trim() || /[/\\\u0000]/.test(id) || id === '.' || id === '..') {
    throw new UserError(`--problem_id must be a plain id (no /, \\ or ..), got ${JSON.stringify(id)}`);
  }
  return id;
}
