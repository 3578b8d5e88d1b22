// `specreason grade`: the grader on its own, over a JSONL file of {gold, response[, choices]} pairs.

import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { casUnavailableReason, grade, notGraded, type Verdict } from '../core/eval/grader';
import { UserError } from './errors';

/** Grade every line of a pairs file; writes one JSON verdict a line (or a table) to `write`. */
export async function gradePairsFile(
  file: string,
  json: boolean,
  write: (text: string) => void,
): Promise<{ total: number; correct: number }> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity });
  let lineNo = 0;
  let total = 0;
  let correct = 0;
  let ungraded = 0;
  try {
    for await (const line of lines) {
      lineNo++;
      if (!line.trim()) {
        continue;
      }
      const pair = parsePair(file, lineNo, line);
      const verdict = grade(pair.gold, pair.response, { choices: pair.choices, problem: pair.problem });
      total++;
      correct += verdict.correct ? 1 : 0;
      ungraded += notGraded(verdict) ? 1 : 0;
      write(json ? JSON.stringify(verdictLine(verdict)) + '\n' : tableLine(lineNo, pair.gold, verdict));
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR') {
      throw new UserError(`cannot read --pairs ${file}: ${(error as Error).message}`);
    }
    throw error;
  }
  if (!json) {
    write(`${correct}/${total} correct${total ? ` (${((100 * correct) / total).toFixed(1)}%)` : ''}\n`);
  }
  if (ungraded) {
    process.stderr.write(`specreason: ${ungradedNotice(ungraded)}\n`);
  }
  return { total, correct };
}

function verdictLine(v: Verdict) {
  return { correct: v.correct, extracted: v.extracted, rule: v.rule, extraction: v.extraction };
}

/** What to tell the user when some pairs could not be graded (cas-unavailable). */
export function ungradedNotice(count: number): string {
  return (
    `${count} answer(s) NOT GRADED (rule cas-unavailable, counted as not correct): ${casUnavailableReason() ?? 'the symbolic rule did not load'}. ` +
    'Reinstall or rebuild SpecReason (`node esbuild.js`), then re-grade with `specreason grade DIR`.'
  );
}

function tableLine(lineNo: number, gold: string, v: Verdict): string {
  const cut = (s: string) => (s.length > 40 ? s.slice(0, 39) + '…' : s);
  return `${String(lineNo).padStart(5)}  ${notGraded(v) ? '?' : v.correct ? '✓' : '✗'}  ${v.rule.padEnd(9)}  gold ${cut(gold).padEnd(40)}  answer ${cut(v.extracted ?? '(none)')}\n`;
}

interface Pair {
  gold: string;
  response: string;
  choices?: Record<string, string>;
  /** The problem text (optional): a problem that asks for rounding accepts a rounded decimal. */
  problem?: string;
}

function parsePair(file: string, lineNo: number, line: string): Pair {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (error) {
    throw new UserError(`${file}:${lineNo}: not JSON (${(error as Error).message})`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UserError(`${file}:${lineNo}: expected an object {"gold": …, "response": …}`);
  }
  const row = value as Record<string, unknown>;
  const gold = row.gold;
  if (typeof gold !== 'string' && typeof gold !== 'number') {
    throw new UserError(`${file}:${lineNo}: field "gold" must be a string or a number`);
  }
  if (typeof row.response !== 'string') {
    throw new UserError(`${file}:${lineNo}: field "response" must be a string`);
  }
  let choices: Record<string, string> | undefined;
  if (row.choices !== undefined) {
    choices = choicesOf(row.choices);
    if (!choices) {
      throw new UserError(
        `${file}:${lineNo}: field "choices" must be {"A": text, …} or a list of option texts (A, B, … in order)`,
      );
    }
  }
  if (row.problem !== undefined && typeof row.problem !== 'string') {
    throw new UserError(`${file}:${lineNo}: field "problem" must be a string`);
  }
  return { gold: String(gold), response: row.response, choices, problem: row.problem };
}

function choicesOf(value: unknown): Record<string, string> | undefined {
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) {
    return Object.fromEntries(value.map((v, i) => [String.fromCharCode(65 + i), v]));
  }
  if (typeof value === 'object' && value !== null && Object.values(value).every((v) => typeof v === 'string')) {
    return value as Record<string, string>;
  }
  return undefined;
}
