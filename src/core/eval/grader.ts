// Grades a model response against a gold answer. Every verdict names the rule that decided it (Verdict.rule).
// Rules, tried in order, and the first that decides wins:
//   choice    multiple choice by letter (gold letter, or the gold option's text mapped to its letter)
//   exact     equal strings after normalisation (answerNormalize.ts)
//   base      a number with a base subscript (`52_8`, `1011_{2}`): never read as decimal; the digits must
//             match (`52` is right for `52_8`, its decimal value `42` and `101010_2` are wrong)
//   numeric   integers exactly; other numbers equal in value. A decimal that only approximates the gold is
//             wrong (`38.57` for `\frac{270}{7}`) unless the problem asks for rounding (then it must agree to
//             half a unit in the last place of the rounder side) or it has 6+ places and is the gold rounded
//             or truncated there (`0.142857` for `\frac17`). An explicit `%` accepts both readings: `25\%`
//             equals `25` and `\frac14`; without one there is no ×100 reading (`25` vs `\frac14` is wrong)
//   interval / tuple / set / matrix / union: element by element with these same rules; intervals keep
//             their open and closed ends; sets and bare comma lists ignore order; a tuple equals a column
//             (or row) vector with the same entries
//   symbolic  @cortex-js/compute-engine (loaded on first use) decides equivalence; polynomial identities
//             and other undecided cases are checked numerically at random points of their variables
//   plus-minus  a `\pm` gold against the two values listed, in any order (and the other way round)
//   labelled answers: `m+n = 721`, `xy = 25`, `\lambda \in (3,4]` against a bare gold are graded by their
//             right-hand side (with the rule that then decides)
//   cas-unavailable  the symbolic rule was needed but its library (dist/compute-engine.js next to the
//             bundle) did not load: the pair is NOT graded (correct is false, and every front end says
//             "not graded" instead of "wrong"; `specreason grade DIR` re-grades once it loads)
//   no-answer (nothing extracted), timeout (past the time limit), mismatch (the comparison failed)
// Strict cases (decided on purpose, and tested in test/unit/grader.test.ts and test/fixtures/grading/):
// `50` vs `0.5` is wrong (no ×100 reading without `%`); `(1,2]` vs `[1,2)` is wrong; `90^\circ` equals `90`
// but not `\frac{\pi}{2}`; `0.3333` vs `\frac13` is wrong unless the problem asks for rounding; an integer
// gold needs the exact integer (`1000` vs `1001`, `203.9999` vs `204`); an ordered pair keeps its order; a
// gold equation without a one-letter label (`x+y=5`) needs the equation; `2+3=5` is not the value `5`.
// grade() never throws: a parse failure or a comparison past its time limit is a wrong verdict saying so.

import { existsSync } from 'node:fs';
import path from 'node:path';
import {
  choiceLetter,
  extractAnswer,
  normalizeAnswer,
  parseNumber,
  parseStructure,
  type ExtractionRule,
  type ParsedNumber,
  type Structure,
} from './answerNormalize';

export type GradeRule =
  | 'choice'
  | 'exact'
  | 'numeric'
  | 'interval'
  | 'tuple'
  | 'set'
  | 'matrix'
  | 'union'
  | 'symbolic'
  | 'base'
  | 'plus-minus'
  | 'no-answer'
  | 'mismatch'
  | 'timeout'
  | 'cas-unavailable';

/** A verdict that is not a judgement of the answer: the grader could not decide (see cas-unavailable). */
export const notGraded = (v: { rule: GradeRule }): boolean => v.rule === 'cas-unavailable';

/** Why the symbolic rule could not run (one line, for the CLI and the panel). */
export function casUnavailableReason(): string | undefined {
  return engineError;
}

export interface Verdict {
  correct: boolean;
  /** The answer found in the response (raw, before normalisation); null when none. */
  extracted: string | null;
  /** How it was found: boxed, fbox, answer-line, final-letter, whole, none. */
  extraction: ExtractionRule;
  /** The rule that decided (for a wrong verdict: the last one tried, or no-answer / timeout). */
  rule: GradeRule;
}

export interface GradeOptions {
  /** Multiple-choice options by letter; the gold may then be a letter or an option's text. */
  choices?: Record<string, string>;
  /** Per comparison, for the symbolic rule (default 2000 ms). */
  timeLimitMs?: number;
  /** The problem text: a problem that asks for rounding accepts a rounded decimal (see numbersEqual). */
  problem?: string;
}

/** A problem that asks for an approximate answer. */
const ROUNDING_ASKED =
  /\b(?:round(?:ed|ing)?|nearest|decimal\s+places?|significant\s+(?:figures|digits)|approximat(?:e|ely|ion)|estimate)\b/i;

const PERCENT = /%|\bpercent(?:age)?\b|\bpct\b/;

/** What a comparison knows besides the two strings. */
interface Context {
  deadline: number;
  /** The problem asks for rounding. */
  rounding: boolean;
  /** An explicit `%` on the gold / the answer (normalisation removes it). */
  goldPercent: boolean;
  answerPercent: boolean;
}

/** Grade a full response (its final answer is extracted first). */
export function grade(gold: string, response: string, options: GradeOptions = {}): Verdict {
  const multipleChoice = options.choices !== undefined || /^\s*\(?[A-D]\)?\s*$/.test(gold);
  const found = extractAnswer(response, multipleChoice);
  if (found.text === undefined) {
    return { correct: false, extracted: null, extraction: 'none', rule: 'no-answer' };
  }
  return { ...compareAnswers(gold, found.text, options), extracted: found.text, extraction: found.how };
}

/** Compare an already extracted answer with the gold. */
export function compareAnswers(
  gold: string,
  answer: string,
  options: GradeOptions = {},
): { correct: boolean; rule: GradeRule } {
  try {
    const context: Context = {
      deadline: Date.now() + (options.timeLimitMs ?? 2000),
      rounding: ROUNDING_ASKED.test(options.problem ?? ''),
      goldPercent: PERCENT.test(gold),
      answerPercent: PERCENT.test(answer),
    };
    const goldLetter = multipleChoiceGold(gold, options.choices);
    if (goldLetter !== undefined) {
      const letter = choiceLetter(answer) ?? letterOfText(answer, options.choices);
      return { correct: letter === goldLetter, rule: 'choice' };
    }
    return equalTop(normalizeAnswer(gold), normalizeAnswer(answer), context);
  } catch (error) {
    const name = (error as Error).name;
    return {
      correct: false,
      rule: name === 'Timeout' ? 'timeout' : name === CAS_UNAVAILABLE ? 'cas-unavailable' : 'mismatch',
    };
  }
}

function multipleChoiceGold(gold: string, choices?: Record<string, string>): string | undefined {
  if (/^\s*\(?[A-D]\)?\s*$/.test(gold)) {
    return gold.replace(/[^A-D]/g, '');
  }
  return choices ? letterOfText(gold, choices) : undefined;
}

function letterOfText(text: string, choices?: Record<string, string>): string | undefined {
  if (!choices) {
    return undefined;
  }
  const target = normalizeAnswer(text).toLowerCase();
  return Object.entries(choices).find(([, option]) => normalizeAnswer(option).toLowerCase() === target)?.[0];
}

/** The whole answer: labelled answers and `\\pm` golds first, then equal(). */
function equalTop(gold: string, answer: string, context: Context): { correct: boolean; rule: GradeRule } {
  const direct = equal(gold, answer, context);
  if (direct.correct) {
    return direct;
  }
  // `m+n=721`, `xy=25`, `\\lambda\\in(3,4]` against a bare gold: the right-hand side is the answer.
  if (!relation(gold)) {
    const labelled = relation(answer);
    if (labelled) {
      return equal(gold, labelled.rhs, context);
    }
  }
  // A gold that names what it gives (`(p,q)=(3,2)`, `f(x)=1`, `|AB|=1`, `A:B=1`) against a bare answer.
  const named = topRelation(gold);
  if (named && !topRelation(answer) && isGoldLabel(named.lhs)) {
    return equal(named.rhs, answer, context);
  }
  // A `\\pm` gold against the two values listed (in any order), and the other way round.
  const goldPm = plusMinus(gold);
  const answerPm = plusMinus(answer);
  if (goldPm || answerPm) {
    const items = (s: string, pm: string[] | undefined) => pm ?? listItems(s);
    const same = (a: string, b: string) => equal(a, b, context).correct;
    return { correct: unordered(items(gold, goldPm), items(answer, answerPm), same), rule: 'plus-minus' };
  }
  return direct;
}

/** A labelled answer (`m+n=721`): the sides of its last top-level `=` or `\\in`; undefined otherwise. */
function relation(s: string): { lhs: string; rhs: string } | undefined {
  const sides = topRelation(s);
  // A label names something (letters, maybe indices): `m+n`, `xy`, `a_1+a_2`, `f(2)`, `\\lambda`.
  return sides && /[a-zA-Z]/.test(sides.lhs) && sides.lhs.length <= 40 ? sides : undefined;
}

/** A gold's label: names only (letters, commands, brackets, `|`, `:`), no operator or digit outside subscripts;
 *  `x+y=5` is an equation, not a label. */
function isGoldLabel(lhs: string): boolean {
  const bare = lhs.replace(/_\{[^{}]*\}|_\w/g, '');
  return /[a-zA-Z]/.test(bare) && /^[a-zA-Z\\(){}|:,]+$/.test(bare);
}

/** The sides of the last top-level `=` or `\\in` (not `==`, `<=`, `\\infty`); undefined without one. */
function topRelation(s: string): { lhs: string; rhs: string } | undefined {
  let depth = 0;
  let at = -1;
  let width = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && (s[i + 1] === '{' || s[i + 1] === '}')) {
      depth += s[i + 1] === '{' ? 1 : -1;
      i++;
    } else if ('([{'.includes(c)) {
      depth++;
    } else if (')]}'.includes(c)) {
      depth--;
    } else if (depth === 0 && c === '=' && s[i + 1] !== '=' && !'<>!='.includes(s[i - 1] ?? '')) {
      at = i;
      width = 1;
    } else if (depth === 0 && s.startsWith('\\in', i) && !/[a-zA-Z]/.test(s[i + 3] ?? '')) {
      at = i;
      width = 3;
    }
  }
  if (at <= 0) {
    return undefined;
  }
  const rhs = s.slice(at + width);
  return rhs ? { lhs: s.slice(0, at), rhs } : undefined;
}

/** `a\\pmb` (one `\\pm` or `\\mp`): the two values it stands for; undefined without one. */
function plusMinus(s: string): string[] | undefined {
  const all = s.match(/\\(?:pm|mp)(?![a-zA-Z])/g);
  if (!all || all.length !== 1) {
    return undefined;
  }
  const at = s.search(/\\(?:pm|mp)(?![a-zA-Z])/);
  const rest = s.slice(at + 3);
  return [s.slice(0, at) + '+' + rest, s.slice(0, at) + '-' + rest].map((x) => x.replace(/^\+/, ''));
}

/** The items of a set or bare list, else the answer as one item. */
function listItems(s: string): string[] {
  const structure = parseStructure(s);
  return structure?.kind === 'set' ? structure.items : [s];
}

/** `52_8`, `1011_{2}`, `A3_{16}`: digits and base (2–36), the digits valid in the base; undefined otherwise. */
function parseBase(s: string): { digits: string; base: number } | undefined {
  const m = /^([0-9A-Za-z]+)_\{?\(?(\d+)\)?\}?$/.exec(s);
  if (!m) {
    return undefined;
  }
  const base = Number(m[2]);
  const digits = m[1]!.toUpperCase();
  if (base < 2 || base > 36 || (base <= 10 && !/^\d+$/.test(m[1]!))) {
    return undefined;
  }
  const valid = [...digits].every((d) => parseInt(d, 36) < base);
  return valid ? { digits: digits.replace(/^0+(?=.)/, ''), base } : undefined;
}

function equal(gold: string, answer: string, context: Context): { correct: boolean; rule: GradeRule } {
  if (gold === answer || (/^[a-z\s]+$/i.test(gold) && gold.toLowerCase() === answer.toLowerCase())) {
    return { correct: true, rule: 'exact' };
  }
  // Numbers with a base subscript are never read as decimal: the digits must match.
  const goldBase = parseBase(gold);
  const answerBase = parseBase(answer);
  if (goldBase || answerBase) {
    const plain = (s: string) => (/^[0-9A-Za-z]+$/.test(s) ? s.toUpperCase().replace(/^0+(?=.)/, '') : undefined);
    let correct: boolean;
    if (goldBase && answerBase) {
      correct = goldBase.base === answerBase.base && goldBase.digits === answerBase.digits;
    } else if (goldBase) {
      correct = plain(answer) === goldBase.digits;
    } else {
      correct = answerBase!.base === 10 && plain(gold) === answerBase!.digits;
    }
    return { correct, rule: 'base' };
  }
  const goldNumber = parseNumber(gold);
  const answerNumber = parseNumber(answer);
  if (goldNumber && answerNumber) {
    return { correct: numbersEqual(goldNumber, answerNumber, context), rule: 'numeric' };
  }
  const goldStructure = parseStructure(gold);
  const answerStructure = parseStructure(answer);
  if (goldStructure || answerStructure) {
    const same = (a: string, b: string) => equal(a, b, context).correct;
    const vector = (x: Structure | undefined) => (x?.kind === 'matrix' ? vectorItems(x.items) : undefined);
    // A tuple against a column (or row) vector: element by element.
    const goldVector = vector(goldStructure);
    const answerVector = vector(answerStructure);
    if ((goldVector && answerStructure?.kind === 'tuple') || (answerVector && goldStructure?.kind === 'tuple')) {
      const g = goldVector ?? (goldStructure as { items: string[] }).items;
      const a = answerVector ?? (answerStructure as { items: string[] }).items;
      return { correct: pairwise(g, a, same), rule: 'tuple' };
    }
    if (!goldStructure || !answerStructure || goldStructure.kind !== answerStructure.kind) {
      // `(1,2)` may be read as a tuple on one side and an interval on the other only with different brackets.
      return { correct: false, rule: goldStructure?.kind ?? answerStructure!.kind };
    }
    const g = goldStructure;
    const a = answerStructure;
    let correct: boolean;
    if (g.kind === 'interval' && a.kind === 'interval') {
      correct = g.open === a.open && g.close === a.close && pairwise(g.items, a.items, same);
    } else if (g.kind === 'matrix' && a.kind === 'matrix') {
      correct = g.items.length === a.items.length && g.items.every((row, i) => pairwise(row, a.items[i]!, same));
    } else if (g.kind === 'set' && a.kind === 'set') {
      correct = unordered(g.items, a.items, same);
    } else if (g.kind === 'union' && a.kind === 'union') {
      correct = unordered(g.items, a.items, same);
    } else {
      correct = pairwise(g.items as string[], a.items as string[], same);
    }
    return { correct, rule: g.kind };
  }
  if (!topRelation(gold) !== !topRelation(answer)) {
    return { correct: false, rule: 'symbolic' }; // an equation against a value (`2+3=5` vs `5`): no CAS needed
  }
  if (goldNumber && /^[-+]?[\d.]+$/.test(answer)) {
    return { correct: false, rule: 'numeric' }; // a plain number against a non-number gold: no CAS needed
  }
  if (Date.now() >= context.deadline) {
    throw timeout();
  }
  return { correct: symbolicEqual(gold, answer, context.deadline), rule: 'symbolic' };
}

/** The entries of a matrix with one column or one row; undefined for any other matrix. */
function vectorItems(rows: string[][]): string[] | undefined {
  if (rows.every((row) => row.length === 1)) {
    return rows.map((row) => row[0]!);
  }
  return rows.length === 1 ? rows[0] : undefined;
}

function pairwise(a: readonly string[], b: readonly string[], same: (x: string, y: string) => boolean): boolean {
  return a.length === b.length && a.every((x, i) => same(x, b[i]!));
}

/** Every gold item matched by a distinct answer item, and no extra answer items (a repeated item counts once). */
function unordered(
  gold: readonly string[],
  answer: readonly string[],
  same: (x: string, y: string) => boolean,
): boolean {
  const distinct = (items: readonly string[]) => items.filter((x, i) => !items.slice(0, i).some((y) => same(x, y)));
  if (gold.length !== answer.length) {
    const g = distinct(gold);
    const a = distinct(answer);
    return g.length === a.length && g.length < Math.max(gold.length, answer.length) && unordered(g, a, same);
  }
  const used = new Set<number>();
  return gold.every((g) => {
    const i = answer.findIndex((a, j) => !used.has(j) && same(g, a));
    if (i < 0) {
      return false;
    }
    used.add(i);
    return true;
  });
}

/**
 * Numbers: integers exactly; otherwise equal values (up to float noise). A decimal is an approximation, not
 * the exact value: `38.57` for `\\frac{270}{7}` is wrong, unless the problem asks for rounding (then the
 * values agree to half a unit in the last place of the rounder side) or the decimal has 6 or more places
 * (then it may differ by one unit in its last place: rounded or truncated, as a model writes 1/7 =
 * 0.142857). An explicit `%` on either side accepts both readings: `25\\%` equals `25` and `\\frac14`.
 */
function numbersEqual(gold: ParsedNumber, answer: ParsedNumber, context: Context): boolean {
  if (context.goldPercent || context.answerPercent) {
    const scaled = (n: ParsedNumber): ParsedNumber => ({
      value: n.value / 100,
      ...(n.decimals !== undefined || n.integer !== undefined ? { decimals: (n.decimals ?? 0) + 2 } : {}),
    });
    const plain = { ...context, goldPercent: false, answerPercent: false };
    return (
      numbersEqual(gold, answer, plain) ||
      (context.goldPercent && numbersEqual(scaled(gold), answer, plain)) ||
      (context.answerPercent && numbersEqual(gold, scaled(answer), plain))
    );
  }
  if (gold.integer !== undefined) {
    return answer.integer !== undefined ? gold.integer === answer.integer : answer.value === gold.value;
  }
  const difference = Math.abs(gold.value - answer.value);
  const noise = 1e-12 * Math.max(Math.abs(gold.value), 1);
  if (difference <= noise) {
    return true;
  }
  const places = [gold.decimals, answer.decimals].filter((d): d is number => d !== undefined);
  if (places.length === 0) {
    return false;
  }
  const rounder = Math.min(...places);
  if (context.rounding) {
    return difference <= 0.5 * 10 ** -rounder + noise;
  }
  const d = answer.decimals;
  if (d === undefined || d < 6) {
    return false;
  }
  // The gold rounded or truncated at the answer's places.
  const scale = 10 ** d;
  const near = (x: number) => Math.abs(answer.value - x) <= 1e-9 / scale + noise;
  return near(Math.round(gold.value * scale) / scale) || near(Math.trunc(gold.value * scale) / scale);
}

function timeout(): Error {
  const error = new Error('comparison time limit exceeded');
  error.name = 'Timeout';
  return error;
}

// ---- symbolic equivalence with the compute engine (loaded lazily: ~0.2 s and several MB) -------------

/** The parts of @cortex-js/compute-engine used here. */
interface CeExpression {
  readonly isValid: boolean;
  readonly unknowns: ReadonlyArray<string>;
  isEqual(other: CeExpression): boolean | undefined;
  subs(values: Record<string, number>): CeExpression;
  N(): CeExpression;
  readonly re: number;
  readonly im: number;
}
interface CeEngine {
  parse(latex: string): CeExpression;
  withTimeLimit<T>(ms: number, fn: () => T): T;
}

let engine: CeEngine | undefined;
/** Why loading the engine failed (the failure is remembered: every later symbolic pair says the same). */
let engineError: string | undefined;
const CAS_UNAVAILABLE = 'CasUnavailable';

/** The compute engine, loaded on first use; throws a CasUnavailable error when it cannot be loaded. */
export function computeEngine(): CeEngine {
  if (!engine) {
    if (engineError !== undefined) {
      throw casUnavailable(engineError);
    }
    // The bundles ship it as dist/compute-engine.js next to themselves (kept out of the CLI's start-up;
    // esbuild.js builds it, .vscodeignore ships it, and the name stays a literal here for
    // vsixContents.test.ts to find); compiled tests load the package.
    const bundled = path.join(__dirname, 'compute-engine.js');
    // In a bundle (esbuild.js defines SPECREASON_BUNDLE) only that file: the package found in some
    // node_modules above the install folder would hide a file missing from the .vsix.
    const id = process.env.SPECREASON_BUNDLE === '1' || existsSync(bundled) ? bundled : '@cortex-js/compute-engine';
    try {
      // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded lazily on purpose
      const { ComputeEngine } = require(id) as { ComputeEngine: new () => CeEngine };
      engine = new ComputeEngine();
    } catch (error) {
      const message = String((error as Error).message ?? error).split('\n')[0];
      engineError = `the symbolic rule's library did not load (${bundled} is missing or broken: ${message})`;
      throw casUnavailable(engineError);
    }
  }
  return engine;
}

function casUnavailable(message: string): Error {
  const error = new Error(message);
  error.name = CAS_UNAVAILABLE;
  return error;
}

/** Whether the compute engine has been loaded in this process (for tests of the lazy load). */
export function computeEngineLoaded(): boolean {
  return engine !== undefined;
}

const SAMPLE_POINTS = [0.7316, 1.4142, -0.5523, 2.2361];

function symbolicEqual(gold: string, answer: string, deadline: number): boolean {
  if (gold.length > 400 || answer.length > 400) {
    return false;
  }
  const ce = computeEngine();
  const ms = Math.max(1, deadline - Date.now());
  try {
    return ce.withTimeLimit(ms, () => {
      const g = ce.parse(gold);
      const a = ce.parse(answer);
      if (!g.isValid || !a.isValid) {
        return false;
      }
      const decided = g.isEqual(a);
      if (decided !== undefined) {
        return decided;
      }
      // Undecided (e.g. an unexpanded polynomial): compare values at a few points of the free variables.
      const variables = [...new Set([...g.unknowns, ...a.unknowns])];
      if (variables.length === 0 || variables.length > 4) {
        return false;
      }
      return SAMPLE_POINTS.every((_, k) => {
        const point = Object.fromEntries(variables.map((v, i) => [v, SAMPLE_POINTS[(k + i) % SAMPLE_POINTS.length]!]));
        const x = g.subs(point).N();
        const y = a.subs(point).N();
        return closeComplex(x, y);
      });
    });
  } catch (error) {
    if (Date.now() >= deadline || /timeout|deadline/i.test(String((error as Error).message ?? error))) {
      throw timeout();
    }
    return false;
  }
}

function closeComplex(x: CeExpression, y: CeExpression): boolean {
  const values = [x.re, x.im, y.re, y.im];
  if (values.some((v) => typeof v !== 'number' || Number.isNaN(v))) {
    return false;
  }
  const scale = Math.max(1, Math.abs(x.re), Math.abs(y.re));
  return Math.abs(x.re - y.re) <= 1e-9 * scale && Math.abs(x.im - y.im) <= 1e-9 * scale;
}
