// Problem sets for evaluation: JSONL, JSON (array), CSV and Parquet files, with the field mapping of the
// common sets (AIME, MATH-500, GPQA-Diamond, GSM8K) detected and overridable, and seeded selection.

import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { seededShuffle } from './random';

/** One problem of a set. Multiple choice: `options` in the file's order, `correct` indexes the right one. */
export interface EvalProblem {
  /** Unique within the set (the file's id field, else the 0-based row number). */
  id: string;
  text: string;
  /** The gold answer (for multiple choice: the correct option's text). */
  gold: string;
  options?: string[];
  correct?: number;
  /** Row number in the file (1-based line for JSONL/CSV, 0-based index for JSON/Parquet). */
  row: number;
  /** Subject, level and the like, when the set has them. */
  meta?: Record<string, string>;
}

export type SetFormat = 'aime' | 'math500' | 'gpqa' | 'gsm8k' | 'generic';

/** Which column holds what. `incorrect` lists the wrong options (GPQA); `options` one list-valued column. */
export interface FieldMap {
  format: SetFormat;
  problem: string;
  answer: string;
  id?: string;
  options?: string;
  incorrect?: string[];
  meta?: string[];
}

export class ProblemSetError extends Error {}

type Row = Record<string, unknown>;

/** Rows and their row numbers as the user would find them in the file. */
interface RawRows {
  rows: Row[];
  /** Describes row i for error messages, e.g. "line 7" or "row 3". */
  where(i: number): string;
  rowNumber(i: number): number;
}

async function readRows(file: string): Promise<RawRows> {
  const ext = path.extname(file).toLowerCase();
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (error) {
    throw new ProblemSetError(`cannot read the problem set ${file}: ${(error as Error).message}`);
  }
  if (ext === '.jsonl' || ext === '.ndjson') {
    const lines = data.toString('utf8').split(/\r?\n/);
    const rows: Row[] = [];
    const lineNumbers: number[] = [];
    lines.forEach((line, i) => {
      if (!line.trim()) {
        return;
      }
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch (error) {
        throw new ProblemSetError(`${file}:${i + 1}: not JSON (${(error as Error).message})`);
      }
      if (!isRow(value)) {
        throw new ProblemSetError(`${file}:${i + 1}: expected a JSON object, got ${describe(value)}`);
      }
      rows.push(value);
      lineNumbers.push(i + 1);
    });
    return { rows, where: (i) => `${file}:${lineNumbers[i]}`, rowNumber: (i) => lineNumbers[i]! };
  }
  if (ext === '.json') {
    let value: unknown;
    try {
      value = JSON.parse(data.toString('utf8'));
    } catch (error) {
      throw new ProblemSetError(`${file}: not JSON (${(error as Error).message})`);
    }
    if (!Array.isArray(value)) {
      throw new ProblemSetError(`${file}: expected a JSON array of objects, got ${describe(value)}`);
    }
    value.forEach((v, i) => {
      if (!isRow(v)) {
        throw new ProblemSetError(`${file}: item ${i}: expected an object, got ${describe(v)}`);
      }
    });
    return { rows: value as Row[], where: (i) => `${file}: item ${i}`, rowNumber: (i) => i };
  }
  if (ext === '.csv') {
    const { parse } = await import('csv-parse/sync');
    try {
      const records: Array<{ record: Row; info: { lines: number } }> = parse(data, {
        columns: true,
        skip_empty_lines: true,
        bom: true,
        info: true,
      });
      return {
        rows: records.map((r) => r.record),
        where: (i) => `${file}:${records[i]!.info.lines}`,
        rowNumber: (i) => records[i]!.info.lines,
      };
    } catch (error) {
      throw new ProblemSetError(`${file}: ${(error as Error).message}`);
    }
  }
  if (ext === '.parquet') {
    const { parquetReadObjects } = await import('hyparquet');
    const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
    try {
      const rows = (await parquetReadObjects({ file: buffer })) as Row[];
      return { rows, where: (i) => `${file}: row ${i}`, rowNumber: (i) => i };
    } catch (error) {
      throw new ProblemSetError(`${file}: cannot read as Parquet (${(error as Error).message})`);
    }
  }
  throw new ProblemSetError(`${file}: unknown file type "${ext}" (expected .jsonl, .json, .csv or .parquet)`);
}

const isRow = (v: unknown): v is Row => typeof v === 'object' && v !== null && !Array.isArray(v);
const describe = (v: unknown) => (Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v);

const GPQA_INCORRECT = ['Incorrect Answer 1', 'Incorrect Answer 2', 'Incorrect Answer 3'];

/** The field map of a set, detected from its columns (over all rows), with overrides applied. */
export function detectFields(columns: readonly string[], overrides: Partial<FieldMap> = {}): FieldMap {
  const has = (c: string) => columns.includes(c);
  const first = (...names: string[]) => names.find(has);
  let detected: FieldMap;
  if (has('Question') && has('Correct Answer') && GPQA_INCORRECT.every(has)) {
    detected = {
      format: 'gpqa',
      problem: 'Question',
      answer: 'Correct Answer',
      incorrect: GPQA_INCORRECT,
      id: first('Record ID'),
      meta: ['Subdomain', 'High-level domain'].filter(has),
    };
  } else if (has('problem') && has('answer') && has('unique_id')) {
    detected = {
      format: 'math500',
      problem: 'problem',
      answer: 'answer',
      id: 'unique_id',
      meta: ['subject', 'level'].filter(has),
    };
  } else if (has('question') && has('answer') && !has('id') && !first('options', 'choices')) {
    detected = { format: 'gsm8k', problem: 'question', answer: 'answer' };
  } else {
    detected = {
      format: has('id') && has('answer') && first('problem', 'question') ? 'aime' : 'generic',
      problem: first('problem', 'question', 'Question', 'prompt', 'input') ?? 'problem',
      answer: first('answer', 'Answer', 'gold', 'target', 'solution') ?? 'answer',
      id: first('id', 'ID', 'unique_id', 'problem_id', 'Record ID'),
      options: first('options', 'choices'),
      meta: ['year', 'subject', 'level'].filter(has),
    };
  }
  return { ...detected, ...definedOnly(overrides) };
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Parse `problem=Question,answer=Correct Answer,id=Record ID,incorrect=a|b|c` (the --fields flag). */
export function parseFieldOverrides(text: string): Partial<FieldMap> {
  const out: Partial<FieldMap> = {};
  for (const part of text.split(',').filter((p) => p.trim())) {
    const eq = part.indexOf('=');
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (eq < 0 || !value) {
      throw new ProblemSetError(`--fields: "${part}" is not KEY=COLUMN`);
    }
    if (key === 'problem' || key === 'answer' || key === 'id' || key === 'options') {
      out[key] = value;
    } else if (key === 'incorrect' || key === 'meta') {
      out[key] = value.split('|').map((s) => s.trim());
    } else if (key === 'format') {
      if (!['aime', 'math500', 'gpqa', 'gsm8k', 'generic'].includes(value)) {
        throw new ProblemSetError(`--fields: format must be aime, math500, gpqa, gsm8k or generic (got ${value})`);
      }
      out.format = value as SetFormat;
    } else {
      throw new ProblemSetError(
        `--fields: unknown key "${key}" (keys: problem, answer, id, options, incorrect, meta, format)`,
      );
    }
  }
  return out;
}

const text = (v: unknown): string | undefined =>
  typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'bigint' ? String(v) : undefined;

/** GSM8K's answer is a worked solution ending in `#### N`. */
function gsm8kFinal(answer: string): string | undefined {
  const m = /####\s*(.+?)\s*$/.exec(answer);
  return m ? m[1]!.replace(/,/g, '') : undefined;
}

function optionsOf(value: unknown): string[] | undefined {
  let v = value;
  if (typeof v === 'string' && v.trim().startsWith('[')) {
    try {
      v = JSON.parse(v);
    } catch {
      return undefined;
    }
  }
  if (Array.isArray(v) && v.every((x) => text(x) !== undefined)) {
    return v.map((x) => text(x)!);
  }
  if (isRow(v)) {
    const letters = Object.keys(v).sort();
    if (letters.every((k) => /^[A-Z]$/.test(k) && text(v[k]) !== undefined)) {
      return letters.map((k) => text(v[k])!);
    }
  }
  return undefined;
}

function toProblem(row: Row, index: number, fields: FieldMap, rows: RawRows): EvalProblem {
  const where = rows.where(index);
  const field = (name: string): string => {
    const value = text(row[name]);
    if (value === undefined || !value.trim()) {
      const present = Object.keys(row).slice(0, 12).join(', ');
      throw new ProblemSetError(
        `${where}: field "${name}" is ${row[name] === undefined ? 'missing' : `not text (${describe(row[name])})`}` +
          ` (columns: ${present}; map columns with --fields problem=…,answer=…)`,
      );
    }
    return value;
  };
  const problem: EvalProblem = {
    id: fields.id !== undefined && row[fields.id] !== undefined ? field(fields.id) : String(index),
    text: field(fields.problem),
    gold: field(fields.answer),
    row: rows.rowNumber(index),
  };
  if (fields.format === 'gsm8k') {
    const final = gsm8kFinal(problem.gold);
    if (final === undefined) {
      throw new ProblemSetError(`${where}: field "${fields.answer}" has no final "#### N" line (GSM8K format)`);
    }
    problem.gold = final;
  }
  if (fields.incorrect) {
    problem.options = [problem.gold, ...fields.incorrect.map(field)].map((o) => o.trim());
    problem.gold = problem.gold.trim();
    problem.correct = 0;
  } else if (fields.options !== undefined && row[fields.options] !== undefined) {
    const options = optionsOf(row[fields.options]);
    if (!options) {
      throw new ProblemSetError(`${where}: field "${fields.options}" must be a list of option texts or {"A": …}`);
    }
    const letter = /^\s*\(?([A-Z])\)?\s*$/.exec(problem.gold)?.[1];
    const correct = letter !== undefined ? letter.charCodeAt(0) - 65 : options.indexOf(problem.gold);
    if (correct < 0 || correct >= options.length) {
      throw new ProblemSetError(
        `${where}: field "${fields.answer}" (${JSON.stringify(problem.gold)}) is neither an option's letter nor its text`,
      );
    }
    problem.options = options;
    problem.correct = correct;
    problem.gold = options[correct]!;
  }
  if (problem.options && problem.options.length !== 4) {
    throw new ProblemSetError(
      `${where}: ${problem.options.length} options; the paper's multiple-choice prompt takes exactly four (A)–(D)`,
    );
  }
  const meta = Object.fromEntries((fields.meta ?? []).flatMap((m) => (text(row[m]) ? [[m, text(row[m])!]] : [])));
  if (Object.keys(meta).length) {
    problem.meta = meta;
  }
  return problem;
}

export interface ProblemSet {
  file: string;
  fields: FieldMap;
  problems: EvalProblem[];
}

export interface Selection {
  ids?: string[];
  limit?: number;
  sample?: number;
  seed?: number;
}

/** Several files of one set (a data set's shards): their rows in order, numbered across the files. */
async function readShards(files: readonly string[]): Promise<RawRows> {
  const parts = await Promise.all(files.map(readRows));
  const rows: Row[] = [];
  const where: string[] = [];
  parts.forEach((part) => {
    part.rows.forEach((row, i) => {
      rows.push(row);
      where.push(part.where(i));
    });
  });
  return { rows, where: (i) => where[i]!, rowNumber: (i) => i };
}

/**
 * Load a problem set (one file, or the shards of one set in order), map its fields and select problems (ids, then
 * a seeded sample, then the limit).
 */
export async function loadProblemSet(
  source: string | readonly string[],
  options: { fields?: Partial<FieldMap>; select?: Selection } = {},
): Promise<ProblemSet> {
  const file = typeof source === 'string' ? source : source.length === 1 ? source[0]! : source.join(' + ');
  const rows = typeof source === 'string' || source.length === 1 ? await readRows(file) : await readShards(source);
  if (rows.rows.length === 0) {
    throw new ProblemSetError(`${file}: no problems`);
  }
  const columns = new Set<string>();
  rows.rows.forEach((row) => Object.keys(row).forEach((k) => columns.add(k))); // optional columns may skip rows
  const fields = detectFields([...columns], options.fields);
  let problems = rows.rows.map((row, i) => toProblem(row, i, fields, rows));
  const seen = new Map<string, number>();
  for (const p of problems) {
    const key = safeId(p.id);
    if (seen.has(key)) {
      throw new ProblemSetError(
        `${file}: problem id "${p.id}" (${rows.where(problems.indexOf(p))}) repeats an earlier id (row ${seen.get(key)})`,
      );
    }
    seen.set(key, p.row);
  }
  problems = selectProblems(problems, options.select ?? {}, file);
  return { file, fields, problems };
}

export function selectProblems(problems: EvalProblem[], select: Selection, file = 'the problem set'): EvalProblem[] {
  let out = problems;
  if (select.ids?.length) {
    const byId = new Map(problems.map((p) => [p.id, p]));
    const missing = select.ids.filter((id) => !byId.has(id));
    if (missing.length) {
      const known = problems.slice(0, 5).map((p) => p.id);
      throw new ProblemSetError(
        `--ids: ${missing.join(', ')} not in ${file} (ids there: ${known.join(', ')}${problems.length > 5 ? ', …' : ''})`,
      );
    }
    out = select.ids.map((id) => byId.get(id)!);
  }
  if (select.sample !== undefined) {
    const picked = new Set(seededShuffle(out, `sample:${select.seed ?? 0}`).slice(0, select.sample));
    out = out.filter((p) => picked.has(p)); // keep the file's order
  }
  if (select.limit !== undefined) {
    out = out.slice(0, select.limit);
  }
  return out;
}

/** A problem id as a directory name: characters other than letters, digits, `.`, `_`, `-` become `_`. */
export function safeId(id: string): string {
  const safe = id.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
  return safe || '_';
}
