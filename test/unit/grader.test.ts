// The grader: 150+ cases of our own covering AIME, MATH-500 and GPQA answer kinds.

import assert from 'node:assert/strict';
import { extractAnswer, normalizeAnswer } from '../../src/core/eval/answerNormalize';
import { compareAnswers, grade, type GradeRule } from '../../src/core/eval/grader';

type Case = [gold: string, answer: string, correct: boolean, rule?: GradeRule];

const box = (s: string) => `Some reasoning.\n\nSo the answer is $\\boxed{${s}}$.`;

/** Integers as in AIME (000–999) and other integer answers. */
const INTEGERS: Case[] = [
  ['204', '204', true, 'exact'],
  ['204', '204.0', true, 'numeric'],
  ['025', '25', true, 'numeric'],
  ['25', '025', true, 'numeric'],
  ['33', '34', false, 'numeric'],
  ['0', '0', true, 'exact'],
  ['-7', '-7', true, 'exact'],
  ['-7', '7', false, 'numeric'],
  ['1000', '1,000', true, 'exact'],
  ['1000', '1{,}000', true, 'exact'],
  ['1000', '1\\,000', true, 'exact'],
  ['1000000', '1,000,000', true, 'exact'],
  ['1000', '1001', false, 'numeric'],
  ['100000', '100001', false, 'numeric'],
  ['123456789012345678901', '123456789012345678901', true, 'exact'],
  ['123456789012345678901', '123456789012345678902', false, 'numeric'],
  ['116', '$116$', true, 'exact'],
  ['116', '116.', true, 'exact'],
  ['116', 'x = 116', true, 'exact'],
  ['116', 'n=116', true, 'exact'],
  ['540', '540 \\text{ ways}', true, 'exact'],
  ['80', '80 students', true, 'exact'],
  ['12', '\\text{12}', true, 'exact'],
  ['12', '\\mathbf{12}', true, 'exact'],
  ['12', '12\\ \\text{cm}', true, 'exact'],
  ['12', '12 \\mbox{ inches}', true, 'exact'],
  ['45', '45^\\circ', true, 'exact'],
  ['45', '45^{\\circ}', true, 'exact'],
  ['45', '45°', true, 'exact'],
  ['45^\\circ', '45', true, 'exact'],
  ['5', '\\$5', true, 'exact'],
  ['\\$18.90', '18.90', true, 'exact'],
  ['18.90', '18.9', true, 'numeric'],
  ['2', '\\sqrt{4}', true, 'symbolic'],
  ['3', '\\log_2 8', true, 'symbolic'],
  ['10', '\\binom{5}{2}', true, 'symbolic'],
  ['6', '3!', true, 'symbolic'],
  ['8', '2^3', true, 'symbolic'],
  ['9', '2^3', false, 'symbolic'],
  ['17', 'seventeen', false],
];

/** Fractions, decimals and percentages. */
const FRACTIONS: Case[] = [
  ['\\frac{1}{2}', '\\frac12', true, 'exact'],
  ['\\frac{1}{2}', '\\dfrac{1}{2}', true, 'exact'],
  ['\\frac{1}{2}', '\\tfrac{1}{2}', true, 'exact'],
  ['\\frac{1}{2}', '0.5', true, 'numeric'],
  ['\\frac{1}{2}', '1/2', true, 'numeric'],
  ['0.5', '\\frac{1}{2}', true, 'numeric'],
  ['\\frac{1}{2}', '\\frac{2}{4}', true, 'numeric'],
  ['\\frac{1}{3}', '0.3333', false, 'numeric'], // a 4-place decimal is an approximation (tolerance class)
  ['\\frac{1}{3}', '0.333', false, 'numeric'],
  ['\\frac{1}{3}', '0.34', false, 'numeric'],
  ['-\\frac{1}{3}', '-\\frac13', true, 'exact'],
  ['-\\frac{1}{3}', '\\frac{-1}{3}', true, 'numeric'],
  ['-\\frac{1}{3}', '\\frac{1}{3}', false, 'numeric'],
  ['\\frac{7}{2}', '3.5', true, 'numeric'],
  ['\\frac{7}{2}', '3\\frac{1}{2}', true, 'symbolic'],
  ['\\frac{14}{3}', '\\frac{28}{6}', true, 'numeric'],
  ['\\frac{3}{8}', '\\left(\\frac{3}{8}\\right)', true],
  ['0.25', '.25', true, 'numeric'],
  ['2.5', '2.50', true, 'numeric'],
  ['2.5', '2.6', false, 'numeric'],
  ['50', '0.5', false, 'numeric'],
  ['0.5', '50', false, 'numeric'],
  ['50\\%', '50', true, 'exact'],
  ['50', '50\\%', true, 'exact'],
  ['50\\%', '50%', true, 'exact'],
  ['12.5\\%', '12.5', true, 'exact'],
  ['\\frac{9}{10}', '\\frac{90}{100}', true, 'numeric'],
  ['\\frac{a}{b}', '\\frac{a}{b}', true, 'exact'],
  ['1.5', '\\frac{3}{2}', true, 'numeric'],
  ['\\frac{1}{8}', '0.125', true, 'numeric'],
  ['\\frac{1}{7}', '0.142857', true, 'numeric'],
  ['\\frac{1}{7}', '0.14', false, 'numeric'],
  ['\\frac{100}{3}', '33.33', false, 'numeric'],
  ['\\frac{100}{3}', '33.3333', false, 'numeric'],
  ['3', '\\frac{6}{2}', true, 'numeric'],
  ['3', '\\frac{7}{2}', false, 'numeric'],
];

/** Radicals, π, symbolic expressions and polynomials. */
const SYMBOLIC: Case[] = [
  ['\\frac{\\sqrt{3}}{3}', '\\frac{1}{\\sqrt{3}}', true, 'symbolic'],
  ['\\frac{\\sqrt3}{3}', '\\frac{\\sqrt{3}}{3}', true, 'exact'],
  ['2\\sqrt{2}', '\\sqrt{8}', true, 'symbolic'],
  ['2\\sqrt{2}', '\\sqrt8', true, 'symbolic'],
  ['3\\sqrt{13}', '\\sqrt{117}', true, 'symbolic'],
  ['3\\sqrt{13}', '\\sqrt{118}', false, 'symbolic'],
  ['\\sqrt{2}', '2^{1/2}', true, 'symbolic'],
  ['\\sqrt{2}', '1.41421356', false, 'symbolic'],
  ['\\frac{\\pi}{2}', '\\pi/2', true, 'symbolic'],
  ['\\frac{\\pi}{2}', '\\frac{1}{2}\\pi', true, 'symbolic'],
  ['\\frac{\\pi}{2}', '90^\\circ', false],
  ['2\\pi', '2\\pi', true, 'exact'],
  ['6\\pi', '\\pi \\cdot 6', true, 'symbolic'],
  ['6\\pi', '3\\pi', false, 'symbolic'],
  ['4+2\\sqrt{3}', '2\\sqrt{3}+4', true, 'symbolic'],
  ['1+\\sqrt{5}', '\\sqrt{5}+1', true, 'symbolic'],
  ['\\frac{1+\\sqrt{5}}{2}', '\\frac{\\sqrt{5}+1}{2}', true, 'symbolic'],
  ['\\frac{1+\\sqrt{5}}{2}', '\\frac{\\sqrt{5}-1}{2}', false, 'symbolic'],
  ['x^2+2x+1', '(x+1)^2', true, 'symbolic'],
  ['(x+1)^2', 'x^2+2x+1', true, 'symbolic'],
  ['x^2-1', '(x-1)(x+1)', true, 'symbolic'],
  ['x^2-1', '(x-1)^2', false, 'symbolic'],
  ['2x+3', '3+2x', true, 'symbolic'],
  ['y=2x+3', 'y=3+2x', true],
  ['3x^2-5x+2', '(3x-2)(x-1)', true, 'symbolic'],
  ['\\frac{x+1}{x-1}', '\\frac{x+1}{x-1}', true, 'exact'],
  ['a^2+b^2', 'b^2+a^2', true, 'symbolic'],
  ['\\frac{3}{4}\\sqrt{2}', '\\frac{3\\sqrt{2}}{4}', true, 'symbolic'],
  ['e^2', 'e^{2}', true],
  ['\\ln 2', '\\log 2', false],
  ['i', 'i', true, 'exact'],
  ['1+2i', '2i+1', true, 'symbolic'],
  ['1+2i', '1-2i', false, 'symbolic'],
  ['-2+7i', '-2 + 7i', true, 'exact'],
  ['\\sqrt{5}', '\\sqrt{5}\\text{ units}', true],
  ['5\\sqrt{2}', '5 \\sqrt 2', true],
  ['\\frac{\\sqrt{2}}{2}', '\\frac{1}{\\sqrt{2}}', true, 'symbolic'],
  ['\\sin 30^\\circ', '\\frac{1}{2}', false],
];

/** Intervals, tuples, sets, lists, matrices, unions. */
const STRUCTURED: Case[] = [
  ['(1,2]', '(1,2]', true, 'exact'],
  ['(1,2]', '[1,2)', false, 'interval'],
  ['(1,2]', '(1,2)', false],
  ['[1,2]', '[1, 2]', true, 'exact'],
  ['[1,2]', '[1,3]', false, 'interval'],
  ['(-\\infty,2)', '(-\\infty, 2)', true, 'exact'],
  ['(-\\infty,2)', '\\left(-\\infty, 2\\right)', true, 'exact'],
  ['(-\\infty,2)', '(-\\infty,2]', false, 'interval'],
  ['(-\\infty,\\frac{1}{2})', '(-\\infty,0.5)', true, 'interval'],
  ['[0,\\infty)', '[0,\\infty)', true, 'exact'],
  ['[0,\\infty)', '(0,\\infty)', false, 'interval'],
  ['(-\\infty,-1)\\cup(1,\\infty)', '(1,\\infty)\\cup(-\\infty,-1)', true, 'union'],
  ['(-\\infty,-1)\\cup(1,\\infty)', '(-\\infty,-1]\\cup(1,\\infty)', false, 'union'],
  ['(3,4)', '(3,4)', true, 'exact'],
  ['(3,4)', '(4,3)', false, 'tuple'],
  ['(3,-4)', '(3, -4)', true, 'exact'],
  ['(\\frac{1}{2},3)', '(0.5,3)', true, 'tuple'],
  ['(1,2,3)', '(1,2,3)', true, 'exact'],
  ['(1,2,3)', '(1,3,2)', false, 'tuple'],
  ['(1,2,3)', '(1,2)', false, 'tuple'],
  ['\\{1,2\\}', '\\{2,1\\}', true, 'set'],
  ['\\{1,2\\}', '\\{1,2,3\\}', false, 'set'],
  ['\\{1,2\\}', '\\{1,1\\}', false, 'set'],
  ['-2,1', '1,-2', true, 'set'],
  ['-2, 1', '1, -2', true, 'set'],
  ['1,-2', '1', false],
  ['3,5,7', '7, 5, 3', true, 'set'],
  ['\\frac{1}{2},-3', '-3,0.5', true, 'set'],
  ['x=1,x=2', '2,1', true, 'set'], // solutions labelled with one variable: the set of solutions
  ['\\begin{pmatrix}1\\\\2\\end{pmatrix}', '\\begin{pmatrix} 1 \\\\ 2 \\end{pmatrix}', true, 'exact'],
  ['\\begin{pmatrix}1\\\\2\\end{pmatrix}', '\\begin{pmatrix} 2 \\\\ 1 \\end{pmatrix}', false, 'matrix'],
  ['\\begin{pmatrix}1&0\\\\0&1\\end{pmatrix}', '\\begin{pmatrix}1&0\\\\0&1\\end{pmatrix}', true, 'exact'],
  ['\\begin{pmatrix}\\frac12\\\\3\\end{pmatrix}', '\\begin{pmatrix}0.5\\\\3\\end{pmatrix}', true, 'matrix'],
  ['(2,\\sqrt{3})', '(2,\\sqrt3)', true, 'exact'],
  ['(2,\\sqrt{3})', '(2,3^{1/2})', true, 'tuple'],
  ['[-2,5]', '-2\\le x\\le 5', false],
];

/** Text answers (MATH-500 has names, words, letters inside \text{}). */
const TEXT: Case[] = [
  ['\\text{Evelyn}', 'Evelyn', true, 'exact'],
  ['\\text{Evelyn}', '\\text{evelyn}', true, 'exact'],
  ['\\text{Evelyn}', 'Emily', false],
  ['\\text{even}', '\\text{odd}', false],
  ['\\text{odd}', '\\textbf{odd}', true, 'exact'],
  ['\\text{(C)}', '(C)', true],
  ['\\text{(C)}', 'C', true],
  ['\\text{(C)}', '(D)', false],
  ['\\text{Monday}', 'Monday.', true, 'exact'],
  ['\\text{yes}', 'Yes', true, 'exact'],
];

/** GPQA-style multiple choice by letter. */
const CHOICES: Case[] = [
  ['A', 'A', true, 'choice'],
  ['A', '(A)', true, 'choice'],
  ['A', '\\text{A}', true, 'choice'],
  ['A', '\\text{(A)}', true, 'choice'],
  ['B', 'A', false, 'choice'],
  ['C', 'c', true, 'choice'],
  ['D', 'D) 4.5 eV', true, 'choice'],
  ['D', 'Option D', true, 'choice'],
  ['(B)', 'B', true, 'choice'],
  ['B', 'E', false, 'choice'],
];

/** Extraction from whole responses. */
const EXTRACTION: Array<[response: string, expected: string | undefined, how: string]> = [
  ['The answer is $\\boxed{5}$.', '5', 'boxed'],
  ['First \\boxed{3}, corrected: \\boxed{4}', '4', 'boxed'],
  ['\\boxed{\\frac{1}{2}}', '\\frac{1}{2}', 'boxed'],
  ['\\boxed{\\left\\{1,2\\right\\}}', '\\left\\{1,2\\right\\}', 'boxed'],
  ['\\boxed{\\begin{pmatrix}1\\\\2\\end{pmatrix}}', '\\begin{pmatrix}1\\\\2\\end{pmatrix}', 'boxed'],
  ['\\fbox{7}', '7', 'fbox'],
  ['so $\\boxed 9$', '9', 'boxed'],
  ['Thinking \\boxed{1} hmm</think>The final answer is \\boxed{2}.', '2', 'boxed'],
  ['Reasoning…\n\nAnswer: 42', '42', 'answer-line'],
  ['Reasoning…\n\n**Final Answer:** 17\n', '17', 'answer-line'],
  ['ANSWER: (C)', '(C)', 'answer-line'],
  ['No box here, I pick (D) over (A) — so (B).', 'B', 'final-letter'],
  ['nothing at all', undefined, 'none'],
  ['unclosed \\boxed{12', undefined, 'none'],
];

const ALL = [...INTEGERS, ...FRACTIONS, ...SYMBOLIC, ...STRUCTURED, ...TEXT, ...CHOICES];

describe('grader', function () {
  this.timeout(60000);

  it('has at least 150 answer cases of its own', () => {
    assert.ok(ALL.length + EXTRACTION.length >= 150, `${ALL.length + EXTRACTION.length} cases`);
  });

  for (const [group, cases] of Object.entries({ INTEGERS, FRACTIONS, SYMBOLIC, STRUCTURED, TEXT, CHOICES })) {
    describe(group.toLowerCase(), () => {
      for (const [gold, answer, correct, rule] of cases) {
        it(`${JSON.stringify(answer)} vs gold ${JSON.stringify(gold)}: ${correct ? 'correct' : 'wrong'}${rule ? ` (${rule})` : ''}`, () => {
          const verdict = grade(gold, box(answer));
          assert.equal(verdict.correct, correct, JSON.stringify(verdict));
          assert.equal(verdict.extracted, answer);
          if (rule) {
            assert.equal(verdict.rule, rule, JSON.stringify(verdict));
          }
        });
      }
    });
  }

  describe('extraction', () => {
    for (const [response, expected, how] of EXTRACTION) {
      it(`${JSON.stringify(response.slice(-50))} → ${JSON.stringify(expected)} (${how})`, () => {
        const found = extractAnswer(response, true);
        assert.equal(found.text, expected);
        assert.equal(found.how, how);
      });
    }
  });

  describe('multiple choice with options', () => {
    const choices = { A: 'Helium', B: 'Neon', C: 'Argon', D: 'Krypton' };
    it('a gold given as option text maps to its letter', () => {
      assert.equal(grade('Argon', box('C'), { choices }).correct, true);
      assert.equal(grade('Argon', box('B'), { choices }).correct, false);
    });
    it('an answer given as option text maps to its letter', () => {
      assert.equal(grade('C', box('Argon'), { choices }).correct, true);
      assert.equal(grade('C', box('\\text{Neon}'), { choices }).correct, false);
    });
    it('a response without a box: the last (X) after the reasoning', () => {
      const v = grade('B', 'Between (A) and (B), the answer is (B).', { choices });
      assert.deepEqual([v.correct, v.extracted, v.extraction], [true, 'B', 'final-letter']);
    });
  });

  it('no answer in the response: wrong, rule no-answer, extracted null', () => {
    assert.deepEqual(grade('5', 'I am not sure.'), {
      correct: false,
      extracted: null,
      extraction: 'none',
      rule: 'no-answer',
    });
  });

  it('never throws, on garbage and unbalanced input', () => {
    for (const bad of ['\\frac{', '}}}{{{', '\\boxed{', '(((', '\\sqrt{', '\\begin{pmatrix}', '', '$', '\\\\']) {
      const v = grade(bad, box(bad + 'x'));
      assert.equal(typeof v.correct, 'boolean');
      assert.equal(compareAnswers('2', bad).correct, false);
    }
  });

  it('a comparison past its time limit is a wrong verdict with rule timeout', () => {
    const v = compareAnswers('x^{20}+x^{19}+\\sin(x)', '(x+1)^{20}-\\cos(x)', { timeLimitMs: 0 });
    assert.equal(v.correct, false);
    assert.equal(v.rule, 'timeout');
  });

  it('normalises the usual wrappers', () => {
    assert.equal(normalizeAnswer('$\\left( \\dfrac{1}{2}, 3 \\right)$.'), '(\\frac{1}{2},3)');
    assert.equal(normalizeAnswer('\\(x = 10\\%\\)'), '10');
    assert.equal(normalizeAnswer('1{,}234{,}567'), '1234567');
  });
});
