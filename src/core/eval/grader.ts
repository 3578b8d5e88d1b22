// Grades a model response against a gold answer. Rules, tried in order, and the first that decides wins:
//   choice    multiple choice by letter (gold letter, or the gold option's text mapped to its letter)
//   exact     equal strings after normalisation (answerNormalize.ts)
//   numeric   integers exactly; decimals and fractions within a relative tolerance of 1e-4
//   interval / tuple / set / matrix / union: element by element with these same rules; intervals keep
//             their open and closed ends; sets and bare comma lists ignore order
//   symbolic  @cortex-js/compute-engine (loaded on first use) decides equivalence; polynomial identities
//             and other undecided cases are checked numerically at random points of their variables
//   cas-unavailable  the symbolic rule was needed but its library (dist/compute-engine.js next to the
//             bundle) did not load: the pair is NOT graded (correct is false, and every front end says
//             "not graded" instead of "wrong"; `specreason grade DIR` re-grades once it loads)
// Strict cases (decided on purpose, and tested): `50` vs `0.5` is wrong (no ×100 leniency), `50\%` equals
// `50`; `(1,2]` vs `[1,2)` is wrong; `90^\circ` equals `90` but not `\frac{\pi}{2}`; `0.333` vs `\frac13` is
// wrong (1e-4 tolerance) while `0.3333` is right; an integer gold needs the exact integer (`1000` vs `1001`).
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
}

export const RELATIVE_TOLERANCE = 1e-4;

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
    const deadline = Date.now() + (options.timeLimitMs ?? 2000);
    const goldLetter = multipleChoiceGold(gold, options.choices);
    if (goldLetter !== undefined) {
      const letter = choiceLetter(answer) ?? letterOfText(answer, options.choices);
      return { correct: letter === goldLetter, rule: 'choice' };
    }
    return equal(normalizeAnswer(gold), normalizeAnswer(answer), deadline);
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

function equal(gold: string, answer: string, deadline: number): { correct: boolean; rule: GradeRule } {
  if (gold === answer || (/^[a-z\s]+$/i.test(gold) && gold.toLowerCase() === answer.toLowerCase())) {
    return { correct: true, rule: 'exact' };
  }
  const goldNumber = parseNumber(gold);
  const answerNumber = parseNumber(answer);
  if (goldNumber && answerNumber) {
    return { correct: numbersEqual(goldNumber, answerNumber), rule: 'numeric' };
  }
  const goldStructure = parseStructure(gold);
  const answerStructure = parseStructure(answer);
  if (goldStructure || answerStructure) {
    if (!goldStructure || !answerStructure || goldStructure.kind !== answerStructure.kind) {
      // `(1,2)` may be read as a tuple on one side and an interval on the other only with different brackets.
      return { correct: false, rule: goldStructure?.kind ?? answerStructure!.kind };
    }
    const same = (a: string, b: string) => equal(a, b, deadline).correct;
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
  if (goldNumber && /^[-+]?[\d.]+$/.test(answer)) {
    return { correct: false, rule: 'numeric' }; // a plain number against a non-number gold: no CAS needed
  }
  if (Date.now() >= deadline) {
    throw timeout();
  }
  return { correct: symbolicEqual(gold, answer, deadline), rule: 'symbolic' };
}

function pairwise(a: readonly string[], b: readonly string[], same: (x: string, y: string) => boolean): boolean {
  return a.length === b.length && a.every((x, i) => same(x, b[i]!));
}

/** Every gold item matched by a distinct answer item, and no extra answer items. */
function unordered(gold: readonly string[], answer: readonly string[], same: (x: string, y: string) => boolean) {
  if (gold.length !== answer.length) {
    return false;
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

function numbersEqual(gold: { value: number; integer?: bigint }, answer: { value: number; integer?: bigint }) {
  if (gold.integer !== undefined) {
    return answer.integer !== undefined ? gold.integer === answer.integer : answer.value === gold.value;
  }
  return Math.abs(gold.value - answer.value) <= RELATIVE_TOLERANCE * Math.max(Math.abs(gold.value), 1e-12);
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
